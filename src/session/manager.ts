/**
 * UnifiedSessionManager: the one session system. Every session write in the project goes through here
 * (the executor reaches it only via CookSessionAdapter); the CLI and the dashboard read through it.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { findMapping } from '../storage/job-mapping.js';
import { acquireLock, holdsLock, isLockOwnerAlive, readLock, releaseLock } from '../storage/lock.js';
import { selfIdentity } from '../storage/proc-identity.js';
import { isOwnerAlive } from './owner.js';
import { SessionStore } from '../storage/session-store.js';
import { assertTransition, isFinal, isInterrupted } from './lifecycle.js';
import type {
  Checkpoint,
  Duration,
  JsonValue,
  MapReduceSession,
  SessionFilter,
  SessionStatus,
  SessionSummary,
  UnifiedSession,
  WorkflowSession,
} from './types.js';
import { META } from './types.js';
import { durationBetween } from './time.js';

export class SessionNotFoundError extends Error {
  constructor(readonly sessionId: string) {
    super(`no session ${sessionId}`);
    this.name = 'SessionNotFoundError';
  }
}

export class AmbiguousIdError extends Error {
  constructor(
    readonly prefix: string,
    readonly matches: string[],
  ) {
    super(`${prefix} matches ${matches.length} sessions: ${matches.slice(0, 3).join(', ')}${matches.length > 3 ? ', ...' : ''}`);
    this.name = 'AmbiguousIdError';
  }
}

export class SessionExistsError extends Error {
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} already exists`);
    this.name = 'SessionExistsError';
  }
}

/** A partial update; nested objects are merged, not replaced. */
export interface SessionPatch {
  status?: SessionStatus;
  error?: string | null;
  workflow?: Partial<WorkflowSession>;
  variables?: Record<string, string>;
  mapreduce?: Partial<MapReduceSession>;
  timings?: Record<string, Duration>;
  metadata?: Record<string, JsonValue>;
}

export interface CreateWorkflowInput {
  id?: string;
  workflow_id?: string;
  workflow_name: string;
  total_steps: number;
  metadata?: Record<string, JsonValue>;
}

export interface CreateMapReduceInput {
  id?: string;
  job_id: string;
  total_items?: number;
  metadata?: Record<string, JsonValue>;
}

export interface CompletionSummary extends SessionSummary {
  error: string | null;
}

/** Checkpoints kept per session: the latest is what resume needs; older ones are history for humans. */
export const MAX_CHECKPOINTS = 20;

export function newSessionId(): string {
  return `session-${crypto.randomUUID()}`;
}

export function summarize(s: UnifiedSession): SessionSummary {
  const end = s.completed_at ?? (isFinal(s.status) ? s.updated_at : null);
  return {
    id: s.id,
    session_type: s.session_type,
    status: s.status,
    started_at: s.started_at,
    updated_at: s.updated_at,
    duration: end ? durationBetween(s.started_at, end) : null,
    metadata: s.metadata,
  };
}

/** Pure filter + newest-first order + limit (Prodigy's SessionFilter). */
export function applyFilter(sessions: UnifiedSession[], filter: SessionFilter = {}): UnifiedSession[] {
  const statuses = filter.status === undefined ? null : [filter.status].flat();
  const out = sessions.filter((s) => {
    if (statuses && !statuses.includes(s.status)) return false;
    if (filter.session_type && s.session_type !== filter.session_type) return false;
    const started = Date.parse(s.started_at);
    if (filter.after && !(started > filter.after.getTime())) return false;
    if (filter.before && !(started < filter.before.getTime())) return false;
    if (filter.worktree_name !== undefined && s.workflow_data?.worktree_name !== filter.worktree_name) return false;
    if (filter.repo_path !== undefined && s.metadata[META.repoPath] !== filter.repo_path) return false;
    return true;
  });
  out.sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at) || b.id.localeCompare(a.id));
  return filter.limit !== undefined ? out.slice(0, Math.max(0, filter.limit)) : out;
}

export class UnifiedSessionManager {
  readonly store: SessionStore;
  /** Sessions this process owns (holds the lock for): the in-memory copy is the truth, no re-read. */
  private readonly owned = new Map<string, UnifiedSession>();

  constructor(readonly home: string) {
    this.store = new SessionStore(home);
  }

  // ---- create ---------------------------------------------------------------------------------

  async createWorkflowSession(input: CreateWorkflowInput): Promise<UnifiedSession> {
    const id = input.id ?? newSessionId();
    const workflow: WorkflowSession = {
      workflow_id: input.workflow_id ?? id,
      workflow_name: input.workflow_name,
      current_step: 0,
      total_steps: input.total_steps,
      completed_steps: [],
      variables: {},
      iterations_completed: 0,
      files_changed: 0,
      worktree_name: null,
    };
    return this.create(id, 'Workflow', workflow, null, input.metadata);
  }

  async createMapReduceSession(input: CreateMapReduceInput): Promise<UnifiedSession> {
    const id = input.id ?? newSessionId();
    const mr: MapReduceSession = {
      job_id: input.job_id,
      total_items: input.total_items ?? 0,
      processed_items: 0,
      failed_items: 0,
      agent_count: 0,
      phase: 'Setup',
      reduce_results: null,
    };
    return this.create(id, 'MapReduce', null, mr, { [META.jobId]: input.job_id, ...input.metadata });
  }

  private async create(
    id: string,
    type: UnifiedSession['session_type'],
    workflow: WorkflowSession | null,
    mapreduce: MapReduceSession | null,
    metadata: Record<string, JsonValue> = {},
  ): Promise<UnifiedSession> {
    await this.store.ensureDirs();
    if (await this.store.exists(id)) throw new SessionExistsError(id);
    acquireLock(this.store.paths.sessionLock(id), id);
    const now = new Date().toISOString();
    const session: UnifiedSession = {
      id,
      session_type: type,
      status: 'Running',
      started_at: now,
      updated_at: now,
      completed_at: null,
      metadata: { ...metadata, ...ownerMetadata() },
      checkpoints: [],
      timings: {},
      error: null,
      workflow_data: workflow,
      mapreduce_data: mapreduce,
    };
    await this.store.write(session);
    this.owned.set(id, session);
    return structuredClone(session);
  }

  // ---- read -----------------------------------------------------------------------------------

  /** Throws SessionNotFoundError, or CorruptSessionFileError (the file is left as it is). */
  async load(id: string): Promise<UnifiedSession> {
    const mine = this.owned.get(id);
    if (mine) return structuredClone(mine);
    const s = await this.store.read(id);
    if (!s) throw new SessionNotFoundError(id);
    return s;
  }

  async list(filter: SessionFilter = {}) {
    const { sessions, problems } = await this.store.list();
    return { sessions: applyFilter(sessions, filter), problems };
  }

  async listSummaries(filter: SessionFilter = {}) {
    const { sessions, problems } = await this.list(filter);
    return { summaries: sessions.map(summarize), problems };
  }

  /** Alive / dead for an owner on this host; undefined when it cannot be known (another host). */
  ownerAlive(s: UnifiedSession): boolean | undefined {
    const pid = s.metadata[META.ownerPid];
    if (typeof pid === 'number') return isOwnerAlive(s);
    // Prodigy's own files record no owner; a live lock file is the only sign of life they leave.
    const lock = readLock(this.store.paths.sessionLock(s.id));
    return lock ? isLockOwnerAlive(lock) : false;
  }

  isInterrupted(s: UnifiedSession): boolean {
    return isInterrupted(s.status, this.ownerAlive(s));
  }

  /** Interrupted sessions (Paused, or Running with a dead owner), newest first. */
  async listResumable(filter: SessionFilter = {}): Promise<UnifiedSession[]> {
    const { sessions } = await this.list({ ...filter, limit: undefined });
    const out = sessions.filter((s) => this.isInterrupted(s));
    return filter.limit !== undefined ? out.slice(0, filter.limit) : out;
  }

  /** The most recently active interrupted session. */
  async getLastInterrupted(filter: SessionFilter = {}): Promise<UnifiedSession | null> {
    const all = await this.listResumable(filter);
    all.sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at));
    return all[0] ?? null;
  }

  /**
   * A session id, a MapReduce job id mapped to its session, or an unambiguous prefix of a session id
   * (listings shorten ids in narrow terminals, so what a user copies from them must still work).
   */
  async resolveId(idOrJobId: string): Promise<string> {
    if (await this.store.exists(idOrJobId).catch(() => false)) return idOrJobId;
    // The job's mapping file answers without listing every session (and works while the session is new).
    const mapped = await findMapping(this.home, idOrJobId);
    if (mapped && (await this.store.exists(mapped.session_id).catch(() => false))) return mapped.session_id;
    const { sessions } = await this.store.list();
    const byJob = sessions.find((s) => s.mapreduce_data?.job_id === idOrJobId || s.metadata[META.jobId] === idOrJobId);
    if (byJob) return byJob.id;
    // A prefix, with or without `session-` (views show the short id without it, git-style).
    const bare = idOrJobId.startsWith('session-') ? idOrJobId : `session-${idOrJobId}`;
    const byPrefix = idOrJobId.length >= 4 ? sessions.filter((s) => s.id.startsWith(idOrJobId) || s.id.startsWith(bare)) : [];
    if (byPrefix.length === 1) return byPrefix[0]!.id;
    if (byPrefix.length > 1) throw new AmbiguousIdError(idOrJobId, byPrefix.map((s) => s.id));
    throw new SessionNotFoundError(idOrJobId);
  }

  // ---- write ----------------------------------------------------------------------------------

  /**
   * Takes over an interrupted session (Paused, or Running with a dead owner) for this process.
   * Throws SessionLockedError when another live process runs it.
   */
  async claim(id: string): Promise<UnifiedSession> {
    if (this.owned.has(id)) return structuredClone(this.owned.get(id)!);
    if (!(await this.store.exists(id))) throw new SessionNotFoundError(id);
    // Lock first, then read: what a racer finished before we got the lock is in the file we read.
    acquireLock(this.store.paths.sessionLock(id), id);
    let s: UnifiedSession | null;
    try {
      s = await this.store.read(id);
      if (!s) throw new SessionNotFoundError(id);
    } catch (err) {
      releaseLock(this.store.paths.sessionLock(id));
      throw err;
    }
    Object.assign(s.metadata, ownerMetadata());
    this.owned.set(id, s);
    return structuredClone(s);
  }

  async update(id: string, patch: SessionPatch): Promise<UnifiedSession> {
    const wasOwned = this.owned.has(id);
    const s = await this.writable(id);
    let next: UnifiedSession;
    try {
      next = applyPatch(s, patch);
    } catch (err) {
      // A refused update must not leave this process holding a lock it only took for that update.
      if (!wasOwned) this.release(id);
      throw err;
    }
    this.owned.set(id, next);
    await this.store.write(next);
    return structuredClone(next);
  }

  async transition(id: string, status: SessionStatus): Promise<UnifiedSession> {
    return this.update(id, { status });
  }

  async createCheckpoint(
    id: string,
    state: JsonValue,
    metadata: Record<string, JsonValue> = {},
    opts: { compactHistory?: boolean } = {},
  ): Promise<Checkpoint> {
    const s = await this.writable(id);
    const cp: Checkpoint = {
      id: `checkpoint-${crypto.randomUUID()}`,
      created_at: new Date().toISOString(),
      state,
      metadata,
    };
    // compactHistory: older checkpoints keep their id, time and metadata but drop their state. A state that
    // grows with every step (the executor's step results) would otherwise make the file, rewritten after
    // every step, grow with steps x MAX_CHECKPOINTS.
    const history = opts.compactHistory ? s.checkpoints.map((c) => (c.state === null ? c : { ...c, state: null })) : s.checkpoints;
    const next = { ...s, checkpoints: [...history, cp].slice(-MAX_CHECKPOINTS), updated_at: cp.created_at };
    this.owned.set(id, next);
    await this.store.write(next);
    return structuredClone(cp);
  }

  async listCheckpoints(id: string): Promise<Checkpoint[]> {
    return (await this.load(id)).checkpoints;
  }

  async latestCheckpoint(id: string): Promise<Checkpoint | null> {
    const cps = await this.listCheckpoints(id);
    return cps[cps.length - 1] ?? null;
  }

  /** Final status (Completed by default), completion time, and the lock released. */
  async complete(
    id: string,
    status: 'Completed' | 'Failed' | 'Cancelled' = 'Completed',
    error?: string,
  ): Promise<CompletionSummary> {
    const current = await this.load(id);
    // Finishing twice with the same outcome (UpdateStatus then complete) is not a new transition.
    const s =
      current.status === status
        ? current
        : await this.update(id, { status, ...(error !== undefined ? { error } : {}) });
    this.release(id);
    return { ...summarize(s), error: s.error };
  }

  /** Lets go of a session (e.g. after Paused) without changing it. */
  release(id: string): void {
    this.owned.delete(id);
    releaseLock(this.store.paths.sessionLock(id));
  }

  async delete(id: string): Promise<void> {
    const lockPath = this.store.paths.sessionLock(id);
    const lock = readLock(lockPath);
    if (lock && lock.pid !== process.pid && isLockOwnerAlive(lock) !== false) {
      // Deleting a live session would pull the file from under its writer.
      acquireLock(lockPath, id);
    }
    await this.store.delete(id);
    this.release(id);
  }

  private async writable(id: string): Promise<UnifiedSession> {
    const mine = this.owned.get(id);
    if (mine && holdsLock(this.store.paths.sessionLock(id))) return mine;
    return this.claim(id).then(() => this.owned.get(id)!);
  }
}

/** Pure: the session after a patch. Throws InvalidTransitionError on a status change the table refuses. */
export function applyPatch(s: UnifiedSession, patch: SessionPatch, now = new Date()): UnifiedSession {
  const next: UnifiedSession = { ...s, updated_at: now.toISOString() };
  if (patch.status !== undefined) {
    assertTransition(s.id, s.status, patch.status);
    next.status = patch.status;
    if (isFinal(patch.status)) next.completed_at = next.updated_at;
  }
  if (patch.error !== undefined) next.error = patch.error;
  if (patch.workflow || patch.variables) {
    if (!s.workflow_data) throw new Error(`session ${s.id} has no workflow data`);
    next.workflow_data = {
      ...s.workflow_data,
      ...patch.workflow,
      variables: { ...s.workflow_data.variables, ...patch.workflow?.variables, ...patch.variables },
    };
  }
  if (patch.mapreduce) {
    if (!s.mapreduce_data) throw new Error(`session ${s.id} has no MapReduce data`);
    next.mapreduce_data = { ...s.mapreduce_data, ...patch.mapreduce };
  }
  if (patch.timings) next.timings = { ...s.timings, ...patch.timings };
  if (patch.metadata) next.metadata = { ...s.metadata, ...patch.metadata };
  return next;
}

/** Who owns a session now, as its metadata records it (a reused pid is told apart by its start time). */
function ownerMetadata(): Record<string, JsonValue> {
  const me = selfIdentity();
  return { [META.ownerPid]: me.pid, [META.ownerHost]: me.host, [META.ownerStartTicks]: me.start_ticks, [META.ownerBootId]: me.boot_id };
}
