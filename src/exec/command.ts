/**
 * One `shell:` or `claude:` command, run to completion. Shell steps are `sh -c <text>`; claude steps run
 * the executable named by PRODIGY_CLAUDE_BIN (default `claude`) the way Prodigy calls Claude Code.
 */
import { type ProcessResult, runProcess, type ShellLauncher, spawnShell } from './process.js';
import { claudeArgs, claudeBin, claudeOutput, claudeStreaming, ensureClaude, humanizeClaudeChunk } from './claude.js';
import { type Mask, streamMask } from '../workflow/mask.js';

export interface CommandSpec {
  kind: 'shell' | 'claude';
  /** The command text, already interpolated. */
  text: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutSec?: number;
  signal?: AbortSignal;
  /** Human-readable output as it arrives (claude's JSON stream is turned into text first), masked with `mask`. */
  onOutput?: (text: string) => void;
  /** The run's secrets: what `onOutput` gets is masked as a stream (a secret split across reads too). */
  mask?: Mask;
  onSpawn?: (pid: number) => void;
  /** Shell commands only: variables for this command (env-export.ts). */
  exports?: Readonly<Record<string, string>>;
  /** Runs `shell` commands (default: fork `sh -c` from this process); `claude` commands ignore it. */
  launcher?: ShellLauncher;
}

export interface CommandResult {
  success: boolean;
  exitCode: number | null;
  /** What variables see: stdout for shell, the final answer for claude. */
  output: string;
  /** stdout and stderr as they came, for the log and failure reports. */
  transcript: string;
  /** stderr alone (for `capture_streams`); '' where the launcher does not tell the streams apart. */
  stderr?: string;
  timedOut: boolean;
  aborted: boolean;
  /** One line saying why it failed, when it did. */
  error: string | null;
}

/** Pure: the one-line reason a finished process counts as failed, or null. */
export function failureReason(r: ProcessResult, timeoutSec?: number): string | null {
  if (r.aborted) return 'interrupted';
  if (r.timedOut) return `timed out after ${timeoutSec}s (process group killed)`;
  if (r.spawnError) return `could not start: ${r.spawnError.message}`;
  if (r.exitCode === 0) return null;
  if (r.exitCode !== null) return `exited with code ${r.exitCode}`;
  return `killed by ${r.signal ?? 'a signal'}`;
}

function resultOf(r: ProcessResult, output: string, timeoutSec?: number): CommandResult {
  const error = failureReason(r, timeoutSec);
  return { success: error === null, exitCode: r.exitCode, output, transcript: r.output, timedOut: r.timedOut, aborted: r.aborted, error };
}

/**
 * `onOutput` behind one stream mask per stream (stdout and stderr are masked apart: a secret's halves
 * come on one pipe). `end` gives back what each held: called once the process is over, killed or not.
 */
function maskedOutput(spec: CommandSpec): { emit: (text: string, stream: 'stdout' | 'stderr') => void; end: () => void } {
  const on = spec.onOutput;
  if (!on || !spec.mask) return { emit: (t) => on?.(t), end: () => undefined };
  const masks = { stdout: streamMask(spec.mask), stderr: streamMask(spec.mask) };
  const put = (t: string) => {
    if (t) on(t);
  };
  return {
    emit: (t, stream) => put(masks[stream].push(t)),
    end: () => {
      put(masks.stdout.flush());
      put(masks.stderr.flush());
    },
  };
}

export async function runCommand(spec: CommandSpec): Promise<CommandResult> {
  const out = maskedOutput(spec);
  try {
    return await runMasked(spec, out.emit);
  } finally {
    out.end();
  }
}

async function runMasked(spec: CommandSpec, emit: (text: string, stream: 'stdout' | 'stderr') => void): Promise<CommandResult> {
  const base = {
    cwd: spec.cwd,
    env: spec.env,
    timeoutMs: spec.timeoutSec !== undefined ? spec.timeoutSec * 1000 : undefined,
    signal: spec.signal,
    onSpawn: spec.onSpawn,
  };
  if (spec.kind === 'shell') {
    let stderr = '';
    const r = await (spec.launcher ?? spawnShell)({
      ...base,
      script: spec.text,
      exports: spec.exports,
      onOutput: (t, stream) => {
        if (stream === 'stderr') stderr += t;
        emit(t, stream);
      },
    });
    return { ...resultOf(r, r.stdout, spec.timeoutSec), stderr };
  }
  const bin = claudeBin(spec.env);
  const missing = await ensureClaude(bin, spec.env);
  if (missing) {
    return { success: false, exitCode: null, output: '', transcript: '', timedOut: false, aborted: false, error: missing };
  }
  const streaming = claudeStreaming(spec.env);
  let partial = '';
  const r = await runProcess({
    ...base,
    command: bin,
    args: claudeArgs(spec.text, streaming),
    env: { ...spec.env, PRODIGY_AUTOMATION: 'true' },
    onOutput: (t, stream) => {
      if (!streaming || stream === 'stderr') return emit(t, stream);
      // Whole JSON lines only: a chunk may end mid-line.
      const lines = (partial + t).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        const h = humanizeClaudeChunk(l);
        if (h) emit(`${h}\n`, 'stdout');
      }
    },
  });
  return resultOf(r, claudeOutput(r.stdout, streaming), spec.timeoutSec);
}
