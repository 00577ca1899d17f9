import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentRows, countsFromSession, eventLine, jobSummary, orderItems, phaseLine, reduceLine, tryText } from '../../src/tui/mapreduce-view.js';
import { currentLine, outputTail, workflowSteps } from '../../src/tui/workflow-steps.js';
import { parseSession } from '../../src/storage/session-store.js';
import { fixturesDir } from '../helpers/home.js';
import { T0, iso, jobState, mapReduceSession, workItems, workflowSession } from './fixtures.js';

const prodigy = (name: string) => {
  const file = path.join(fixturesDir, 'prodigy-sessions', name);
  return parseSession(fs.readFileSync(file, 'utf8'), file);
};

describe('workflow steps', () => {
  it('marks done, running (with elapsed), and pending steps from our metadata', () => {
    const s = workflowSession(
      'w',
      {
        metadata: { steps: ['shell: make', 'claude: /fix', 'shell: test'], step_started_at: iso(T0 + 10_000) },
        timings: { step_0: { secs: 4, nanos: 0 } },
      },
      { current_step: 1, completed_steps: [0] },
    );
    const rows = workflowSteps(s, false, T0 + 25_000);
    expect(rows.map((r) => [r.state, r.summary, r.duration])).toEqual([
      ['done', 'shell: make', '4s'],
      ['running', 'claude: /fix', '15s'],
      ['pending', 'shell: test', ''],
    ]);
    expect(currentLine(s, rows)).toBe('running step 2/3: claude: /fix');
  });

  it('a failed step comes from failed_step; a crashed run shows its step stopped, not running', () => {
    const failed = workflowSession('f', { status: 'Failed', error: 'exit 2', metadata: { failed_step: 2, output_tail: ['boom'] } }, { current_step: 2, completed_steps: [0, 1] });
    expect(workflowSteps(failed, false, T0).map((r) => r.state)).toEqual(['done', 'done', 'failed']);
    expect(outputTail(failed)).toEqual(['boom']);
    const crashed = workflowSession('c', {}, { current_step: 1, completed_steps: [0] });
    expect(workflowSteps(crashed, true, T0).map((r) => r.state)).toEqual(['done', 'stopped', 'pending']);
  });

  it('renders a session written by Prodigy itself (no step metadata)', () => {
    const s = prodigy('workflow-1732450000000.json');
    const rows = workflowSteps(s, false, Date.parse(s.updated_at));
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ state: 'running', summary: 'step 1', duration: '12s' });
    expect(rows.slice(1).every((r) => r.state === 'pending')).toBe(true);
    expect(outputTail(s)).toEqual([]);
  });
});

describe('MapReduce model', () => {
  it('phase line marks the phase with a glyph', () => {
    expect(phaseLine('Map', false)).toBe('✓ setup → ▸ map → reduce → done');
    expect(phaseLine('Complete', true)).toBe('✓ setup → ✓ map → ✓ reduce → ✓ done');
  });

  it('counts, rate and ETA from the job file', () => {
    const items = workItems(100, (i) => (i < 40 ? 'completed' : i < 45 ? 'dead' : i < 49 ? 'running' : i < 51 ? 'failed' : 'pending'));
    const s = mapReduceSession('m', 'j');
    const sum = jobSummary(s, jobState('j', 'm', items), T0 + 120_000);
    // Dead items are the failures; an attempt that failed with a retry due is still pending.
    expect(sum.counts).toEqual({ total: 100, completed: 40, failed: 5, running: 4, pending: 51 });
    expect(sum.perMinute).toBeCloseTo(22.5); // 45 ended over 2 minutes
    expect(sum.eta).toBeCloseTo((55 / 22.5) * 60_000);
  });

  it('falls back to mapreduce_data for Prodigy sessions', () => {
    const s = prodigy('session-9a8b7c6d-0000-4000-8000-123456789abc.json');
    expect(countsFromSession(s)).toEqual({ total: 300, completed: 200, failed: 12, running: 0, pending: 88 });
    expect(jobSummary(s, null, Date.now()).phase).toBe('Map');
  });

  it('orders running first and formats only the visible window', () => {
    const items = workItems(10_000, (i) => (i % 100 === 7 ? 'running' : i < 5000 ? 'completed' : 'pending'));
    const ordered = orderItems(items);
    expect(ordered[0]!.id).toBe('item-7');
    const rows = agentRows(ordered, 100, 12, T0 + 60_000);
    expect(rows).toHaveLength(12);
    // 100 running items come first, then pending (in index order), completed last.
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 12 }, (_, i) => `item-${5000 + i + (i >= 7 ? 1 : 0)}`));
    expect(agentRows(ordered, 0, 1, T0 + 60_000)[0]).toMatchObject({ status: 'running', attempt: '1', last: 'line from item-7' });
    // With the tries recorded (job.max_attempts) the column says "n/m".
    expect(agentRows(ordered, 0, 1, T0 + 60_000, true, 3)[0]!.attempt).toBe('1/3');
  });

  it('the reduce line: status, time taken, and the last output line (its result) or the error', () => {
    const t = (ms: number) => new Date(T0 + ms).toISOString();
    const base = { started_at: t(0), ended_at: t(2_000), output_tail: ['counting', 'reduced 40 of 40'], error: null };
    expect(reduceLine(undefined, T0)).toBeNull();
    expect(reduceLine({ ...base, status: 'completed' }, T0 + 9_000)).toBe('reduce ✓ 2s: reduced 40 of 40');
    expect(reduceLine({ ...base, status: 'running', ended_at: null }, T0 + 5_000)).toBe('reduce ▸ running 5s: reduced 40 of 40');
    expect(reduceLine({ ...base, status: 'failed', error: 'reduce command 1 (false) failed: exit 1' }, T0)).toBe('reduce ✗ failed after 2s: command 1 (false) failed: exit 1');
    expect(reduceLine({ ...base, status: 'interrupted', output_tail: [] }, T0)).toMatch(/^reduce ‖ interrupted after 2s/);
    expect(reduceLine({ ...base, status: 'completed', output_tail: [] }, T0)).toBe('reduce ✓ 2s: (no output)');
  });

  it('tries read n/m, and just n past m (a dlq retry) or when m is not known', () => {
    expect(tryText(2, 3)).toBe('2/3');
    expect(tryText(4, 3)).toBe('4');
    expect(tryText(0, 3)).toBe('0');
    expect(tryText(2, null)).toBe('2');
  });

  it('event lines read left to right', () => {
    expect(eventLine({ timestamp: '2026-11-25T08:01:03.000Z', job_id: 'j', type: 'AgentFailed', item_id: 'item-3', agent_id: 'a1', message: 'exit 1' })).toBe(
      '08:01:03 AgentFailed item-3 (a1) exit 1',
    );
  });
});
