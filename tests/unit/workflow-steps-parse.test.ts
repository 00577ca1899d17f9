/** Parsing Prodigy's step kinds and step fields: every form, its defaults, and refusals with positions. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf, std } from '../helpers/parse-workflow.js';
import { parseDurationMs } from '../../src/workflow/durations.js';
import { baseDelayMs, retryDelayMs, shouldRetry } from '../../src/workflow/retry.js';
import type { RetrySpec, WorkflowCommand } from '../../src/workflow/types.js';

const parsed = (text: string) => std(text);
const first = (text: string): WorkflowCommand => parsed(text).workflow.commands[0]!;

describe('on_failure forms and their defaults', () => {
  it('bool: false fails the workflow, true ignores the failure; neither has handler commands', () => {
    expect(first('- shell: x\n  on_failure: false\n').onFailure).toMatchObject({ commands: [], failWorkflow: true });
    expect(first('- shell: x\n  on_failure: true\n').onFailure).toMatchObject({ commands: [], failWorkflow: false });
  });

  it('string: a leading / is claude, else shell; a handler means the workflow does not fail', () => {
    expect(first('- shell: x\n  on_failure: "/fix-it now"\n').onFailure).toMatchObject({ commands: [{ kind: 'claude', text: '/fix-it now' }], failWorkflow: false, maxAttempts: 1 });
    expect(first('- shell: x\n  on_failure: "make clean"\n').onFailure!.commands[0]).toMatchObject({ kind: 'shell', text: 'make clean' });
  });

  it('list of strings and of steps', () => {
    const h = first('- shell: x\n  on_failure:\n    - "echo a"\n    - claude: /b\n').onFailure!;
    expect(h.commands.map((c) => [c.kind, c.text])).toEqual([['shell', 'echo a'], ['claude', '/b']]);
    expect(h.failWorkflow).toBe(false);
  });

  it('{commands, strategy, fail_workflow, handler_failure_fatal, timeout} with continue_on_error per command', () => {
    const h = first(`- shell: x
  on_failure:
    strategy: recovery
    timeout: 30
    handler_failure_fatal: true
    fail_workflow: true
    commands:
      - shell: "a"
        continue_on_error: true
      - claude: /b
`).onFailure!;
    expect(h).toMatchObject({ strategy: 'recovery', timeout: 30, handlerFailureFatal: true, failWorkflow: true, continueOnError: [true, false] });
    expect(h.commands.map((c) => c.text)).toEqual(['a', '/b']);
  });

  it('{shell|claude, max_attempts|max_retries, fail_workflow}: retry_original follows max_attempts > 1', () => {
    expect(first('- shell: x\n  on_failure:\n    claude: /fix\n    max_retries: 3\n').onFailure).toMatchObject({ maxAttempts: 3, retryOriginal: true, failWorkflow: false });
    expect(first('- shell: x\n  on_failure:\n    fail_workflow: true\n').onFailure).toMatchObject({ commands: [], failWorkflow: true });
  });

  it('a nested step with its own on_failure', () => {
    const h = first('- shell: x\n  on_failure:\n    shell: y\n    on_failure:\n      shell: z\n').onFailure!;
    expect(h.commands[0]!.onFailure!.commands[0]!.text).toBe('z');
  });

  it('refuses a bad strategy and wrong types at their position', () => {
    expect(errorOf('- shell: x\n  on_failure:\n    strategy: panic\n    shell: y\n')).toBe('wf.yml:3:15: on_failure.strategy must be one of recovery, fallback, cleanup, custom, not "panic"');
    expect(errorOf('- shell: x\n  on_failure:\n    shell: y\n    max_attempts: -1\n')).toBe('wf.yml:4:19: max_attempts must be a positive whole number');
  });
});

describe('retry', () => {
  it('defaults as Prodigy: 3 attempts, exponential base 2, 1s..30s, no jitter, every failure', () => {
    expect(first('- shell: x\n  retry: {}\n').retry).toEqual({ attempts: 3, backoff: { kind: 'exponential', base: 2 }, initialDelayMs: 1000, maxDelayMs: 30_000, jitter: false, jitterFactor: 0.3, retryOn: [], onFailure: 'stop' });
  });

  it('reads every backoff form, humantime delays and retry_on', () => {
    const r = first(`- shell: x
  retry:
    attempts: 5
    backoff: {linear: {increment: "500ms"}}
    initial_delay: "2s"
    max_delay: "1m"
    jitter: true
    retry_on: [network, {pattern: "flaky"}]
    on_failure: continue
`).retry!;
    expect(r).toMatchObject({ attempts: 5, backoff: { kind: 'linear', incrementMs: 500 }, initialDelayMs: 2000, maxDelayMs: 60_000, jitter: true, retryOn: ['network', { pattern: 'flaky' }], onFailure: 'continue' });
    expect(first('- shell: x\n  retry: {backoff: fibonacci}\n').retry!.backoff).toEqual({ kind: 'fibonacci' });
    expect(first('- shell: x\n  retry: {backoff: {exponential: {base: 3}}}\n').retry!.backoff).toEqual({ kind: 'exponential', base: 3 });
    expect(first('- shell: x\n  retry: {backoff: {custom: {delays: ["1s", "5s"]}}}\n').retry!.backoff).toEqual({ kind: 'custom', delaysMs: [1000, 5000] });
    expect(first('- shell: x\n  retry: {backoff: fixed}\n').retry!.backoff).toEqual({ kind: 'fixed' });
  });

  it('refuses bad values at their position', () => {
    expect(errorOf('- shell: x\n  retry:\n    initial_delay: soon\n')).toBe('wf.yml:3:20: retry.initial_delay must be a duration such as "1s", "500ms" or "2m"');
    expect(errorOf('- shell: x\n  retry:\n    retry_on: [weather]\n')).toMatch(/^wf\.yml:3:16: retry\.retry_on must be one of/);
    expect(errorOf('- shell: x\n  retry:\n    backoff: quadratic\n')).toMatch(/^wf\.yml:3:14: retry\.backoff must be/);
  });

  const spec = (over: Partial<RetrySpec>): RetrySpec => ({ attempts: 5, backoff: { kind: 'fixed' }, initialDelayMs: 100, maxDelayMs: 10_000, jitter: false, jitterFactor: 0.3, retryOn: [], onFailure: 'stop', ...over });
  it('delays per backoff kind', () => {
    const at = (s: RetrySpec) => [1, 2, 3, 4, 5].map((n) => baseDelayMs(s, n));
    expect(at(spec({}))).toEqual([100, 100, 100, 100, 100]);
    expect(at(spec({ backoff: { kind: 'linear', incrementMs: 50 } }))).toEqual([100, 150, 200, 250, 300]);
    expect(at(spec({ backoff: { kind: 'exponential', base: 2 } }))).toEqual([100, 200, 400, 800, 1600]);
    expect(at(spec({ backoff: { kind: 'fibonacci' } }))).toEqual([100, 100, 200, 300, 500]);
    expect(at(spec({ backoff: { kind: 'custom', delaysMs: [1, 2] } }))).toEqual([1, 2, 2, 2, 2]);
    expect(baseDelayMs(spec({ backoff: { kind: 'exponential', base: 10 }, maxDelayMs: 5000 }), 5)).toBe(5000);
  });

  it('a delay never exceeds max_delay and jitter stays within its factor (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 60_000 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (n, init, max, rnd) => {
        const s = spec({ backoff: { kind: 'exponential', base: 2 }, initialDelayMs: init, maxDelayMs: Math.max(max, init), jitter: true });
        const d = retryDelayMs(s, n, () => rnd);
        const b = baseDelayMs(s, n);
        return d <= s.maxDelayMs && d >= Math.floor(b * 0.7) - 1;
      }),
    );
  });

  it('retry_on classes match their failures', () => {
    expect(shouldRetry([], { timedOut: false, transcript: '' })).toBe(true);
    expect(shouldRetry(['timeout'], { timedOut: true, transcript: '' })).toBe(true);
    expect(shouldRetry(['network'], { timedOut: false, transcript: 'curl: (7) Connection refused' })).toBe(true);
    expect(shouldRetry(['rate_limit'], { timedOut: false, transcript: 'HTTP 429 Too Many Requests' })).toBe(true);
    expect(shouldRetry(['server_error'], { timedOut: false, transcript: 'got 503' })).toBe(true);
    expect(shouldRetry(['network', { pattern: '^flaky' }], { timedOut: false, transcript: 'syntax error' })).toBe(false);
  });

  it('parses humantime durations', () => {
    expect([parseDurationMs('1s'), parseDurationMs('500ms'), parseDurationMs('1m 30s'), parseDurationMs('2h'), parseDurationMs(3), parseDurationMs('4')]).toEqual([1000, 500, 90_000, 7_200_000, 3000, 4000]);
    expect([parseDurationMs('soon'), parseDurationMs(''), parseDurationMs('1 fortnight')]).toEqual([null, null, null]);
  });
});

describe('step kinds', () => {
  it('write_file with defaults and every field', () => {
    expect(first('- write_file: {path: a.txt, content: hi}\n').writeFile).toEqual({ path: 'a.txt', content: 'hi', format: 'text', mode: 0o644, createDirs: false });
    expect(first('- write_file: {path: d/a.json, content: "{}", format: json, mode: "0600", create_dirs: true}\n').writeFile).toEqual({ path: 'd/a.json', content: '{}', format: 'json', mode: 0o600, createDirs: true });
    expect(errorOf('- write_file: {path: a, content: b, format: xml}\n')).toMatch(/^wf\.yml:1:45: write_file\.format must be text, json or yaml/);
    expect(errorOf('- write_file: {content: b}\n')).toBe('wf.yml:1:15: write_file needs path:');
  });

  it('foreach: nested (code), items: (docs) and flat forms; parallel bool|N', () => {
    const nested = first('- foreach:\n    foreach: [a, b]\n    do:\n      - shell: "echo ${item}"\n    parallel: 3\n    continue_on_error: true\n    max_items: 1\n').foreach!;
    expect(nested).toMatchObject({ items: { list: ['a', 'b'] }, parallel: 3, continueOnError: true, maxItems: 1 });
    expect(first('- foreach:\n    items: "ls *.md"\n    do: [{shell: x}]\n    parallel: true\n').foreach).toMatchObject({ items: { command: 'ls *.md' }, parallel: 4 });
    expect(first('- foreach: [x, y]\n  do:\n    - shell: "echo ${item}"\n  parallel: false\n').foreach).toMatchObject({ items: { list: ['x', 'y'] }, parallel: 1 });
    expect(errorOf('- foreach: [x]\n')).toBe('wf.yml:1:12: foreach needs do: [steps]');
    expect(errorOf('- foreach: [x]\n  do: [{shell: a}]\n  parallel: many\n')).toBe('wf.yml:3:13: foreach.parallel must be a positive whole number');
  });

  it('validate: a step and a field, with on_incomplete defaults (max_attempts 2, fail_workflow true)', () => {
    const step = first('- validate:\n    shell: "./check.sh"\n    result_file: r.json\n    on_incomplete:\n      claude: "/fix ${validation.gaps}"\n');
    expect(step.kind).toBe('validate');
    expect(step.validate).toMatchObject({ threshold: 100, resultFile: 'r.json', onIncomplete: { maxAttempts: 2, failWorkflow: true, commitRequired: false } });
    const field = first('- claude: /implement\n  validate:\n    claude: /check\n    threshold: 80\n');
    expect(field.kind).toBe('claude');
    expect(field.validate).toMatchObject({ threshold: 80, commands: [{ kind: 'claude', text: '/check' }] });
    expect(errorOf('- validate:\n    shell: x\n    threshold: -5\n')).toBe('wf.yml:3:16: validate.threshold must be a number from 0 to 100');
  });

  it('analyze is accepted with one warning; test: becomes shell with a deprecation warning', () => {
    const a = parsed('- analyze: {force_refresh: true}\n');
    expect(a.workflow.commands[0]!.kind).toBe('analyze');
    expect(a.warnings).toEqual([{ line: 1, col: 3, message: expect.stringMatching(/^key "analyze" is ignored: the step is accepted and does nothing here/) }]);
    const t = parsed('- test:\n    command: "cargo test"\n    on_failure:\n      claude: "/fix"\n');
    expect(t.workflow.commands[0]).toMatchObject({ kind: 'shell', text: 'cargo test', onFailure: { commands: [{ kind: 'claude' }] } });
    expect(t.warnings[0]!.message).toMatch(/^key "test" is deprecated/);
  });
});

describe('other step fields', () => {
  it('on_exit_code, env, working_dir, clear_env, temporary, capture_streams, outputs, dotted capture', () => {
    const c = first(`- shell: x
  id: gen
  on_exit_code:
    2: "echo two"
    3: {claude: /three}
  env: {A: "1"}
  working_dir: sub
  clear_env: true
  temporary: true
  capture: shell.result
  capture_streams: {stdout: true, stderr: "true", exit_code: true, duration: true}
  outputs:
    docs: {file_pattern: "*.md"}
`);
    expect(c.onExitCode![2]).toMatchObject({ kind: 'shell', text: 'echo two' });
    expect(c.onExitCode![3]).toMatchObject({ kind: 'claude' });
    expect(c).toMatchObject({ env: { A: '1' }, workingDir: 'sub', clearEnv: true, capture: 'shell.result', outputs: { docs: '*.md' } });
    expect(c.captureStreams).toEqual({ stdout: true, stderr: true, exitCode: true, success: true, duration: true });
    expect(errorOf('- shell: x\n  on_exit_code: {abc: "y"}\n')).toBe('wf.yml:2:18: on_exit_code keys must be exit codes (0-255)');
    expect(errorOf('- shell: x\n  outputs: {docs: {file_pattern: "*.md"}}\n')).toMatch(/^wf\.yml:1:3: outputs: needs id:/);
  });
});
