/**
 * Reading many store files without running out of file handles: a listing reads one file at a time
 * (synchronously, in batches between yields: `readListedFile`), so it never meets EMFILE at any store
 * size under any `ulimit -n`, and a read that fails for a transient reason (EMFILE/ENFILE from other
 * open files, EAGAIN, EBUSY, EINTR) is retried with a short backoff before it counts as a failure.
 */
import { readRegularFile, readRegularFileSync } from './store-file.js';

const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR']);

export function isTransient(err: unknown): boolean {
  return TRANSIENT.has((err as NodeJS.ErrnoException)?.code ?? '');
}

/** A file's text, retried on transient errors (`attempts` tries, backoff 5, 10, 20 ... ms). */
export async function readFileRetrying(file: string, attempts = 6): Promise<string> {
  for (let i = 1; ; i++) {
    try {
      return await readRegularFile(file);
    } catch (err) {
      if (!isTransient(err) || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 5 * 2 ** (i - 1)));
    }
  }
}

/** Like readFileRetrying, but null for a file that does not exist. */
export async function readIfExistsRetrying(file: string): Promise<string | null> {
  try {
    return await readFileRetrying(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * A file of a listing: read synchronously (one descriptor at a time: no EMFILE from the listing itself),
 * with transient errors retried after the same backoff as readFileRetrying. Callers read a batch of such
 * files, then yield (`LISTING_BATCH`), so a long listing never holds the event loop for long.
 */
export async function readListedFile(file: string, attempts = 6): Promise<string> {
  for (let i = 1; ; i++) {
    try {
      return readRegularFileSync(file);
    } catch (err) {
      if (!isTransient(err) || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 5 * 2 ** (i - 1)));
    }
  }
}

/** Files a listing reads between two yields to the event loop (~64 small files: a few ms). */
export const LISTING_BATCH = 64;

export const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
