import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claudeArgs, claudeBin, claudeOutput, claudeStreaming, humanizeClaudeChunk } from '../../src/exec/claude.js';
import { failureReason } from '../../src/exec/command.js';
import { liveTail, stripControl, TailBuffer } from '../../src/exec/output-tail.js';
import type { ProcessResult } from '../../src/exec/process.js';
import { restoredScope } from '../../src/workflow/executor.js';
import type { SessionState, StepResult } from '../../src/session/cook-state.js';

describe('TailBuffer', () => {
  it('keeps the last lines, joining chunks split mid-line', () => {
    const t = new TailBuffer(3);
    t.push('one\ntw');
    expect(t.snapshot()).toEqual(['one', 'tw']);
    t.push('o\nthree\nfour\nfi');
    expect(t.snapshot()).toEqual(['three', 'four', 'fi']);
    t.clear();
    expect(t.snapshot()).toEqual([]);
  });

  it('equals the last N lines of the whole text, however it is chunked (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z\n]{0,12}$/)), fc.integer({ min: 1, max: 6 }), (chunks, max) => {
        const t = new TailBuffer(max);
        for (const c of chunks) t.push(c);
        const all = chunks.join('').split('\n');
        if (all.at(-1) === '') all.pop();
        return JSON.stringify(t.snapshot()) === JSON.stringify(all.slice(-max));
      }),
    );
  });

  it('strips terminal escapes and keeps the last carriage-return frame', () => {
    expect(stripControl('\x1b[32mok\x1b[0m')).toBe('ok');
    expect(stripControl('10%\r50%\r100%')).toBe('100%');
    expect(stripControl('a\x07b')).toBe('ab');
  });
});

describe('liveTail', () => {
  it("appends a running command's streams, each ending its own line, to the finished lines", () => {
    expect(liveTail(['a', 'b'], ['out 1\nout 2', 'err\n'], 4)).toEqual(['b', 'out 1', 'out 2', 'err']);
    expect(liveTail(['a'], ['', ''], 3)).toEqual(['a']);
    expect(liveTail([], ['x\x1b[31my\n'], 3)).toEqual(['xy']);
  });
});

describe('claude invocation', () => {
  it('calls Claude the way Prodigy does', () => {
    expect(claudeArgs('/review x', false)).toEqual(['--print', '--dangerously-skip-permissions', '/review x']);
    expect(claudeArgs('/review x', true)).toEqual(['--print', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions', '/review x']);
    expect(claudeBin({})).toBe('claude');
    expect(claudeBin({ PRODIGY_CLAUDE_BIN: '/x/c' })).toBe('/x/c');
    expect(claudeStreaming({})).toBe(true);
    expect(claudeStreaming({ PRODIGY_CLAUDE_STREAMING: 'false' })).toBe(false);
  });

  it('takes the final result event as the output when streaming', () => {
    const stream = ['{"type":"system"}', '{"type":"assistant","message":{"content":[{"type":"text","text":"hi"},{"type":"tool_use","name":"Edit"}]}}', '{"type":"result","result":"done it"}'].join('\n');
    expect(claudeOutput(stream, true)).toBe('done it');
    expect(claudeOutput('plain', false)).toBe('plain');
    expect(claudeOutput('not json', true)).toBe('not json');
    expect(humanizeClaudeChunk('{"type":"assistant","message":{"content":[{"type":"text","text":"hi"},{"type":"tool_use","name":"Edit"}]}}')).toBe('hi [tool: Edit]');
    expect(humanizeClaudeChunk('{"type":"system"}')).toBeNull();
    expect(humanizeClaudeChunk('raw line')).toBe('raw line');
  });
});

describe('failureReason', () => {
  const base: ProcessResult = { exitCode: 0, signal: null, stdout: '', output: '', timedOut: false, aborted: false, pid: 1 };
  it('says why in one line', () => {
    expect(failureReason(base)).toBeNull();
    expect(failureReason({ ...base, exitCode: 2 })).toBe('exited with code 2');
    expect(failureReason({ ...base, exitCode: null, signal: 'SIGKILL' })).toBe('killed by SIGKILL');
    expect(failureReason({ ...base, exitCode: null, signal: 'SIGTERM', timedOut: true }, 5)).toBe('timed out after 5s (process group killed)');
    expect(failureReason({ ...base, exitCode: null, aborted: true })).toBe('interrupted');
  });
});

describe('restoredScope', () => {
  it('brings back variables, outputs and step_<i>_output from a checkpointed state', () => {
    const result = (i: number, output: string, success = true): StepResult => ({
      step_index: i, command: 'x', success, output, duration: { secs: 0, nanos: 0 }, error: null,
      started_at: '', completed_at: '', exit_code: 0,
    });
    const state = {
      workflow_state: { completed_steps: [result(0, 'zero'), result(1, 'one'), result(2, 'bad', false)] },
      execution_context: { variables: { v: '1' }, step_outputs: { shell: 'one', step_1_output: 'one' }, environment: {} },
    } as unknown as SessionState;
    const scope = restoredScope({ mode: 'standard', name: 'w', env: { E: 'e' }, commands: [] }, state, {});
    expect(scope.variables).toEqual({ v: '1' });
    expect(scope.outputs).toEqual({ shell: 'one', step_0_output: 'zero', step_1_output: 'one' });
    expect(scope.env).toEqual({ E: 'e' });
    expect(scope.workflowName).toBe('w');
  });
});
