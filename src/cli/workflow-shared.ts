/**
 * What `prodigy run` and `prodigy resume` share: reading and parsing the workflow file (refused before any
 * session exists), the interrupt handling (first Ctrl+C stops the step and pauses the session, a second
 * one quits at once), the plain one-line-per-step reporter, and the closing lines.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { killAllGroups } from '../exec/process.js';
import { formatDurationMs } from '../view/format.js';
import type { ExecutorReporter, ExecutorResult } from '../workflow/executor.js';
import { type ParsedWorkflow, parseWorkflow } from '../workflow/parse.js';
import { formatWarning, WorkflowParseError } from '../workflow/yaml-source.js';
import { useColor } from './context.js';
import { CliError, EXIT } from './errors.js';
import { safeLine } from '../view/safe-text.js';
import { FileTooLargeError, readTextWithin, WORKFLOW_FILE_LIMIT } from '../storage/size-limit.js';
import { firstWriteFault, onWriteFault } from '../storage/io-fault.js';

export interface LoadedWorkflow {
  /** Absolute path, as recorded in the session. */
  file: string;
  text: string;
  hash: string;
  parsed: ParsedWorkflow;
}

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Reads and parses; every problem is one line naming the file (and line:col), exit 2. */
export function loadWorkflow(file: string, shown = file): LoadedWorkflow {
  let text: string;
  try {
    text = readTextWithin(file, WORKFLOW_FILE_LIMIT, 'a workflow file', shown);
  } catch (err) {
    if (err instanceof FileTooLargeError) throw new CliError(err.message, EXIT.usage);
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${shown}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`, EXIT.usage);
  }
  let parsed: ParsedWorkflow;
  try {
    parsed = parseWorkflow(text, shown);
  } catch (err) {
    if (err instanceof WorkflowParseError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  for (const w of parsed.warnings) process.stderr.write(`${formatWarning(shown, w)}\n`);
  return { file: path.resolve(file), text, hash: sha256(text), parsed };
}

/** The path to show for a file: relative to the current directory when it is inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * A run must not die because its reader went away (`prodigy run wf | head -1`, a closed log pipe): the
 * session and its log keep the whole story, so output that cannot be written is dropped.
 */
export function surviveClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'EIO') throw err;
    });
  }
}

export interface InterruptControl {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * Where a sequential run's steps record their own completion (exec/recorded-shell.ts), unless
 * PRODIGY_STEP_RECORDS=0 turns that off (each step then costs one `sh` instead of three small
 * processes, and a step that ended just before its runner was killed runs again on resume).
 */
export function stepRecordsDir(paths: { sessionSteps(id: string): string }, sessionId: string): string | undefined {
  return process.env.PRODIGY_STEP_RECORDS === '0' ? undefined : paths.sessionSteps(sessionId);
}

/** A run stopped by a write fault: how to go on, on stdout (main.ts prints the fault's line and exits 1). */
export function faultStop(resume: string): number {
  process.stdout.write(`Stopped: the store could not be written. Once there is room, resume with: ${resume}\n`);
  return EXIT.failed;
}

export function resumeHint(sessionId: string): string {
  return `Interrupted. Resume with: prodigy resume ${sessionId}`;
}

/**
 * SIGINT/SIGTERM/SIGHUP once: abort (the executor stops the step's process group, pauses and checkpoints).
 * Twice: kill every child group and exit 130 now; the session, Running with a dead owner, stays resumable.
 */
export function installInterrupt(sessionId: string): InterruptControl {
  const ac = new AbortController();
  // A full disk stops the run as a first Ctrl+C does (agents stopped, paused if it can still be written);
  // main.ts prints the one line and exits 1.
  const offFault = onWriteFault(() => ac.abort());
  let count = 0;
  const onSignal = () => {
    count += 1;
    if (count === 1) {
      process.stderr.write('\nStopping... (Ctrl+C again to quit at once)\n');
      ac.abort();
      return;
    }
    killAllGroups('SIGKILL');
    process.stderr.write(`${resumeHint(sessionId)}\n`);
    process.exit(EXIT.interrupted);
  };
  // SIGHUP (the terminal closed) pauses too: the children live in their own sessions and would not get it.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, onSignal);
  return {
    signal: ac.signal,
    dispose: () => {
      offFault();
      for (const sig of signals) process.off(sig, onSignal);
    },
  };
}

const paint = (code: string, s: string) => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s);

/** Plain output: one line per step. On a TTY the running step shows on a line that its result replaces. */
export function plainReporter(opts: { verbose?: boolean } = {}): ExecutorReporter {
  const tty = Boolean(process.stdout.isTTY) && !opts.verbose;
  // On a TTY the running line is replaced in place, which only works while it does not wrap.
  const fit = (s: string, room: number) => (tty && s.length > room ? `${s.slice(0, Math.max(10, room - 1))}…` : s);
  const cols = () => (process.stdout.columns ?? 80) - 1;
  const label = (i: number, total: number, summary: string, extra = 0) => fit(`[${i + 1}/${total}] ${summary}`, cols() - 2 - extra);
  return {
    stepAlreadyDone: (i, total, summary) => process.stdout.write(`${paint('2', `· ${label(i, total, summary, 25)} (done before, skipped)`)}\n`),
    stepStarted: (i, total, summary) => {
      if (tty) process.stdout.write(`${paint('36', '▸')} ${label(i, total, summary, 4)} ...`);
      else if (opts.verbose) process.stdout.write(`▸ ${label(i, total, summary)}\n`);
    },
    stepFinished: (i, total, summary, outcome, ms) => {
      const mark = outcome.status === 'failed' ? paint('31', '✗') : outcome.status === 'skipped' ? paint('33', '↷') : paint('32', '✓');
      const note = outcome.status === 'skipped' ? ' skipped (when: false)' : outcome.status === 'failed' ? ` failed: ${safeLine(`${outcome.error}`)}` : '';
      const time = ` (${formatDurationMs(ms)})`;
      const head = outcome.status === 'failed' ? `[${i + 1}/${total}] ${summary}` : label(i, total, summary, note.length + time.length);
      process.stdout.write(`${tty ? '\r\x1b[2K' : ''}${mark} ${head}${note}${time}\n`);
    },
    output: opts.verbose ? (text) => process.stdout.write(text) : undefined,
  };
}

/** The closing lines and the exit code for a finished, failed or interrupted run. */
export function reportResult(sessionId: string, r: ExecutorResult, logFile: string, startedMs: number): number {
  if (firstWriteFault()) return faultStop(`prodigy resume ${sessionId}`);
  if (r.status === 'completed') {
    process.stdout.write(`Completed in ${formatDurationMs(Date.now() - startedMs)}. Session ${sessionId}\n`);
    return EXIT.ok;
  }
  if (r.status === 'interrupted') {
    process.stdout.write(`${resumeHint(sessionId)}\n`);
    return EXIT.interrupted;
  }
  const tail = r.tail.slice(-10);
  if (tail.length) process.stderr.write(`${tail.map((l) => `  | ${safeLine(l)}`).join('\n')}\n`);
  process.stderr.write(`prodigy: ${safeLine(`${r.error}`)}\n`);
  process.stdout.write(`Failed. Session ${sessionId}, log ${logFile}\n`);
  return EXIT.failed;
}
