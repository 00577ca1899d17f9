import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastInterrupted, offerText, resumeOffer, resumeTarget } from '../../src/control/resume-offer.js';
import type { SessionStatus, UnifiedSession } from '../../src/session/types.js';

const NOW = Date.parse('2026-01-01T01:00:00Z');

function session(id: string, status: SessionStatus, updatedMinAgo: number, extra: Partial<UnifiedSession> = {}, repo = '/repo/a'): UnifiedSession {
  const t = new Date(NOW - updatedMinAgo * 60_000).toISOString();
  return {
    id, session_type: 'Workflow', status, started_at: t, updated_at: t, completed_at: null,
    metadata: { repo_path: repo, owner_pid: 1 }, checkpoints: [], timings: {}, error: null,
    workflow_data: {
      workflow_id: id, workflow_name: `wf-${id}`, current_step: 2, total_steps: 5,
      completed_steps: [0, 1], variables: {}, iteration: 0,
    } as unknown as UnifiedSession['workflow_data'],
    mapreduce_data: null,
    ...extra,
  };
}

const deadOwners = new Set(['crashed']);
const alive = (s: UnifiedSession) => !deadOwners.has(s.id);

describe('resumeOffer', () => {
  it('offers the most recently updated interrupted session of this repository', () => {
    const sessions = [
      session('old-paused', 'Paused', 30),
      session('new-paused', 'Paused', 5),
      session('other-repo', 'Paused', 1, {}, '/repo/b'),
      session('done', 'Completed', 0),
      session('live', 'Running', 0),
    ];
    const offer = resumeOffer(sessions, alive, '/repo/a', NOW);
    expect(offer).toEqual({ id: 'new-paused', name: 'wf-new-paused', where: 'step 3/5', ago: '5m ago', how: 'Paused' });
    expect(offerText(offer!, 'new-pau')).toBe('Interrupted 5m ago: wf-new-paused at step 3/5 (Paused, new-pau) — r to resume');
  });

  it('counts a Running session whose owner is gone as Interrupted', () => {
    const offer = resumeOffer([session('crashed', 'Running', 2)], alive, '/repo/a', NOW);
    expect(offer?.how).toBe('Interrupted');
  });

  it('describes MapReduce progress in items', () => {
    const mr = session('job', 'Paused', 1, {
      session_type: 'MapReduce', workflow_data: null,
      mapreduce_data: { job_id: 'job-1', phase: 'Map', total_items: 300, processed_items: 212, failed_items: 3, agent_count: 5 } as unknown as UnifiedSession['mapreduce_data'],
    });
    expect(resumeOffer([mr], alive, '/repo/a', NOW)?.where).toBe('212/300 items, 3 failed');
  });

  it('offers nothing when this repository has nothing interrupted', () => {
    expect(resumeOffer([session('x', 'Paused', 1, {}, '/repo/b'), session('y', 'Completed', 1)], alive, '/repo/a', NOW)).toBeNull();
  });
});

describe('resumeTarget', () => {
  const paused = session('paused', 'Paused', 3);
  const done = session('done', 'Completed', 1);
  const live = session('live', 'Running', 1);

  it('takes the selected session when it can be resumed', () => {
    expect(resumeTarget(paused, [paused, done], alive, '/repo/a')).toEqual({ ok: true, session: paused });
  });
  it('falls back to the last interrupted session', () => {
    expect(resumeTarget(done, [paused, done], alive, '/repo/a')).toEqual({ ok: true, session: paused });
    expect(resumeTarget(null, [paused, done], alive, '/repo/a')).toEqual({ ok: true, session: paused });
  });
  it("explains the selected session's refusal when nothing else can be resumed", () => {
    expect(resumeTarget(done, [done], alive)).toEqual({ ok: false, reason: 'done is already Completed: nothing to resume' });
    expect(resumeTarget(live, [live], alive)).toEqual({ ok: false, reason: 'live is already running (process 1)' });
    expect(resumeTarget(null, [done], alive)).toEqual({ ok: false, reason: 'nothing to resume: no interrupted session' });
  });

  it('never targets a session that is not interrupted (property)', () => {
    const statuses: SessionStatus[] = ['Initializing', 'Running', 'Paused', 'Completed', 'Failed', 'Cancelled'];
    fc.assert(fc.property(
      fc.array(fc.record({ status: fc.constantFrom(...statuses), ago: fc.nat(1000), dead: fc.boolean() }), { maxLength: 8 }),
      fc.option(fc.nat(7)),
      (specs, pick) => {
        const ss = specs.map((x, i) => session(`s${i}`, x.status, x.ago));
        const dead = new Set(specs.flatMap((x, i) => (x.dead ? [`s${i}`] : [])));
        const own = (s: UnifiedSession) => !dead.has(s.id);
        const selected = pick !== null && pick < ss.length ? ss[pick]! : null;
        const t = resumeTarget(selected, ss, own);
        if (t.ok) expect(t.session.status === 'Paused' || (['Running', 'Initializing'].includes(t.session.status) && dead.has(t.session.id))).toBe(true);
        else expect(lastInterrupted(ss, own)).toBeNull();
      },
    ));
  });
});
