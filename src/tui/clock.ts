/**
 * Pure: when the dashboard's clock needs to advance. Redrawing costs a few milliseconds of Ink output
 * work, so the 1 s timer only moves the store's clock when something on screen changes every second
 * (a live run's elapsed time, an age under a minute); otherwise ages in minutes and hours are refreshed
 * every SLOW_TICK_MS, which keeps an idle dashboard near zero CPU.
 */
import type { UnifiedSession } from '../session/types.js';

export const SLOW_TICK_MS = 15_000;

export interface ClockInputs {
  sessions: Readonly<Record<string, UnifiedSession>>;
  alive: Readonly<Record<string, boolean | undefined>>;
}

function live(s: UnifiedSession, alive: boolean | undefined): boolean {
  return (s.status === 'Running' || s.status === 'Initializing') && alive !== false;
}

/** True when some text on screen would differ one second from now. */
export function secondsVisible(state: ClockInputs, now: number): boolean {
  for (const s of Object.values(state.sessions)) {
    if (live(s, state.alive[s.id])) return true;
    const age = now - Date.parse(s.started_at);
    if (age >= 0 && age < 60_000) return true; // "42s ago"
  }
  return false;
}

export function shouldTick(state: ClockInputs, now: number, lastTick: number): boolean {
  return now - lastTick >= SLOW_TICK_MS || secondsVisible(state, now);
}
