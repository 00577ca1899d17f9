/** Pure parts of the workflow level: .env files, secret masks, the iteration/argument plan. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvironmentError, parseDotEnv } from '../../src/workflow/environment.js';
import { makeMask, maskDeep } from '../../src/workflow/mask.js';
import { expandPlan } from '../../src/workflow/plan.js';
import type { SequentialWorkflow } from '../../src/workflow/types.js';

describe('parseDotEnv', () => {
  it('reads KEY=VALUE with comments, export and quotes; refuses other lines naming file:line', () => {
    expect(parseDotEnv('# c\n\nexport A=1\nB = "two words"\nC=\'x=y\'\n', 'v.env')).toEqual({ A: '1', B: 'two words', C: 'x=y' });
    expect(() => parseDotEnv('A=1\nnot a pair\n', 'v.env')).toThrow(new EnvironmentError('v.env:2: expected KEY=VALUE'));
  });
});

describe('makeMask', () => {
  it('masks every occurrence, longest first, everywhere in a JSON value', () => {
    const mask = makeMask({ A: 'secret', B: 'secret-long' });
    expect(mask('x secret-long y secret')).toBe('x *** y ***');
    expect(maskDeep({ secret: ['a secret', 1, null], k: { v: 'secret' } }, mask)).toEqual({ '***': ['a ***', 1, null], k: { v: '***' } });
  });

  it('no secret survives masking (property)', () => {
    const secret = fc.string({ minLength: 3, maxLength: 12 }).filter((s) => !s.includes('*'));
    fc.assert(fc.property(secret, fc.array(fc.string(), { maxLength: 4 }), (s, parts) => !makeMask({ S: s })(parts.join(s)).includes(s)));
  });
});

describe('expandPlan', () => {
  const wf: SequentialWorkflow = { mode: 'standard', name: 'w', env: {}, commands: [{ kind: 'shell', text: 'a', captureFormat: 'string', commitRequired: false, line: 1 }, { kind: 'shell', text: 'b', captureFormat: 'string', commitRequired: false, line: 2 }] };
  it('is the workflow itself for one plain iteration', () => {
    expect(expandPlan(wf, {})).toBe(wf);
  });
  it('repeats per argument, then per iteration, in order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }), (n, args) => {
        const p = expandPlan(wf, { iterations: n, args });
        const rounds = (args.length || 1) * n;
        if (n === 1 && args.length === 0) return p === wf;
        return p.commands.length === rounds * 2 && p.commands.every((c, i) => c.iteration === (Math.floor(i / 2) % n) + 1 && c.arg === (args.length ? args[Math.floor(i / (2 * n))] : undefined));
      }),
    );
  });
  it('takes max_iterations from the file unless -n overrides it', () => {
    const three = { ...wf, maxIterations: 3 };
    expect(expandPlan(three, {}).commands).toHaveLength(6);
    expect(expandPlan(three, { iterations: 1 })).toBe(three);
  });
});
