/**
 * The executor's view of a session (Prodigy's cook-side `SessionState`) and the updates it sends.
 * The executor never sees `UnifiedSession`; `CookSessionAdapter` translates both ways.
 */
import type { Duration, JsonValue, SessionSummary } from './types.js';

/** Executor-side status; the adapter maps InProgress<->Running and Interrupted<->Paused. */
export type CookStatus = 'InProgress' | 'Completed' | 'Failed' | 'Interrupted';

export type WorkflowType = 'Standard' | 'Iterative' | 'StructuredWithOutputs' | 'MapReduce';

export interface StepResult {
  step_index: number;
  command: string;
  success: boolean;
  output: string | null;
  duration: Duration;
  error: string | null;
  started_at: string;
  completed_at: string;
  exit_code: number | null;
}

export interface WorkflowState {
  current_iteration: number;
  /** Index of the step being run (0-based); equals total_steps when all are done. */
  current_step: number;
  total_steps: number;
  completed_steps: StepResult[];
  workflow_path: string;
  input_args: string[];
  map_patterns: string[];
  using_worktree: boolean;
}

export interface ExecutionContext {
  /** Captured variables and workflow env, restored on resume. */
  variables: Record<string, string>;
  /** Last output by kind: `shell`, `claude`, plus `step_<i>_output`. */
  step_outputs: Record<string, string>;
  environment: Record<string, string>;
}

export interface SessionState {
  session_id: string;
  status: CookStatus;
  started_at: string;
  ended_at: string | null;
  iterations_completed: number;
  files_changed: number;
  errors: string[];
  working_directory: string;
  worktree_name: string | null;
  workflow_started_at: string | null;
  command_timings: Record<string, Duration>;
  workflow_state: WorkflowState | null;
  workflow_hash: string | null;
  workflow_type: WorkflowType | null;
  execution_context: ExecutionContext | null;
  last_checkpoint: string | null;
  checkpoint_version: number;
}

/** Prodigy's SessionUpdate variants, plus the few a live dashboard needs. */
export type SessionUpdate =
  | { type: 'IncrementIteration' }
  | { type: 'AddFilesChanged'; count: number }
  | { type: 'UpdateStatus'; status: CookStatus }
  | { type: 'AddError'; error: string }
  | { type: 'StartWorkflow' }
  | { type: 'StartIteration'; iteration: number }
  | { type: 'CompleteIteration' }
  | { type: 'RecordCommandTiming'; name: string; duration: Duration }
  | { type: 'UpdateWorkflowState'; state: WorkflowState }
  | { type: 'MarkInterrupted' }
  | { type: 'SetWorkflowHash'; hash: string }
  | { type: 'SetWorkflowType'; workflowType: WorkflowType }
  | { type: 'UpdateExecutionContext'; context: ExecutionContext }
  /** The step about to run (before it starts), so watchers see progress without a checkpoint. */
  | { type: 'StartStep'; index: number; command: string }
  /** The last lines of the running step's output (the dashboard's tail); written coalesced. */
  | { type: 'SetOutputTail'; lines: string[] }
  /** MapReduce progress mirrored into the unified session. */
  | {
      type: 'UpdateMapReduce';
      data: Partial<{
        job_id: string;
        phase: 'Setup' | 'Map' | 'Reduce' | 'Complete';
        total_items: number;
        processed_items: number;
        failed_items: number;
        agent_count: number;
        reduce_results: JsonValue;
      }>;
    }
  | { type: 'SetMetadata'; key: string; value: JsonValue };

/** What `listResumable` returns (Prodigy's SessionInfo). */
export interface SessionInfo {
  session_id: string;
  status: CookStatus;
  started_at: string;
  workflow_path: string | null;
  /** e.g. "3/5 steps" or "212/300 items". */
  progress: string;
}

/** A run that works in its own worktree: the user's repository, the worktree's name, what to record. */
export interface RunPlaceRecord {
  repoPath: string;
  worktreeName?: string;
  metadata: Record<string, JsonValue>;
}

export interface StartSessionOptions {
  workflowName: string;
  workflowPath: string;
  workflowType: WorkflowType;
  workingDirectory: string;
  totalSteps?: number;
  workflowHash?: string;
  /** MapReduce sessions carry their job id. */
  jobId?: string;
  /** Extra metadata to record (e.g. per-step command summaries for the dashboard). */
  metadata?: Record<string, JsonValue>;
  /** The user's repository, when the run works elsewhere (its worktree); default workingDirectory. */
  repoPath?: string;
  /** The run's git worktree name (= the session id), recorded as workflow_data.worktree_name. */
  worktreeName?: string;
}

export type { SessionSummary };
