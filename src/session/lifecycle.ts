/**
 * Session status transitions, as one table. Every status change in the project goes through
 * `assertTransition`, so the rules (Prodigy's documented lifecycle) cannot drift between callers.
 */
import type { SessionStatus } from './types.js';

/** from -> the statuses it may move to. Completed, Failed and Cancelled are final. */
export const TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  Initializing: ['Running', 'Failed', 'Cancelled'],
  Running: ['Paused', 'Completed', 'Failed', 'Cancelled'],
  Paused: ['Running', 'Cancelled'],
  Completed: [],
  Failed: [],
  Cancelled: [],
};

export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isFinal(status: SessionStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

export class InvalidTransitionError extends Error {
  constructor(
    readonly sessionId: string,
    readonly from: SessionStatus,
    readonly to: SessionStatus,
  ) {
    super(`session ${sessionId}: cannot go from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

export function assertTransition(sessionId: string, from: SessionStatus, to: SessionStatus): void {
  // Re-asserting the current status is a no-op, not a transition (e.g. a second "Running" update).
  if (from === to && !isFinal(from)) return;
  if (!canTransition(from, to)) throw new InvalidTransitionError(sessionId, from, to);
}

/**
 * Crash detection: a Running (or Initializing) session whose owner process is gone on this host.
 * `ownerAlive` is answered by the caller (a pure function cannot look at processes).
 */
export function isInterrupted(status: SessionStatus, ownerAlive: boolean | undefined): boolean {
  if (status === 'Paused') return true;
  if (status === 'Running' || status === 'Initializing') return ownerAlive === false;
  return false;
}
