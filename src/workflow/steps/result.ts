/** CommandResult values for steps that run no process of their own (write_file, foreach, validate, analyze). */
import type { CommandResult } from '../../exec/command.js';

export function okResult(output: string): CommandResult {
  return { success: true, exitCode: 0, output, transcript: output, timedOut: false, aborted: false, error: null };
}

export function failResult(error: string, output = ''): CommandResult {
  return { success: false, exitCode: 1, output, transcript: output, timedOut: false, aborted: false, error };
}

export function abortedResult(): CommandResult {
  return { success: false, exitCode: null, output: '', transcript: '', timedOut: false, aborted: true, error: 'interrupted' };
}

/** Waits `ms`, or less when the signal aborts first; resolves false when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
