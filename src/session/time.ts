/** Rust-style durations ({secs, nanos}) as Prodigy writes them, and conversions. Pure. */
import type { Duration } from './types.js';

export function durationFromMs(ms: number): Duration {
  const safe = Math.max(0, ms);
  const secs = Math.floor(safe / 1000);
  return { secs, nanos: Math.min(999_999_999, Math.round((safe - secs * 1000) * 1e6)) };
}

export function durationToMs(d: Duration): number {
  return d.secs * 1000 + d.nanos / 1e6;
}

export function durationBetween(startIso: string, endIso: string): Duration {
  return durationFromMs(Date.parse(endIso) - Date.parse(startIso));
}
