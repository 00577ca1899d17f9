import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ENV_TOTAL, MAX_ENV_VALUE, exportedEnv, shellEnv } from '../../src/workflow/env-export.js';
import type { Scope } from '../../src/workflow/interpolate.js';

/** Names that collide once upper-cased and cleaned (`a-b` / `a_b` / `A.B`), and values near the limits. */
const name = fc.constantFrom('a', 'b', 'a-b', 'a_b', 'A.B', 'id', 'json', 'step_0_output', 'step_1_output', 'last');
const value = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('', 'x\0y', 'z'.repeat(MAX_ENV_VALUE + 1), 'w'.repeat(MAX_ENV_TOTAL / 2)),
);
const change = fc.oneof(
  fc.record({ kind: fc.constant('output' as const), name, value }),
  fc.record({ kind: fc.constant('variable' as const), name, value }),
  fc.record({ kind: fc.constant('drop' as const), name }),
  fc.record({ kind: fc.constant('item' as const), fields: fc.dictionary(name, fc.oneof(value, fc.integer())) }),
);

describe('shellEnv (the in-place merged environment of shell steps)', () => {
  it('is always { ...base, ...exportedEnv(scope) }, however the scope changed since the last call', () => {
    fc.assert(
      fc.property(fc.array(fc.array(change, { maxLength: 4 }), { minLength: 1, maxLength: 8 }), fc.boolean(), (rounds, newBase) => {
        const scope: Scope = { variables: {}, outputs: {}, env: {}, workflowName: 'w' };
        let base: NodeJS.ProcessEnv = { PATH: '/bin', PRODIGY_OUTPUT_A: 'from base', PRODIGY_VAR_B: 'base too' };
        for (const round of rounds) {
          for (const c of round) {
            if (c.kind === 'output') scope.outputs[c.name] = c.value;
            else if (c.kind === 'variable') scope.variables[c.name] = c.value;
            else if (c.kind === 'drop') delete scope.outputs[c.name];
            else scope.extra = { item: 'it', item_json: JSON.stringify(c.fields), item_id: '7' };
          }
          if (newBase) base = { ...base };
          const env = shellEnv(scope, base);
          expect({ ...env }).toEqual({ ...base, ...exportedEnv(scope) });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('hands back the same object while the base is the same, and leaves the base alone', () => {
    const scope: Scope = { variables: {}, outputs: { step_0_output: 'a' }, env: {}, workflowName: 'w' };
    const base = { PATH: '/bin' };
    const first = shellEnv(scope, base);
    scope.outputs.step_1_output = 'b';
    expect(shellEnv(scope, base)).toBe(first);
    expect(first.PRODIGY_OUTPUT_STEP_1_OUTPUT).toBe('b');
    expect(base).toEqual({ PATH: '/bin' });
  });
});
