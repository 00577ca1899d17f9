import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobEvent, JobState, WorkItemStatus } from '../../../src/mapreduce/job-types.js';
import {
  exceedsFailureLimits,
  mapResults,
  newJobId,
  newJobState,
  newWorkItems,
  phaseToResume,
  reconcileWithEvents,
  tailLines,
} from '../../../src/mapreduce/job-state.js';

function job(statuses: WorkItemStatus[]): JobState {
  const s = newJobState({ job_id: 'j', session_id: 's', workflow_name: 'w', workflow_path: 'w.yml', repo: 'r', max_parallel: 2 });
  s.setup_completed = true;
  s.items = newWorkItems(statuses.map((_, i) => ({ n: i }))).map((it, i) => ({ ...it, status: statuses[i]! }));
  return s;
}

const ev = (type: JobEvent['type'], item_id: string, extra: Partial<JobEvent> = {}): JobEvent => ({
  timestamp: '2026-11-25T00:00:00.000Z',
  job_id: 'j',
  type,
  item_id,
  ...extra,
});

describe('job state rules', () => {
  it('job ids are unique, sortable by time and safe as file names', () => {
    const id = newJobId(new Date('2026-11-25T08:00:00.123Z'), () => 0.5);
    expect(id).toBe('mapreduce-20261125T080000Z-7fffff');
  });

  it('resume: events fill in completions job.json had not written yet; in-flight items go back to pending', () => {
    const s = job(['completed', 'running', 'running', 'failed', 'dead', 'pending']);
    const out = reconcileWithEvents(s, [
      ev('AgentStarted', 'item-1'),
      ev('AgentCompleted', 'item-1', { result: { ok: 1 }, exit_code: 0, attempt: 1 }),
      ev('ItemDeadLettered', 'item-3', { message: 'boom', attempt: 2 }),
    ]);
    expect(out.items.map((i) => i.status)).toEqual(['completed', 'completed', 'pending', 'dead', 'dead', 'pending']);
    expect(out.items[1]!.result).toEqual({ ok: 1 });
    expect(out.items[3]!.error).toBe('boom');
    expect(out.items[3]!.attempts).toBe(2);
    expect(out.items[2]!.agent_id).toBeNull();
  });

  it('an attempt cut short by the stop (still running) is not counted; a finished failed attempt is', () => {
    const s = job(['running', 'failed', 'running']);
    s.items[0]!.attempts = 1;
    s.items[1]!.attempts = 1;
    s.items[2]!.attempts = 2;
    const out = reconcileWithEvents(s, []);
    expect(out.items.map((i) => [i.status, i.attempts])).toEqual([
      ['pending', 0],
      ['pending', 1],
      ['pending', 1],
    ]);
  });

  it('the last terminal event wins: a requeued dead item is pending again', () => {
    const s = job(['dead', 'dead']);
    const out = reconcileWithEvents(s, [ev('ItemDeadLettered', 'item-0'), ev('ItemRequeued', 'item-0')]);
    expect(out.items.map((i) => i.status)).toEqual(['pending', 'dead']);
  });

  it('never loses a completed item and leaves nothing running or failed', () => {
    const statuses: WorkItemStatus[] = ['pending', 'running', 'completed', 'failed', 'dead'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...statuses), { maxLength: 20 }), (st) => {
        const s = job(st);
        const out = reconcileWithEvents(s, []);
        out.items.forEach((it, i) => {
          expect(['running', 'failed']).not.toContain(it.status);
          if (st[i] === 'completed' || st[i] === 'dead') expect(it.status).toBe(st[i]);
        });
      }),
    );
  });

  it('knows which phase a resume starts in', () => {
    const s = job(['completed', 'pending']);
    expect(phaseToResume({ ...s, setup_completed: false })).toBe('Setup');
    expect(phaseToResume(s)).toBe('Map');
    expect(phaseToResume(job(['completed', 'dead']))).toBe('Reduce');
    expect(phaseToResume({ ...job(['completed']), reduce_completed: true })).toBe('Complete');
  });

  it('map results are the completed items’ results in item order', () => {
    const s = job(['completed', 'dead', 'completed']);
    s.items[0]!.result = 'a';
    s.items[2]!.result = 'c';
    expect(mapResults(s.items)).toEqual(['a', 'c']);
  });

  it('failure limits: max_failures is a count, failure_threshold a fraction', () => {
    expect(exceedsFailureLimits(3, 10, { max_failures: 3 })).toBe(false);
    expect(exceedsFailureLimits(4, 10, { max_failures: 3 })).toBe(true);
    expect(exceedsFailureLimits(2, 10, { failure_threshold: 0.2 })).toBe(false);
    expect(exceedsFailureLimits(3, 10, { failure_threshold: 0.2 })).toBe(true);
    expect(exceedsFailureLimits(100, 100, {})).toBe(false);
  });

  it('keeps the last lines of output', () => {
    expect(tailLines('a\nb\nc\n', 2)).toEqual(['b', 'c']);
    expect(tailLines('', 2)).toEqual([]);
  });
});
