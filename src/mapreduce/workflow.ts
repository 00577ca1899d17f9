/** A parsed MapReduce workflow: plain data (no YAML nodes), made by parse.ts, run by runner.ts. */
import type { MergeBlock } from '../workflow/merge-block.js';
import type { EnvironmentSpec, WorkflowCommand } from '../workflow/types.js';

export type OnItemFailure = 'dlq' | 'retry' | 'skip' | 'stop';

export interface ErrorPolicy {
  on_item_failure: OnItemFailure;
  continue_on_failure: boolean;
  max_failures?: number;
  failure_threshold?: number;
  /** Extra attempts per item after the first (each item runs at most max_retries + 1 times per run). */
  max_retries: number;
}

export interface MapInput {
  /** A JSON file (relative to the working directory), or a shell command whose stdout is JSON. */
  kind: 'file' | 'command';
  value: string;
}

/** `max_parallel: ${VAR}` (or agent_timeout_secs): resolved when the run starts, once the run's variables are known. */
export interface NumberRef {
  /** The field, for messages ("max_parallel", "map.agent_timeout_secs"). */
  field: string;
  name: string;
  /** `file:line:col` of the value, for the message when it cannot be resolved. */
  where: string;
}

export interface MapReduceWorkflow {
  mode: 'mapreduce';
  name: string;
  /** Static `env:` values; after prepareMapReduce, every variable of the run (secrets included). */
  env: Record<string, string>;
  /** Dynamic env, secrets, env_files, profiles: resolved at run start (workflow/environment.ts). */
  environment?: EnvironmentSpec;
  setup: WorkflowCommand[];
  map: {
    input: MapInput;
    json_path?: string;
    filter?: string;
    sort_by?: string;
    distinct?: string;
    max_items?: number;
    offset?: number;
    max_parallel: number;
    /** Set when max_parallel names a variable; max_parallel holds 1 until it is resolved. */
    max_parallel_var?: NumberRef;
    agent_timeout_secs?: number;
    /** Set when agent_timeout_secs names a variable. */
    agent_timeout_var?: NumberRef;
    agent_template: WorkflowCommand[];
  };
  reduce: WorkflowCommand[];
  error_policy: ErrorPolicy;
  /** `merge:`: the steps that replace the default merge of the session's branch (run by the CLI). */
  merge?: MergeBlock;
}
