/**
 * What the dashboard offers to resume, as pure functions of the sessions it already holds: the banner
 * at start (this repository's last interrupted session) and the target of `r` (the selected session if
 * it can be resumed, else the last interrupted one). Liveness of owners is passed in, never looked up.
 */
import { isInterrupted } from '../session/lifecycle.js';
import type { UnifiedSession } from '../session/types.js';
import { inRepo } from '../tui/session-list.js';
import { formatRelative, sessionName } from '../view/format.js';
import { progressText } from '../view/progress-text.js';
import { resumeRefusal, type Refusal } from './run-control.js';

export type OwnerAlive = (s: UnifiedSession) => boolean | undefined;

export interface ResumeOffer {
  id: string;
  name: string;
  /** Where it stopped: "step 3/5" or "212/300 items". */
  where: string;
  /** "5m ago", from the session's last update. */
  ago: string;
  /** Its status word as every view shows it: Paused, or Interrupted for a Running session whose owner is gone. */
  how: 'Paused' | 'Interrupted';
}

function interrupted(s: UnifiedSession, alive: OwnerAlive): boolean {
  return isInterrupted(s.status, alive(s));
}

function byLastUpdate(a: UnifiedSession, b: UnifiedSession): number {
  return Date.parse(b.updated_at) - Date.parse(a.updated_at);
}

/** The most recently updated interrupted session, preferring this repository's when `repoPath` is set. */
export function lastInterrupted(sessions: readonly UnifiedSession[], alive: OwnerAlive, repoPath?: string | null): UnifiedSession | null {
  const candidates = sessions.filter((s) => interrupted(s, alive)).sort(byLastUpdate);
  return candidates.find((s) => inRepo(s, repoPath ?? null)) ?? null;
}

/** Where it stopped, in the one progress wording: "step 3/5" (the step in flight) or "212/300 items, 2 failed". */
export function whereStopped(s: UnifiedSession): string {
  return progressText(s);
}

/** The start-up banner's content, or null when this repository has nothing interrupted. */
export function resumeOffer(sessions: readonly UnifiedSession[], alive: OwnerAlive, repoPath: string | null | undefined, now: number): ResumeOffer | null {
  const s = lastInterrupted(sessions, alive, repoPath);
  if (!s) return null;
  return {
    id: s.id,
    name: sessionName(s),
    where: whereStopped(s),
    ago: formatRelative(s.updated_at, now),
    how: s.status === 'Paused' ? 'Paused' : 'Interrupted',
  };
}

/** The banner's line; `short` is the session's short id as every other view shows it. */
export function offerText(o: ResumeOffer, short: string): string {
  return `Interrupted ${o.ago}: ${o.name} at ${o.where} (${o.how}, ${short}) — r to resume`;
}

export type ResumeTarget = { ok: true; session: UnifiedSession } | Extract<Refusal, { ok: false }>;

/**
 * `r`: the selected session when it can be resumed; otherwise the last interrupted one; otherwise the
 * selected session's refusal (so the user learns why the one they pointed at cannot be resumed).
 */
export function resumeTarget(selected: UnifiedSession | null, sessions: readonly UnifiedSession[], alive: OwnerAlive, repoPath?: string | null): ResumeTarget {
  if (selected) {
    const refusal = resumeRefusal(selected, alive(selected));
    if (refusal.ok) return { ok: true, session: selected };
    const fallback = lastInterrupted(sessions, alive, repoPath) ?? lastInterrupted(sessions, alive);
    if (fallback) return { ok: true, session: fallback };
    return refusal;
  }
  const last = lastInterrupted(sessions, alive, repoPath) ?? lastInterrupted(sessions, alive);
  return last ? { ok: true, session: last } : { ok: false, reason: 'nothing to resume: no interrupted session' };
}
