import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captureValue, CaptureError } from '../../src/workflow/capture.js';
import { evaluateCondition, ConditionError } from '../../src/workflow/condition.js';
import { interpolate, interpolateIn, InterpolationError, type Scope, UnknownVariableError } from '../../src/workflow/interpolate.js';

const scope = (over: Partial<Scope> = {}): Scope => ({
  variables: { count: '3', data: '{"a":{"b":[1,2]},"s":"x"}' },
  outputs: { shell: 'shell out', claude: 'claude out', step_0_output: 'first', build: 'built' },
  env: { TARGET: 'release' },
  processEnv: { HOME: '/home/me' },
  workflowName: 'wf',
  ...over,
});

describe('interpolateIn', () => {
  it('resolves every kind of variable', () => {
    const s = scope();
    expect(interpolateIn('${TARGET} $TARGET ${env.TARGET} ${env.HOME} ${HOME}', s)).toBe('release release release /home/me /home/me');
    expect(interpolateIn('${shell.output}|${claude.output}|${step_0_output}|${build.output}', s)).toBe('shell out|claude out|first|built');
    expect(interpolateIn('${workflow.name} ${workflow.iteration} ${count}', s)).toBe('wf 1 3');
    expect(interpolateIn('${data.a.b} ${data.s}', s)).toBe('[1,2] x');
    expect(interpolateIn('${item.id}', scope({ extra: { item: '{"id":7}' } }))).toBe('7');
  });

  it('leaves an unknown ${name} as text (non-strict, Prodigy default) and names every one when strict', () => {
    expect(interpolateIn('echo ${nope} ${data.missing}', scope())).toBe('echo ${nope} ${data.missing}');
    expect(() => interpolateIn('echo ${nope} ${data.missing} ${nope}', scope({ strict: true }))).toThrow(new UnknownVariableError(['nope', 'data.missing']));
  });

  it('leaves shell syntax and unknown bare names alone; ${x:-d} takes its default', () => {
    expect(interpolateIn('for f in *; do echo $f $1 ${#a[@]} ${x/y/z} $HOME; done', scope({ strict: true }))).toBe('for f in *; do echo $f $1 ${#a[@]} ${x/y/z} $HOME; done');
    expect(interpolateIn('${x:-d} ${count:-9} ${nope:-} ${TARGET:-dev}', scope({ strict: true }))).toBe('d 3  release');
  });

  it('resolves last, workflow, step and item variables and array indices', () => {
    const s = scope({ workflowId: 'sess-1', iteration: 2, step: { name: 'build', index: 4 }, extra: { item: '{"files":[{"p":"a.rs"}]}', item_total: '10' } });
    s.outputs.last = 'L';
    s.outputs['last.exit_code'] = '3';
    expect(interpolateIn('${last.output} ${last.exit_code} ${workflow.id} ${workflow.iteration} ${step.name} ${step.index}', s)).toBe('L 3 sess-1 2 build 4');
    expect(interpolateIn('${item.files[0].p} ${item.files.0.p} ${data.a.b[1]} ${item_total}', s)).toBe('a.rs a.rs 2 10');
    expect(interpolateIn('${json:a.b:from:data} ${env:TARGET} ${env:HOME}', s)).toBe('[1,2] release /home/me');
  });

  it('computes uuid, date, file and cmd through the effects it is given', () => {
    const effects = {
      uuid: () => 'u-1',
      now: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      readFile: (p: string) => `<${p}>\n`,
      runCommand: (c: string) => `ran ${c}\n`,
    };
    expect(interpolateIn('${uuid} ${date:%Y-%m-%d %H:%M:%S %j %%} ${file:a/b.txt} ${cmd:echo hi}', scope(), effects)).toBe('u-1 2026-01-02 03:04:05 002 % <a/b.txt> ran echo hi');
    expect(() => interpolateIn('${uuid}', scope())).toThrow(InterpolationError);
  });

  it('applies a registered modifier and leaves an unregistered one as text', () => {
    const modifiers = { up: (v: string) => v.toUpperCase() };
    const lookup = (k: string) => (k === 'a' ? 'xy' : undefined);
    expect(interpolate('${a:up} ${a:nope} ${b:up}', lookup, { modifiers })).toBe('XY ${a:nope} ${b:up}');
    expect(() => interpolate('${b:up}', lookup, { modifiers, strict: true })).toThrow(new UnknownVariableError(['b']));
  });

  it('never throws non-strict and is the identity when nothing is known (property)', () => {
    fc.assert(fc.property(fc.string(), (t) => interpolate(t, () => undefined, { modifiers: {} }) === t));
  });

  it('a default is used exactly when the name is unknown (property)', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
    const text = fc.string().filter((t) => !/[${}]/.test(t) && t.trim() === t);
    fc.assert(
      fc.property(name, fc.option(text, { nil: undefined }), text, (n, value, dflt) => {
        const out = interpolate(`\${${n}:-${dflt}}`, (k) => (k === n ? value : undefined));
        return out === (value ?? dflt);
      }),
    );
  });

  it('is the identity on text without $ (property)', () => {
    fc.assert(fc.property(fc.string().filter((t) => !t.includes('$')), (t) => interpolateIn(t, scope()) === t));
  });

  it('substitutes any known value verbatim, even one containing $ or braces (property)', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
    fc.assert(
      fc.property(name, fc.string(), fc.string().filter((t) => !t.includes('$')), (n, value, around) => {
        const out = interpolate(`${around}\${${n}}${around}`, (k) => (k === n ? value : undefined));
        return out === `${around}${value}${around}`;
      }),
    );
  });

  it('never leaves a resolvable braced name behind (property)', () => {
    const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(names, (ns) => {
        const vars = Object.fromEntries(ns.map((n) => [n, `<${n}>`]));
        const out = interpolate(ns.map((n) => `\${${n}}`).join(' '), (k) => vars[k]);
        return out === ns.map((n) => `<${n}>`).join(' ');
      }),
    );
  });
});

describe('captureValue', () => {
  it('converts by format', () => {
    expect(captureValue('hello\n\n', 0, 'string')).toBe('hello');
    expect(captureValue(' 42\n', 0, 'number')).toBe('42');
    expect(captureValue('{ "a": 1 }\n', 0, 'json')).toBe('{"a":1}');
    expect(captureValue('a\n\nb\n', 0, 'lines')).toBe('["a","b"]');
    expect(captureValue('TRUE\n', 0, 'boolean')).toBe('true');
    expect(captureValue('whatever', 0, 'boolean')).toBe('true');
    expect(captureValue('whatever', 1, 'boolean')).toBe('false');
  });

  it('refuses output that does not fit the format', () => {
    expect(() => captureValue('abc', 0, 'number')).toThrow(CaptureError);
    expect(() => captureValue('', 0, 'number')).toThrow(CaptureError);
    expect(() => captureValue('{', 0, 'json')).toThrow(CaptureError);
  });

  it('round-trips lines (property)', () => {
    const line = fc.string().filter((s) => s.trim() === s && s.length > 0 && !/[\n\r]/.test(s));
    fc.assert(fc.property(fc.array(line), (ls) => JSON.stringify(ls) === captureValue(ls.join('\n'), 0, 'lines')));
  });
});

describe('evaluateCondition', () => {
  it('compares numbers numerically and strings as text', () => {
    expect(evaluateCondition('3 > 1')).toBe(true);
    expect(evaluateCondition('10 > 9')).toBe(true);
    expect(evaluateCondition('abc == abc')).toBe(true);
    expect(evaluateCondition("'a b' != 'a b'")).toBe(false);
    expect(evaluateCondition('2 >= 2 && (1 < 0 || true)')).toBe(true);
    expect(evaluateCondition('!false')).toBe(true);
    expect(evaluateCondition('0')).toBe(false);
    expect(evaluateCondition('yes')).toBe(true);
  });

  it('refuses what it cannot read', () => {
    expect(() => evaluateCondition('')).toThrow(ConditionError);
    expect(() => evaluateCondition('(1 > 0')).toThrow(/Unclosed \(/);
    expect(() => evaluateCondition('1 > > 0')).toThrow(ConditionError);
    expect(() => evaluateCondition("'open")).toThrow(/Unclosed quote/);
  });

  it('agrees with JavaScript on numeric comparisons (property)', () => {
    const ops = ['==', '!=', '<', '<=', '>', '>='] as const;
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(...ops), fc.integer({ min: -1000, max: 1000 }), (a, op, b) => {
        const js = { '==': a === b, '!=': a !== b, '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[op];
        return evaluateCondition(`${a} ${op} ${b}`) === js;
      }),
    );
  });
});

describe('evaluateCondition (boolean logic)', () => {
  it('agrees with JavaScript on && || ! and parentheses (property)', () => {
    type E = boolean | { op: '&&' | '||'; l: E; r: E } | { not: E };
    const expr: fc.Arbitrary<E> = fc.letrec<{ e: E }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.boolean(),
        fc.record({ op: fc.constantFrom('&&' as const, '||' as const), l: tie('e'), r: tie('e') }),
        fc.record({ not: tie('e') }),
      ),
    })).e;
    const text = (e: E): string => (typeof e === 'boolean' ? String(e) : 'not' in e ? `!(${text(e.not)})` : `(${text(e.l)} ${e.op} ${text(e.r)})`);
    const value = (e: E): boolean => (typeof e === 'boolean' ? e : 'not' in e ? !value(e.not) : e.op === '&&' ? value(e.l) && value(e.r) : value(e.l) || value(e.r));
    fc.assert(fc.property(expr, (e) => evaluateCondition(text(e)) === value(e)));
  });
});
