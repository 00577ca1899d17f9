/**
 * What the dashboard offers to resume, as pure functions of the sessions it already holds: the banner
 * at start (this repository's last interrupted session) and the target of `r` (the selected session if
 * it can be resumed, else the last interrupted one). Liveness of owners is passed in, never looked up.
 */
import { isInterrupted } from '../session/lifecycle.js';
import type { UnifiedSession } from '../session/types.js';
import { inRepo } from '../tui/session-list.js';
import { formatRelative, progressLabel, sessionName } from '../view/format.js';
import { resumeRefusal, type Refusal } from './run-control.js';

export type OwnerAlive = (s: UnifiedSession) => boolean | undefined;

export interface ResumeOffer {
  id: string;
  name: string;
  /** Where it stopped: "step 3/5" or "212/300 items". */
  where: string;
  /** "5m ago", from the session's last update. */
  ago: string;
  /** "Paused", or "crashed" for a Running session whose owner is gone. */
  how: 'Paused' | 'crashed';
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

/** The step that was in flight (completed + 1), or items done of total. */
export function whereStopped(s: UnifiedSession): string {
  const mr = s.mapreduce_data;
  if (mr) return `${mr.processed_items}/${mr.total_items} items`;
  const wf = s.workflow_data;
  if (wf && wf.total_steps > 0) return `step ${Math.min(wf.completed_steps.length + 1, wf.total_steps)}/${wf.total_steps}`;
  return progressLabel(s);
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
    how: s.status === 'Paused' ? 'Paused' : 'crashed',
  };
}

/** `session-` and the first 8 characters of its uuid: unique in practice, and accepted as a prefix. */
export function shortId(id: string): string {
  const m = /^(session-[0-9a-f]{8})[0-9a-f-]{28}$/.exec(id);
  return m ? m[1]! : id;
}

export function offerText(o: ResumeOffer): string {
  return `Interrupted ${o.ago}: ${o.name} at ${o.where} (${o.how}, ${shortId(o.id)}) — r to resume`;
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
