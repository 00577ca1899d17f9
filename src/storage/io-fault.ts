/**
 * Disk full and other I/O faults of the store, as one error type. ENOSPC, EDQUOT and EIO from any write
 * under $PRODIGY_HOME (atomic writes, lowdb snapshots, JSON-lines appends, logs, locks) become a
 * `StoreWriteError` naming the file, which the CLI prints as one line (`prodigy: disk full writing
 * <path>`) with exit 1, never a stack trace.
 *
 * The first fault of a process is also latched and announced: a write that fails inside a timer, a
 * stream handler or an exit path has no caller to throw to, so the run learns of it through
 * `onWriteFault` (the CLI's interrupt control aborts the run as a Ctrl+C would: agents stopped, the
 * session paused if it can still be written) and `firstWriteFault` decides the exit code and the line.
 */
import fs from 'node:fs';

const KIND: Record<string, string> = { ENOSPC: 'disk full', EDQUOT: 'disk full', EIO: 'I/O error' };

export class StoreWriteError extends Error {
  constructor(
    readonly file: string,
    readonly code: string,
  ) {
    super(`${KIND[code] ?? 'I/O error'} writing ${file}`);
    this.name = 'StoreWriteError';
  }
}

export function isIoFault(err: unknown): boolean {
  return err instanceof StoreWriteError || (typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code! in KIND);
}

let first: StoreWriteError | null = null;
const listeners = new Set<(e: StoreWriteError) => void>();

/** `err` as a StoreWriteError when it is an I/O fault (latched and announced once); else `err` itself. */
export function writeFault(err: unknown, file: string): unknown {
  if (!isIoFault(err)) return err;
  const e = err instanceof StoreWriteError ? err : new StoreWriteError(file, (err as NodeJS.ErrnoException).code!);
  if (first === null) {
    first = e;
    for (const fn of [...listeners]) fn(e);
  }
  return e;
}

/** The first write fault of this process, if any. */
export function firstWriteFault(): StoreWriteError | null {
  return first;
}

/** Called once, at the first fault. Returns the unsubscribe. */
export function onWriteFault(fn: (e: StoreWriteError) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Runs a synchronous write of `file`; an I/O fault is thrown as a StoreWriteError. */
export function guardWriteSync<T>(file: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    throw writeFault(err, file);
  }
}

/** The same for an asynchronous write. */
export async function guardWrite<T>(file: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw writeFault(err, file);
  }
}

/**
 * Appends all of `text` at the end of an O_APPEND descriptor (write(2) may write less than asked when
 * the disk fills). On a fault the file is cut back to where it was, so no torn line is left for the next
 * append to glue onto, and a StoreWriteError is thrown.
 */
export function appendAllSync(fd: number, file: string, text: string): void {
  const buf = Buffer.from(text);
  let done = 0;
  try {
    while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done);
  } catch (err) {
    if (done > 0) {
      try {
        // What this call wrote is the last `done` bytes (one writer per file; no fstat on the hot path).
        fs.ftruncateSync(fd, fs.fstatSync(fd).size - done);
      } catch {
        /* the line stays torn: readers ignore a torn last line, the owner's next open cuts it */
      }
    }
    throw writeFault(err, file);
  }
}

/**
 * A log line that must never stop a run by throwing (output handlers, item logs): true when written;
 * on an I/O fault it is latched (the run stops through onWriteFault) and false is returned. Other
 * errors are thrown.
 */
export function appendLogSync(fd: number, file: string, text: string): boolean {
  try {
    appendAllSync(fd, file, text);
    return true;
  } catch (err) {
    if (err instanceof StoreWriteError) return false;
    throw err;
  }
}
