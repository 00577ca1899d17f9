/**
 * Pure: when the dashboard's clock needs to advance. A redraw costs ~10-30 ms of Ink output work (the
 * whole screen is rebuilt and measured, even when one cell changes), so the 1 s timer only moves the
 * store's clock when some text on screen would change: in the list, when a row's age or duration text
 * does (compared as text, so a run's "2m 05s" ticks and a run whose clock reads the same does not); in
 * the other views when something on them moves by the second (a live run, a spinner). Ages in minutes
 * and hours are refreshed every SLOW_TICK_MS, which keeps an idle dashboard near zero CPU.
 */
import type { UnifiedSession } from '../session/types.js';
import { rowClockText } from './session-list.js';

export const SLOW_TICK_MS = 15_000;

export interface ClockInputs {
  sessions: Readonly<Record<string, UnifiedSession>>;
  alive: Readonly<Record<string, boolean | undefined>>;
  /** The view on screen (store ViewName); the list compares texts, the others tick while secondsVisible. */
  view?: string;
}

function live(s: UnifiedSession, alive: boolean | undefined): boolean {
  return (s.status === 'Running' || s.status === 'Initializing') && alive !== false;
}

const young = (s: UnifiedSession, now: number): boolean => {
  const age = now - Date.parse(s.started_at);
  return age >= 0 && age < 60_000; // "42s ago"
};

/** True when some text on screen may differ one second from now. */
export function secondsVisible(state: ClockInputs, now: number): boolean {
  for (const s of Object.values(state.sessions)) {
    if (live(s, state.alive[s.id]) || young(s, now)) return true;
  }
  return false;
}

/** The list's clock texts (age, duration) of every row that can change by the second, at `at`. */
export function listClockText(state: ClockInputs, now: number, at: number): string {
  let out = '';
  for (const s of Object.values(state.sessions)) {
    if (live(s, state.alive[s.id]) || young(s, now)) out += `${s.id}\u0000${rowClockText(s, state.alive[s.id], at)}\n`;
  }
  return out;
}

/**
 * `others`: the clock texts shown beside the list at a time (the resume banner's age), compared too.
 * The store's clock stays at `lastTick` while nothing would change, so the comparison is with what the
 * screen shows.
 */
export function shouldTick(state: ClockInputs, now: number, lastTick: number, others: (at: number) => string = () => ''): boolean {
  if (now - lastTick >= SLOW_TICK_MS) return true;
  if (!secondsVisible(state, now)) return false;
  if (state.view !== undefined && state.view !== 'list') return true;
  return listClockText(state, now, now) !== listClockText(state, now, lastTick) || others(now) !== others(lastTick);
}
