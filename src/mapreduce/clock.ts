/** Monotonic milliseconds, for intervals (wall-clock time can jump). */
export function nowMs(): number {
  return performance.now();
}
