/**
 * `SessionManager` is the seam between execution and storage: the workflow executor and the MapReduce
 * job talk to sessions only through it, never to files, locks or `UnifiedSessionManager`. That keeps one
 * session system (no executor-side tracker that could disagree with the store) and lets the storage
 * behind it change without touching execution. `CookSessionAdapter` (adapter.ts) is its one
 * implementation; tests use the real adapter over a temporary PRODIGY_HOME.
 */
import type {
  SessionInfo,
  SessionState,
  SessionSummary,
  SessionUpdate,
  StartSessionOptions,
} from './cook-state.js';

export interface SessionManager {
  /** Creates the session (Running) and takes its writer lock. */
  startSession(sessionId: string, options: StartSessionOptions): Promise<void>;
  /**
   * Re-attaches to an interrupted session (Paused, or Running with a dead owner): takes the lock, moves
   * it to Running and returns the state at its last checkpoint. Refuses live or final sessions.
   */
  resumeSession(sessionId: string): Promise<SessionState>;
  updateSession(update: SessionUpdate): Promise<void>;
  /** Finishes the session: Completed, or Failed when the state says so; releases the lock. */
  completeSession(): Promise<SessionSummary>;
  /** The last state, from a cache every update refreshes. Never reads disk. */
  getState(): SessionState;
  saveState(file: string): Promise<void>;
  loadState(file: string): Promise<void>;
  loadSession(sessionId: string): Promise<SessionState>;
  saveCheckpoint(state: SessionState): Promise<void>;
  listResumable(): Promise<SessionInfo[]>;
  getLastInterrupted(): Promise<string | null>;
}
