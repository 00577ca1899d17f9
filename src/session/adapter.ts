/**
 * CookSessionAdapter: the one implementation of `SessionManager` (session-manager.ts). It translates the
 * executor's state and updates into UnifiedSessionManager operations on one unified session, and keeps
 * the executor-side `SessionState` in a cache that every update refreshes, so `getState()` never reads
 * disk. There is no other tracker: the unified session file is the only record of a run.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import type {
  CookStatus,
  SessionInfo,
  SessionState,
  SessionSummary,
  SessionUpdate,
  StartSessionOptions,
  StepResult,
} from './cook-state.js';
import { isFinal } from './lifecycle.js';
import { type SessionPatch, UnifiedSessionManager } from './manager.js';
import type { SessionManager } from './session-manager.js';
import type { JsonValue, SessionStatus, UnifiedSession } from './types.js';
import { META } from './types.js';

export class NotResumableError extends Error {
  constructor(
    readonly sessionId: string,
    readonly reason: string,
  ) {
    super(`session ${sessionId} cannot be resumed: ${reason}`);
    this.name = 'NotResumableError';
  }
}

export function toUnifiedStatus(s: CookStatus): SessionStatus {
  return ({ InProgress: 'Running', Completed: 'Completed', Failed: 'Failed', Interrupted: 'Paused' } as const)[s];
}

export function toCookStatus(s: SessionStatus): CookStatus {
  switch (s) {
    case 'Completed':
      return 'Completed';
    case 'Failed':
    case 'Cancelled':
      return 'Failed';
    case 'Paused':
      return 'Interrupted';
    default:
      return 'InProgress';
  }
}

/** Pure: the short progress text of a listing ("3/5 steps", "212/300 items"). */
export function progressText(s: UnifiedSession): string {
  if (s.mapreduce_data) return `${s.mapreduce_data.processed_items}/${s.mapreduce_data.total_items} items`;
  if (s.workflow_data) return `${s.workflow_data.completed_steps.length}/${s.workflow_data.total_steps} steps`;
  return '';
}

/** Pure: rebuilds the executor's state from a unified session (its latest checkpoint when there is one). */
export function stateFromSession(s: UnifiedSession): SessionState {
  const cp = s.checkpoints[s.checkpoints.length - 1];
  const saved = cp && typeof cp.state === 'object' && cp.state !== null && !Array.isArray(cp.state)
    ? (cp.state as unknown as Partial<SessionState>)
    : null;
  const base: SessionState = {
    session_id: s.id,
    status: toCookStatus(s.status),
    started_at: s.started_at,
    ended_at: s.completed_at,
    iterations_completed: s.workflow_data?.iterations_completed ?? 0,
    files_changed: s.workflow_data?.files_changed ?? 0,
    errors: s.error ? [s.error] : [],
    working_directory: typeof s.metadata.working_directory === 'string' ? s.metadata.working_directory : '',
    worktree_name: s.workflow_data?.worktree_name ?? null,
    workflow_started_at: s.started_at,
    command_timings: { ...s.timings },
    workflow_state: null,
    workflow_hash: typeof s.metadata[META.workflowHash] === 'string' ? (s.metadata[META.workflowHash] as string) : null,
    workflow_type: (s.metadata[META.workflowType] as SessionState['workflow_type']) ?? null,
    execution_context: null,
    last_checkpoint: cp?.id ?? null,
    checkpoint_version: 1,
  };
  if (!saved) return base;
  return {
    ...base,
    ...saved,
    // The session file, not the checkpoint, is the truth for identity and status.
    session_id: s.id,
    status: base.status,
    ended_at: base.ended_at,
    last_checkpoint: base.last_checkpoint,
  };
}

/**
 * Pure: a copy of a state's objects down to the growing parts, which are shared with the original: the
 * step results, timings and step outputs (read them, never change them). Copying those cost O(steps) per
 * call, milliseconds at step 2,000 (the session journal diffs checkpoints against its own shadow of
 * them, storage/session-journal.ts, so sharing is safe).
 */
export function copyState(s: SessionState): SessionState {
  return {
    ...s,
    errors: [...s.errors],
    workflow_state: s.workflow_state
      ? {
          ...s.workflow_state,
          input_args: [...s.workflow_state.input_args],
          map_patterns: [...s.workflow_state.map_patterns],
        }
      : null,
    execution_context: s.execution_context
      ? {
          variables: { ...s.execution_context.variables },
          step_outputs: s.execution_context.step_outputs,
          environment: { ...s.execution_context.environment },
        }
      : null,
  };
}

/** The indexes of successful results in `now` that `before` lacks, or null when `now` drops one of them. */
function addedSteps(before: readonly StepResult[], now: readonly StepResult[]): number[] | null {
  let same = before.length <= now.length;
  for (let i = 0; same && i < before.length; i++) same = before[i] === now[i];
  if (same) {
    // `now` extends `before` (the executor's every step): only its tail is new.
    const had = (i: number) => before.some((r) => r.success && r.step_index === i);
    return now.slice(before.length).filter((r) => r.success && !had(r.step_index)).map((r) => r.step_index);
  }
  const nowSet = new Set(now.filter((r) => r.success).map((r) => r.step_index));
  const beforeIdx = before.filter((r) => r.success).map((r) => r.step_index);
  if (!beforeIdx.every((i) => nowSet.has(i))) return null;
  const beforeSet = new Set(beforeIdx);
  return [...nowSet].filter((i) => !beforeSet.has(i));
}

export class CookSessionAdapter implements SessionManager {
  readonly manager: UnifiedSessionManager;
  private sessionId: string | null = null;
  private state: SessionState | null = null;

  /** `repoPath` scopes listResumable/getLastInterrupted to sessions started from that repository. */
  constructor(
    homeOrManager: string | UnifiedSessionManager,
    private readonly options: { repoPath?: string } = {},
  ) {
    this.manager = typeof homeOrManager === 'string' ? new UnifiedSessionManager(homeOrManager) : homeOrManager;
  }

  get currentSessionId(): string | null {
    return this.sessionId;
  }

  async startSession(sessionId: string, o: StartSessionOptions): Promise<void> {
    const metadata: Record<string, JsonValue> = {
      ...o.metadata,
      [META.workflowPath]: o.workflowPath,
      [META.workflowType]: o.workflowType,
      working_directory: o.workingDirectory,
      [META.repoPath]: o.repoPath ?? o.workingDirectory,
      ...(o.worktreeName ? { worktree_name: o.worktreeName } : {}),
      ...(o.workflowHash ? { [META.workflowHash]: o.workflowHash } : {}),
    };
    const s = o.jobId
      ? await this.manager.createMapReduceSession({ id: sessionId, job_id: o.jobId, metadata })
      : await this.manager.createWorkflowSession({
          id: sessionId,
          workflow_name: o.workflowName,
          total_steps: o.totalSteps ?? 0,
          worktree_name: o.worktreeName,
          metadata,
        });
    if (o.jobId) {
      // MapReduce sessions still carry a workflow name for listings.
      await this.manager.update(s.id, { metadata: { workflow_name: o.workflowName } });
    }
    this.sessionId = s.id;
    this.state = {
      ...stateFromSession(s),
      workflow_hash: o.workflowHash ?? null,
      workflow_type: o.workflowType,
      working_directory: o.workingDirectory,
      worktree_name: o.worktreeName ?? null,
      workflow_state: {
        current_iteration: 0,
        current_step: 0,
        total_steps: o.totalSteps ?? 0,
        completed_steps: [],
        workflow_path: o.workflowPath,
        input_args: [],
        map_patterns: [],
        using_worktree: Boolean(o.worktreeName),
      },
      execution_context: { variables: {}, step_outputs: {}, environment: {} },
    };
  }

  async resumeSession(sessionId: string): Promise<SessionState> {
    const s = await this.manager.load(sessionId);
    if (isFinal(s.status)) throw new NotResumableError(sessionId, `it is ${s.status}`);
    if (!this.manager.isInterrupted(s)) {
      const pid = s.metadata[META.ownerPid];
      throw new NotResumableError(sessionId, `it is running in process ${String(pid)} on ${String(s.metadata[META.ownerHost] ?? os.hostname())}`);
    }
    // The claim re-reads the session under its lock: a racer may have moved it on since `s` was read.
    const claimed = await this.manager.claim(sessionId);
    if (isFinal(claimed.status)) {
      this.manager.release(sessionId);
      throw new NotResumableError(sessionId, `it is ${claimed.status}`);
    }
    const running =
      claimed.status === 'Paused' ? await this.manager.transition(sessionId, 'Running') : await this.manager.update(sessionId, { error: null });
    this.sessionId = sessionId;
    this.state = { ...stateFromSession(running), status: 'InProgress' };
    return structuredClone(this.state);
  }

  async updateSession(update: SessionUpdate): Promise<void> {
    const { id, state } = this.current();
    const patch: SessionPatch = {};
    const next: SessionState = { ...state };
    switch (update.type) {
      case 'IncrementIteration':
      case 'CompleteIteration':
        next.iterations_completed += 1;
        patch.workflow = { iterations_completed: next.iterations_completed };
        break;
      case 'StartIteration':
        if (next.workflow_state) next.workflow_state = { ...next.workflow_state, current_iteration: update.iteration };
        break;
      case 'AddFilesChanged':
        next.files_changed += update.count;
        patch.workflow = { files_changed: next.files_changed };
        break;
      case 'UpdateStatus':
        next.status = update.status;
        patch.status = toUnifiedStatus(update.status);
        if (update.status !== 'InProgress') next.ended_at = new Date().toISOString();
        break;
      case 'MarkInterrupted':
        next.status = 'Interrupted';
        patch.status = 'Paused';
        break;
      case 'AddError':
        next.errors = [...next.errors, update.error];
        patch.error = update.error;
        break;
      case 'StartWorkflow':
        next.workflow_started_at = new Date().toISOString();
        break;
      case 'RecordCommandTiming':
        // In place: one timing per step, and a copy of all of them per step was O(steps).
        next.command_timings[update.name] = update.duration;
        patch.timings = { [update.name]: update.duration };
        break;
      case 'UpdateWorkflowState': {
        next.workflow_state = update.state;
        patch.workflow = { current_step: update.state.current_step, total_steps: update.state.total_steps };
        // Only the newly completed steps: the whole list would make every step cost O(steps) on disk.
        const added = addedSteps(state.workflow_state?.completed_steps ?? [], update.state.completed_steps);
        if (added === null) {
          // Something was undone: say the whole list.
          patch.workflow.completed_steps = update.state.completed_steps.filter((r) => r.success).map((r) => r.step_index);
        } else if (added.length > 0) {
          patch.completed_steps_add = added;
        }
        break;
      }
      case 'SetWorkflowHash':
        next.workflow_hash = update.hash;
        patch.metadata = { [META.workflowHash]: update.hash };
        break;
      case 'SetWorkflowType':
        next.workflow_type = update.workflowType;
        patch.metadata = { [META.workflowType]: update.workflowType };
        break;
      case 'UpdateExecutionContext': {
        next.execution_context = update.context;
        if (!this.isWorkflow()) break;
        const before = state.execution_context?.variables ?? {};
        const changed = Object.entries(update.context.variables).filter(([k, v]) => before[k] !== v);
        if (changed.length > 0) patch.variables = Object.fromEntries(changed);
        break;
      }
      case 'StartStep':
        if (next.workflow_state) next.workflow_state = { ...next.workflow_state, current_step: update.index };
        patch.workflow = { current_step: update.index };
        patch.metadata = {
          [META.currentCommand]: update.command,
          [META.stepStartedAt]: new Date().toISOString(),
          [META.outputTail]: [],
        };
        break;
      case 'SetOutputTail':
        patch.metadata = { [META.outputTail]: update.lines };
        break;
      case 'UpdateMapReduce':
        patch.mapreduce = update.data as SessionPatch['mapreduce'];
        break;
      case 'SetMetadata':
        patch.metadata = { [update.key]: update.value };
        break;
    }
    // Nothing for the session file (e.g. a context whose variables did not change): nothing written.
    if (Object.keys(patch).length > 0) await this.manager.record(id, patch);
    this.state = next;
  }

  async completeSession(): Promise<SessionSummary> {
    const { id, state } = this.current();
    const failed = state.status === 'Failed';
    const summary = await this.manager.complete(id, failed ? 'Failed' : 'Completed', failed ? state.errors.at(-1) : undefined);
    this.state = { ...state, status: failed ? 'Failed' : 'Completed', ended_at: new Date().toISOString() };
    return summary;
  }

  /** Lets go of the session (lock released) without finishing it, e.g. after MarkInterrupted. */
  release(): void {
    if (this.sessionId) this.manager.release(this.sessionId);
  }

  /**
   * A copy of the cached state: every object level is copied except the step results and durations,
   * which are treated as values (nothing changes a result once recorded). A deep clone costs O(steps) per call,
   * and the executor asks twice a step.
   */
  getState(): SessionState {
    return copyState(this.current().state);
  }

  async saveState(file: string): Promise<void> {
    await fs.writeFile(file, `${JSON.stringify(this.current().state, null, 2)}\n`);
  }

  async loadState(file: string): Promise<void> {
    this.state = JSON.parse(await fs.readFile(file, 'utf8')) as SessionState;
    this.sessionId = this.state.session_id;
  }

  async loadSession(sessionId: string): Promise<SessionState> {
    return stateFromSession(await this.manager.load(sessionId));
  }

  async saveCheckpoint(state: SessionState): Promise<void> {
    const { id } = this.current();
    // Resume needs the latest state only; older checkpoints stay as history (time, step) without it.
    const cp = await this.manager.createCheckpoint(
      id,
      state as unknown as JsonValue,
      { step: state.workflow_state?.current_step ?? null },
      { compactHistory: true },
    );
    this.state = { ...state, last_checkpoint: cp.id };
  }

  async listResumable(): Promise<SessionInfo[]> {
    const sessions = await this.manager.listResumable({ repo_path: this.options.repoPath });
    return sessions.map((s) => ({
      session_id: s.id,
      status: 'Interrupted',
      started_at: s.started_at,
      workflow_path: typeof s.metadata[META.workflowPath] === 'string' ? (s.metadata[META.workflowPath] as string) : null,
      progress: progressText(s),
    }));
  }

  async getLastInterrupted(): Promise<string | null> {
    return (await this.manager.getLastInterrupted({ repo_path: this.options.repoPath }))?.id ?? null;
  }

  private isWorkflow(): boolean {
    return this.state?.workflow_type !== 'MapReduce';
  }

  private current(): { id: string; state: SessionState } {
    if (!this.sessionId || !this.state) throw new Error('no session started: call startSession or resumeSession first');
    return { id: this.sessionId, state: this.state };
  }
}
