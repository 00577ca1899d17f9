/** A parsed MapReduce workflow: plain data (no YAML nodes), made by parse.ts, run by runner.ts. */
import type { MergeBlock } from '../workflow/merge-block.js';
import type { WorkflowCommand } from '../workflow/types.js';

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

export interface MapReduceWorkflow {
  mode: 'mapreduce';
  name: string;
  env: Record<string, string>;
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
    agent_timeout_secs?: number;
    agent_template: WorkflowCommand[];
  };
  reduce: WorkflowCommand[];
  error_policy: ErrorPolicy;
  /** `merge:`: the steps that replace the default merge of the session's branch (run by the CLI). */
  merge?: MergeBlock;
}
