/**
 * UnifiedSessionManager: the one session system. Every session write in the project goes through here
 * (the executor reaches it only via CookSessionAdapter); the CLI and the dashboard read through it.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { findMapping } from '../storage/job-mapping.js';
import type { JsonlAppender } from '../storage/jsonl.js';
import { acquireLock, holdsLock, isLockOwnerAlive, readLock, releaseLock } from '../storage/lock.js';
import { selfIdentity } from '../storage/proc-identity.js';
import { sweepSnapshotTemps, sweepStaleTemps } from '../storage/temp-sweep.js';
import {
  JOURNAL_SEQ_KEY,
  JOURNAL_VERSION,
  MAX_CHECKPOINTS,
  StateShadow,
  compactionDue,
  latestState,
  mergePatch,
  withCheckpoint,
} from '../storage/session-journal.js';
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
  /** Step indexes to add to `workflow_data.completed_steps` (a delta: the list grows with the run). */
  completed_steps_add?: number[];
}

export interface CreateWorkflowInput {
  id?: string;
  workflow_id?: string;
  workflow_name: string;
  total_steps: number;
  worktree_name?: string;
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

export { MAX_CHECKPOINTS };

/** The owner's side of a session journal: its appender and the last seq written or read. */
interface OwnedJournal {
  appender: JsonlAppender | null;
  seq: number;
  snapshotBytes: number;
  /** The growing parts of the latest checkpoint's state, for the next delta (built on first use). */
  shadow: StateShadow | null;
}

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
  /**
   * Owned sessions' journals. Small changes are appended there (storage/session-journal.ts); the session
   * file is rewritten only at status changes and compaction, so a step costs the same at any step index.
   */
  private readonly journals = new Map<string, OwnedJournal>();

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
      worktree_name: input.worktree_name ?? null,
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
    sweepStaleTemps(this.home);
    await this.store.deleteJournal(id); // a journal left by a deleted session of the same id
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
    this.journals.set(id, { appender: null, seq: 0, snapshotBytes: this.store.snapshotBytes(id), shadow: null });
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
    acquireLock(this.store.paths.sessionLock(id), id);
    // Read after taking the lock: no other writer can append to the journal between read and claim.
    const read = await this.store.readWithSeq(id).catch((err: unknown) => {
      releaseLock(this.store.paths.sessionLock(id));
      throw err;
    });
    if (!read) {
      releaseLock(this.store.paths.sessionLock(id));
      throw new SessionNotFoundError(id);
    }
    const s = read.session;
    this.sweepTemps(s);
    Object.assign(s.metadata, ownerMetadata());
    this.owned.set(id, s);
    this.journals.set(id, { appender: null, seq: read.seq, snapshotBytes: this.store.snapshotBytes(id), shadow: null });
    return structuredClone(s);
  }

  /**
   * Temp files crashed writers left (storage/temp-sweep.ts): dead pids' anywhere in the store, and the
   * snapshot temps of this session and its job, which only the lock holder — now us — writes.
   */
  private sweepTemps(s: UnifiedSession): void {
    sweepStaleTemps(this.home);
    const snapshots = [this.store.fileOf(s.id)];
    const repo = s.metadata[META.repoName];
    const jobId = s.mapreduce_data?.job_id;
    if (typeof repo === 'string' && jobId) snapshots.push(this.store.paths.jobStateFile(repo, jobId));
    sweepSnapshotTemps(snapshots);
  }

  /** A patch; returns the session after it. A status change rewrites the session file, the rest is journaled. */
  async update(id: string, patch: SessionPatch): Promise<UnifiedSession> {
    return structuredClone(await this.apply(id, patch));
  }

  /** Like update, without handing back a copy (the executor's per-step path: no O(session) clone). */
  async record(id: string, patch: SessionPatch): Promise<void> {
    await this.apply(id, patch);
  }

  private async apply(id: string, patch: SessionPatch): Promise<UnifiedSession> {
    const wasOwned = this.owned.has(id);
    const s = await this.writable(id);
    let next: UnifiedSession;
    try {
      // The owned copy is this manager's alone: its growing parts may be extended in place.
      next = applyPatch(s, patch, new Date(), true);
    } catch (err) {
      // A refused update must not leave this process holding a lock it only took for that update.
      if (!wasOwned) this.release(id);
      throw err;
    }
    // A final session has no journal (its file holds everything): later changes (dlq retry totals) rewrite it.
    if (patch.status !== undefined || isFinal(next.status)) await this.writeSnapshot(id, next);
    else await this.append(id, { patch }, next, false);
    return next;
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
    // compactHistory: older checkpoints keep their id, time and metadata but drop their state, and the
    // checkpoint is journaled as a delta from the previous one (a state that grows with every step would
    // otherwise cost O(steps) per step), computed against the journal's shadow of it, so `state` may
    // share its maps with the caller's live state. Without it, the whole file is rewritten (rare callers).
    const next = withCheckpoint(s, cp, opts.compactHistory === true);
    const j = this.journal(id);
    if (opts.compactHistory) {
      j.shadow ??= new StateShadow(latestState(s));
      const delta = j.shadow.diff(state);
      await this.append(id, { checkpoint: { id: cp.id, created_at: cp.created_at, metadata, delta } }, next, true);
      j.shadow.commit(delta);
    } else {
      await this.writeSnapshot(id, next);
      j.shadow = new StateShadow(state);
    }
    return { ...cp, metadata: structuredClone(metadata) };
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
    this.journals.get(id)?.appender?.close();
    this.journals.delete(id);
    releaseLock(this.store.paths.sessionLock(id));
  }

  // ---- journal and snapshot (the owner's write path) -------------------------------------------

  /**
   * One journal line, then maybe compaction. Every line is written (write(2)) before this returns, so a
   * kill loses none; a `durable` one (a checkpoint) is also fsync'd, in the background (jsonl.ts), so the
   * next step's process overlaps the disk flush instead of waiting for it.
   */
  private journal(id: string): OwnedJournal {
    let j = this.journals.get(id);
    if (!j) {
      j = { appender: null, seq: 0, snapshotBytes: this.store.snapshotBytes(id), shadow: null };
      this.journals.set(id, j);
    }
    return j;
  }

  private async append(id: string, body: Record<string, unknown>, next: UnifiedSession, durable: boolean): Promise<void> {
    const j = this.journal(id);
    j.appender ??= this.store.openJournal(id);
    j.seq += 1;
    j.appender.append({ v: JOURNAL_VERSION, seq: j.seq, at: next.updated_at, ...body }, { sync: durable ? 'background' : false });
    this.owned.set(id, next);
    if (compactionDue(j.appender.bytes, j.snapshotBytes)) await this.writeSnapshot(id, next);
  }

  /**
   * Rewrites the session file with everything journaled so far folded in (compaction), then empties the
   * journal unless lines were appended meanwhile (they have a greater seq, so a reader applies them after
   * the snapshot anyway). A final status removes the journal: the snapshot holds all of it.
   */
  private async writeSnapshot(id: string, next: UnifiedSession): Promise<void> {
    const j = this.journals.get(id);
    const seq = j?.seq ?? 0;
    const snap = seq > 0 || JOURNAL_SEQ_KEY in next.metadata ? { ...next, metadata: { ...next.metadata, [JOURNAL_SEQ_KEY]: seq } } : next;
    this.owned.set(id, snap);
    await this.store.write(snap);
    if (!j) return;
    j.snapshotBytes = this.store.snapshotBytes(id);
    if (isFinal(snap.status)) {
      j.appender?.close();
      j.appender = null;
      await this.store.deleteJournal(id);
    } else if (j.appender && j.seq === seq) {
      j.appender.truncate();
    }
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
export function applyPatch(s: UnifiedSession, patch: SessionPatch, now = new Date(), owned = false): UnifiedSession {
  const { status, ...rest } = patch;
  if (status !== undefined) assertTransition(s.id, s.status, status);
  const next = mergePatch(s, rest, now.toISOString(), owned);
  if (status !== undefined) {
    next.status = status;
    if (isFinal(status)) next.completed_at = next.updated_at;
  }
  return next;
}

/** Who owns a session now, as its metadata records it (a reused pid is told apart by its start time). */
function ownerMetadata(): Record<string, JsonValue> {
  const me = selfIdentity();
  return { [META.ownerPid]: me.pid, [META.ownerHost]: me.host, [META.ownerStartTicks]: me.start_ticks, [META.ownerBootId]: me.boot_id };
}
