/** Step `retry:` maths, pure: the delay before each retry and whether a failure is one to retry. */
import type { Backoff, RetryOn, RetrySpec } from './types.js';

function fib(n: number): number {
  let a = 1;
  let b = 1;
  for (let i = 1; i < n; i++) [a, b] = [b, a + b];
  return a;
}

/** The delay before retry number `n` (1 = the first retry), before jitter, capped at maxDelayMs. */
export function baseDelayMs(spec: Pick<RetrySpec, 'backoff' | 'initialDelayMs' | 'maxDelayMs'>, n: number): number {
  const b: Backoff = spec.backoff;
  const init = spec.initialDelayMs;
  let d: number;
  switch (b.kind) {
    case 'fixed':
      d = init;
      break;
    case 'linear':
      d = init + b.incrementMs * (n - 1);
      break;
    case 'exponential':
      d = init * b.base ** (n - 1);
      break;
    case 'fibonacci':
      d = init * fib(n);
      break;
    case 'custom':
      d = b.delaysMs[Math.min(n, b.delaysMs.length) - 1] ?? init;
      break;
  }
  return Math.min(Math.max(0, d), spec.maxDelayMs);
}

/** With jitter the delay moves by up to ±jitterFactor of itself (`rand` in [0, 1)), still capped. */
export function retryDelayMs(spec: RetrySpec, n: number, rand: () => number = Math.random): number {
  const d = baseDelayMs(spec, n);
  if (!spec.jitter) return d;
  const f = Math.min(Math.max(spec.jitterFactor, 0), 1);
  return Math.min(Math.round(d * (1 - f + 2 * f * rand())), spec.maxDelayMs);
}

const CLASSES: Record<Exclude<RetryOn, { pattern: string }>, RegExp | null> = {
  network: /network|connection (refused|reset|timed out|closed)|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|could not resolve host/i,
  server_error: /\b5\d\d\b|server error|internal error|service unavailable|bad gateway/i,
  rate_limit: /rate.?limit|\b429\b|too many requests/i,
  timeout: null,
};

/** Whether a failure matches the step's `retry_on` (empty = every failure is retried). */
export function shouldRetry(retryOn: readonly RetryOn[], failure: { timedOut: boolean; transcript: string }): boolean {
  if (retryOn.length === 0) return true;
  return retryOn.some((r) => {
    if (typeof r === 'object') return new RegExp(r.pattern).test(failure.transcript);
    if (r === 'timeout') return failure.timedOut || /timed? ?out/i.test(failure.transcript);
    return CLASSES[r]!.test(failure.transcript);
  });
}
