/** Exit codes and the one-line error every command prints on failure. */
import { SessionLockedError } from '../storage/lock.js';
import { safeLine } from '../view/safe-text.js';
import { CorruptFileError } from '../storage/store-file.js';
import { InvalidTransitionError } from '../session/lifecycle.js';
import { JobNotFoundError } from '../mapreduce/locate.js';
import { AmbiguousIdError, SessionNotFoundError } from '../session/manager.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** An error meant for the user: its message is the whole story, printed on one line. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof SessionNotFoundError || err instanceof AmbiguousIdError || err instanceof JobNotFoundError) return EXIT.usage;
  return EXIT.failed;
}

export function messageOf(err: unknown): string {
  if (err instanceof CorruptFileError) return `${err.file}: ${err.reason} (file left unchanged)`;
  if (err instanceof SessionLockedError || err instanceof InvalidTransitionError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function reportError(err: unknown): number {
  process.stderr.write(`prodigy: ${safeLine(messageOf(err).split('\n')[0] ?? '')}\n`);
  return exitCodeOf(err);
}

/** A file a listing skipped: one line, path and reason made safe to print (a file name is stored text). */
export function problemLine(p: { file: string; reason: string }): string {
  return `prodigy: skipped ${safeLine(p.file)}: ${safeLine(p.reason)} (file left unchanged)`;
}

/** Writes each skipped file's line to stderr. */
export function warnProblems(problems: readonly { file: string; reason: string }[]): void {
  for (const p of problems) process.stderr.write(`${problemLine(p)}\n`);
}
