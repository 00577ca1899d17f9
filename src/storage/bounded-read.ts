/**
 * Reading many store files without running out of file handles: at most `limit` reads in flight (so a
 * listing never meets EMFILE, at any store size, under any `ulimit -n` above the limit plus what the
 * process holds anyway), and a read that fails for a transient reason (EMFILE/ENFILE from other open
 * files, EAGAIN, EBUSY, EINTR) is retried with a short backoff before it counts as a failure.
 */
import { readRegularFile } from './store-file.js';

/** Reads in flight for a listing: well under `ulimit -n 256` with room for the rest of the process. */
export const READ_CONCURRENCY = 32;

const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR']);

export function isTransient(err: unknown): boolean {
  return TRANSIENT.has((err as NodeJS.ErrnoException)?.code ?? '');
}

/** `fn` over every item, at most `limit` at a time; results in the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
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
