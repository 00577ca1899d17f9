/**
 * The MapReduce job's own state, kept beside the unified session under
 * $PRODIGY_HOME/state/<repo>/mapreduce/jobs/<job-id>/ (job.json, written coalesced by its one owner),
 * its event log (events/<repo>/<job-id>/events-*.jsonl) and dead-letter queue (dlq/<repo>/<job-id>/).
 * The dashboard reads these files; the job runner is their only writer.
 */
import type { JsonValue } from '../session/types.js';
import type { QueueDepth } from './remote.js';

export type WorkItemStatus = 'pending' | 'running' | 'completed' | 'failed' | 'dead';

export interface WorkItemState {
  /** Stable id, `item-<index>` by position in the selected input. */
  id: string;
  index: number;
  item: JsonValue;
  status: WorkItemStatus;
  attempts: number;
  agent_id: string | null;
  started_at: string | null;
  ended_at: string | null;
  exit_code: number | null;
  /** Last few lines of the agent's output (for the dashboard's agent table). */
  output_tail: string[];
  result: JsonValue | null;
  error: string | null;
  /** Process group of the agent's running command, so a resume after a crash can stop orphans. */
  pgid?: number | null;
  /** The item's own git branch (agent worktrees), its commits, and how its merge went. */
  branch?: string | null;
  commits?: number;
  merge?: ItemMergeState | null;
  /** `host:pid` of the queue worker that runs (or ran) the item; absent for local agents. */
  worker?: string | null;
  /** The commit the item's worktree started from, and its branch's tip when it was merged: its commits are base..head. */
  base_commit?: string | null;
  head_commit?: string | null;
}

/** queued: waiting in the serial merge queue; none: the item made no commit. */
export type ItemMergeState = 'queued' | 'merged' | 'conflict' | 'none';

export type JobPhase = 'Setup' | 'Map' | 'Reduce' | 'Complete';

export interface JobState {
  job_id: string;
  session_id: string;
  workflow_name: string;
  workflow_path: string;
  repo: string;
  phase: JobPhase;
  setup_completed: boolean;
  reduce_completed: boolean;
  max_parallel: number;
  created_at: string;
  updated_at: string;
  /** Captured setup variables, restored on resume (setup does not run again). */
  variables: Record<string, string>;
  items: WorkItemState[];
  /** With queue workers: the queue's depth and its live workers, refreshed about once a second while the map runs. */
  queue?: (QueueDepth & { at: string }) | null;
  /** Tries an item gets (max_retries + 1) in the latest map run: the "m" of "attempt n of m". */
  max_attempts?: number;
  /** How the reduce phase went (absent until it starts). */
  reduce?: ReduceResult | null;
  /**
   * Where the event log stood when this state was written (file name in the job's events folder, byte
   * offset): every event before it is reflected here, so a resume replays only the events after it.
   */
  events_mark?: { file: string; offset: number } | null;
}

export interface ReduceResult {
  status: 'running' | 'completed' | 'failed' | 'interrupted';
  started_at: string;
  ended_at: string | null;
  /** The last lines of the reduce commands' output. */
  output_tail: string[];
  error: string | null;
}

export type JobEventType =
  | 'JobStarted'
  | 'PhaseChanged'
  | 'AgentStarted'
  | 'AgentCompleted'
  | 'AgentFailed'
  /** An attempt cut short by an interrupt (Ctrl+C, SIGTERM): not a failure, the item goes back to pending. */
  | 'AgentInterrupted'
  | 'AgentRetried'
  | 'ItemDeadLettered'
  | 'JobCompleted'
  | 'JobFailed'
  | 'JobInterrupted'
  | 'JobResumed'
  /** A dead item sent back to pending by `prodigy dlq retry`. */
  | 'ItemRequeued'
  /** Agent worktrees, with Prodigy's names: created, merged into the session worktree, removed. */
  | 'worktree_created'
  | 'worktree_merged'
  | 'worktree_cleaned';

/** One line of the append-only event log. */
export interface JobEvent {
  timestamp: string;
  job_id: string;
  type: JobEventType;
  item_id?: string;
  agent_id?: string;
  phase?: JobPhase;
  attempt?: number;
  message?: string;
  exit_code?: number | null;
  /** AgentCompleted carries the item's result: the log is the durable record of a completion. */
  result?: JsonValue;
  output_tail?: string[];
  [extra: string]: unknown;
}

/** One dead-letter item file: dlq/<repo>/<job-id>/items/<item-id>.json. */
export interface DlqItem {
  item_id: string;
  item: JsonValue;
  error: string;
  attempts: number;
  output_tail: string[];
  failed_at: string;
  /** Where a failed agent's work was kept for inspection (Prodigy's worktree_artifacts). */
  worktree_artifacts?: { worktree_path: string; branch_name: string };
}
