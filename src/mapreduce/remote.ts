/**
 * Agents on other machines: the seam between the job runner and a queue of workers
 * (src/queue/dispatch.ts implements it with BullMQ). The runner stays the single writer of the job's
 * state, events and merges; a dispatcher only moves items out and results back.
 */
import type { JsonValue } from '../session/types.js';
import type { WorkflowCommand } from '../workflow/types.js';

/** What a worker reports for one attempt of an item. */
export interface RemoteItemResult {
  item_id: string;
  attempt: number;
  status: 'success' | 'failed' | 'cancelled';
  error: string | null;
  output: string;
  exit_code: number | null;
  output_tail: string[];
  duration_ms: number;
  started_at: string;
  ended_at: string;
  /** `host:pid` of the worker that ran it. */
  worker: string;
  /** The branch the worker pushed to the shared remote (null: no commits, or no git). */
  branch: string | null;
  head: string | null;
  commits: number;
}

export interface RemoteItemRequest {
  item: { id: string; index: number; item: JsonValue };
  total: number;
  /** 1-based attempt of this run. */
  attempt: number;
  commands: WorkflowCommand[];
  variables: Record<string, string>;
  env: Record<string, string>;
  secrets: Record<string, string>;
  strict: boolean;
  workflowName: string;
}

export type RemoteOutcome = { kind: 'result'; result: RemoteItemResult } | { kind: 'failed'; error: string } | { kind: 'interrupted' };

/** One live queue worker, as the dashboard's workers pane shows it. */
export interface QueueWorkerView {
  worker: string;
  running: number;
  concurrency: number;
  completed: number;
  per_min: number;
  heartbeat_at: string;
  draining: boolean;
}

/** Queue depth (the whole queue: every coordinator on this Redis) and the live workers, for the job header. */
export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  workers: number;
  list?: QueueWorkerView[];
}

export interface RemoteDispatch {
  /** Before the first item: the session worktree's HEAD goes to the shared remote (when isolated). */
  begin(o: { cwd: string; jobId: string; sessionId: string; resumed: boolean; isolated: boolean; onDepth?: (d: QueueDepth) => void }): Promise<void>;
  /** The commit items start from (null without git). */
  readonly base: string | null;
  /** One attempt of an item on some worker; `onWorker` hears which one took it. */
  run(req: RemoteItemRequest, signal: AbortSignal, onWorker: (worker: string) => void): Promise<RemoteOutcome>;
  /** Fetches a result's pushed branch into `localBranch` of the repository at `cwd`. */
  fetch(result: RemoteItemResult, localBranch: string, cwd: string): Promise<void>;
  /** The map is over (done or interrupted): waiting items removed, finished queue jobs and pushed branches cleaned. */
  end(interrupted: boolean): Promise<void>;
}
