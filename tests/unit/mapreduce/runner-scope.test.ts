import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemScope, reduceVariables, withAgentTimeout } from '../../../src/mapreduce/runner.js';
import { newWorkItems } from '../../../src/mapreduce/job-state.js';
import type { JsonValue } from '../../../src/session/types.js';
import { interpolateIn, UnknownVariableError } from '../../../src/workflow/interpolate.js';
import type { WorkflowCommand } from '../../../src/workflow/types.js';

const base = { variables: { OUT: 'dir' }, env: { MODE: 'fast' }, processEnv: {}, workflowName: 'w' };

describe('item interpolation', () => {
  const it0 = { id: 'item-3', index: 3, item: { id: 7, path: 'src/a b.ts', meta: { owner: { name: 'ana' }, tags: ['x', 'y'] }, n: null } as JsonValue };

  it('${item.field.sub}, ${item_index}, ${item_id}, ${item} as JSON, workflow env and setup variables', () => {
    const s = itemScope(base, it0);
    expect(interpolateIn('./p.sh ${item.id} "${item.path}" ${item.meta.owner.name} ${item.meta.tags}', s)).toBe('./p.sh 7 "src/a b.ts" ana ["x","y"]');
    expect(interpolateIn('${item_index} ${item_id} ${MODE} ${OUT}', s)).toBe('3 item-3 fast dir');
    expect(JSON.parse(interpolateIn('${item}', s))).toEqual(it0.item);
    expect(interpolateIn('${item.meta.tags.1}', s)).toBe('y');
  });

  it('a missing field is an error naming it; a string item is itself', () => {
    expect(() => interpolateIn('${item.nope}', { ...itemScope(base, it0), strict: true })).toThrow(UnknownVariableError);
    expect(interpolateIn('${item.nope}', itemScope(base, it0))).toBe('${item.nope}');
    expect(interpolateIn('${item_json} ${item_total}', itemScope(base, { id: 'item-0', index: 0, item: 'a' }, 5))).toBe('"a" 5');
    expect(interpolateIn('echo ${item}', itemScope(base, { id: 'item-0', index: 0, item: 'a.txt' }))).toBe('echo a.txt');
  });

  it('every nested string field interpolates to itself', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), fc.string(), (a, b, v) => {
        const s = itemScope(base, { id: 'item-0', index: 0, item: { [a]: { [b]: v } } });
        expect(interpolateIn(`\${item.${a}.${b}}`, s)).toBe(v);
      }),
    );
  });

  it('each agent gets its own scope: captures in one item do not leak to the next', () => {
    const s1 = itemScope(base, it0);
    s1.variables.captured = 'x';
    expect(itemScope(base, it0).variables.captured).toBeUndefined();
  });
});

describe('reduce variables and agent timeout', () => {
  it('map.successful / failed / total / results', () => {
    const items = newWorkItems([1, 2, 3]);
    items[0]!.status = 'completed';
    items[0]!.result = { item_id: 'item-0' };
    items[1]!.status = 'dead';
    items[2]!.status = 'completed';
    items[2]!.result = 'r2';
    expect(reduceVariables(items)).toEqual({ 'map.successful': '2', 'map.failed': '1', 'map.total': '3', 'map.results': '[{"item_id":"item-0"},"r2"]' });
  });

  it('agent_timeout_secs fills in only commands without a timeout', () => {
    const cmds = [{ kind: 'shell', text: 'a', captureFormat: 'string', commitRequired: false, line: 1 }, { kind: 'shell', text: 'b', timeout: 5, captureFormat: 'string', commitRequired: false, line: 2 }] as WorkflowCommand[];
    expect(withAgentTimeout(cmds, 60).map((c) => c.timeout)).toEqual([60, 5]);
    expect(withAgentTimeout(cmds, undefined)).toBe(cmds);
  });
});

describe('progress lines', () => {
  it('at most one per interval, and always the final one', async () => {
    const { progressDue } = await import('../../../src/cli/mapreduce-run.js');
    const mid = { total: 10, pending: 5, running: 2, completed: 3, failed: 0, dead: 0 };
    const done = { ...mid, pending: 0, running: 0, completed: 9, dead: 1 };
    expect(progressDue(0, 999, mid)).toBe(false);
    expect(progressDue(0, 1000, mid)).toBe(true);
    expect(progressDue(0, 1, done)).toBe(true);
    fc.assert(
      fc.property(fc.array(fc.nat(5000), { maxLength: 50 }), (gaps) => {
        let last = Number.NEGATIVE_INFINITY;
        let t = 0;
        const printed: number[] = [];
        for (const g of gaps) {
          t += g;
          if (progressDue(last, t, mid)) {
            printed.push(t);
            last = t;
          }
        }
        for (let i = 1; i < printed.length; i++) expect(printed[i]! - printed[i - 1]!).toBeGreaterThanOrEqual(1000);
      }),
    );
  });
});
