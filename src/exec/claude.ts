/**
 * How Prodigy calls Claude Code (shared/reference/workflow-syntax.md, "Claude steps"): the step text is
 * the prompt, run non-interactively with `--print --dangerously-skip-permissions`, streaming JSON events
 * unless PRODIGY_CLAUDE_STREAMING=false. `claude --version` is checked once before the first use, so a
 * missing executable fails the step with a clear line instead of a bare ENOENT.
 */
import { spawn } from 'node:child_process';

export function claudeBin(env: NodeJS.ProcessEnv = process.env): string {
  return env.PRODIGY_CLAUDE_BIN && env.PRODIGY_CLAUDE_BIN.length > 0 ? env.PRODIGY_CLAUDE_BIN : 'claude';
}

export function claudeStreaming(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.PRODIGY_CLAUDE_STREAMING !== 'false';
}

export function claudeArgs(prompt: string, streaming: boolean): string[] {
  return streaming
    ? ['--print', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions', prompt]
    : ['--print', '--dangerously-skip-permissions', prompt];
}

type Event = { type?: string; subtype?: string; result?: unknown; message?: { content?: Array<{ type?: string; text?: string; name?: string }> } };

function parseEvent(line: string): Event | null {
  try {
    const v = JSON.parse(line) as unknown;
    return v && typeof v === 'object' ? (v as Event) : null;
  } catch {
    return null;
  }
}

/** Pure: the step's output: stdout, or (streaming) the final `result` event's text. */
export function claudeOutput(stdout: string, streaming: boolean): string {
  if (!streaming) return stdout;
  let result: string | null = null;
  for (const line of stdout.split('\n')) {
    const e = parseEvent(line.trim());
    if (e?.type === 'result' && typeof e.result === 'string') result = e.result;
  }
  return result ?? stdout;
}

/** Pure: one JSON event line as a human line for the log and the live tail (null: nothing to show). */
export function humanizeClaudeChunk(line: string): string | null {
  const trimmed = line.trim();
  if (!trimmed) return null;
  const e = parseEvent(trimmed);
  if (!e) return trimmed;
  if (e.type === 'assistant') {
    const parts = (e.message?.content ?? []).map((c) => (c.type === 'text' ? c.text : c.type === 'tool_use' ? `[tool: ${c.name}]` : null)).filter(Boolean);
    return parts.length ? parts.join(' ') : null;
  }
  if (e.type === 'result') return typeof e.result === 'string' ? e.result : `[result: ${e.subtype ?? 'done'}]`;
  return null;
}

const checked = new Map<string, Promise<string | null>>();

/** Resolves null when `<bin> --version` runs, or the one line that says why Claude cannot be used. */
export function ensureClaude(bin: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  let p = checked.get(bin);
  if (!p) {
    p = new Promise((resolve) => {
      const child = spawn(bin, ['--version'], { env, stdio: 'ignore' });
      child.once('error', (err: NodeJS.ErrnoException) =>
        resolve(
          err.code === 'ENOENT'
            ? `claude executable "${bin}" not found (install Claude Code or set PRODIGY_CLAUDE_BIN)`
            : `claude executable "${bin}" cannot be run: ${err.message}`,
        ),
      );
      child.once('exit', (code) => resolve(code === 0 ? null : `"${bin} --version" failed (exit ${code}): is Claude Code installed correctly?`));
    });
    checked.set(bin, p);
  }
  return p;
}
