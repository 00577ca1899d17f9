/**
 * The unified session model, spelled exactly as Prodigy 0.4 writes it on disk
 * (see shared/reference/session-format.md). Field names are snake_case on purpose: the object *is* the
 * file, so a file written by Prodigy loads unchanged and a file we write loads in Prodigy. Any field we do
 * not know is kept through the index signature and written back untouched.
 */

export type SessionType = 'Workflow' | 'MapReduce';

export type SessionStatus = 'Initializing' | 'Running' | 'Paused' | 'Completed' | 'Failed' | 'Cancelled';

export { SESSION_STATUSES } from '../storage/session-format.js';

export type MapReducePhase = 'Setup' | 'Map' | 'Reduce' | 'Complete';

/** Rust's `std::time::Duration` as serde writes it. */
export interface Duration {
  secs: number;
  nanos: number;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface WorkflowSession {
  workflow_id: string;
  workflow_name: string;
  current_step: number;
  total_steps: number;
  completed_steps: number[];
  variables: Record<string, string>;
  iterations_completed: number;
  files_changed: number;
  worktree_name: string | null;
  [unknown: string]: unknown;
}

export interface MapReduceSession {
  job_id: string;
  total_items: number;
  processed_items: number;
  failed_items: number;
  agent_count: number;
  phase: MapReducePhase;
  reduce_results: JsonValue | null;
  [unknown: string]: unknown;
}

export interface Checkpoint {
  id: string;
  created_at: string;
  state: JsonValue;
  metadata: Record<string, JsonValue>;
  [unknown: string]: unknown;
}

export interface UnifiedSession {
  id: string;
  session_type: SessionType;
  status: SessionStatus;
  started_at: string;
  updated_at: string;
  completed_at: string | null;
  metadata: Record<string, JsonValue>;
  checkpoints: Checkpoint[];
  timings: Record<string, Duration>;
  error: string | null;
  workflow_data: WorkflowSession | null;
  mapreduce_data: MapReduceSession | null;
  [unknown: string]: unknown;
}

/** What a listing shows of a session (Prodigy's SessionSummary). */
export interface SessionSummary {
  id: string;
  session_type: SessionType;
  status: SessionStatus;
  started_at: string;
  updated_at: string;
  duration: Duration | null;
  metadata: Record<string, JsonValue>;
}

/** Prodigy's SessionFilter; every field optional. `after`/`before` compare against started_at. */
export interface SessionFilter {
  status?: SessionStatus | SessionStatus[];
  session_type?: SessionType;
  after?: Date;
  before?: Date;
  worktree_name?: string;
  /** Sessions started from this repository (metadata.repo_path). */
  repo_path?: string;
  limit?: number;
}

/** Metadata keys this project writes; Prodigy's own keys are left as they are. */
export const META = {
  ownerPid: 'owner_pid',
  ownerHost: 'owner_host',
  /** The owner's process start time and boot (proc-identity.ts): a reused pid is not the owner. */
  ownerStartTicks: 'owner_start_ticks',
  ownerBootId: 'owner_boot_id',
  workflowPath: 'workflow_path',
  workflowHash: 'workflow_hash',
  repoPath: 'repo_path',
  repoName: 'repo_name',
  workflowType: 'workflow_type',
  jobId: 'job_id',
  failedStep: 'failed_step',
  outputTail: 'output_tail',
  /** Per-step command summaries (string[]), written at start so viewers can list pending steps. */
  steps: 'steps',
  /** Summary of the command running now, and when it started (RFC 3339). */
  currentCommand: 'current_command',
  stepStartedAt: 'step_started_at',
  /** The run's git worktree (absent when the run happened in place). */
  worktreePath: 'worktree_path',
  worktreeBranch: 'worktree_branch',
  /** The branch and commit the run started from: where its work merges back. */
  baseBranch: 'base_branch',
  baseCommit: 'base_commit',
  /** The run branch's last commit when it was merged back (the branch itself is deleted then). */
  worktreeMergedHead: 'worktree_merged_head',
} as const;
