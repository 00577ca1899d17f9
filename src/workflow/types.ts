/** A parsed workflow: plain data, no YAML nodes, so the executor and tests never touch the parser. */
import type { MergeBlock } from './merge-block.js';

/** `shell`/`claude` run a process; the others are step kinds run by src/workflow/steps/. */
export type CommandKind = 'shell' | 'claude' | 'write_file' | 'foreach' | 'validate' | 'analyze';

export interface WriteFileSpec {
  path: string;
  content: string;
  format: 'text' | 'json' | 'yaml';
  /** File mode, e.g. 0o644. */
  mode: number;
  createDirs: boolean;
}

export interface ForeachSpec {
  /** A literal list, or a command whose output lines are the items. */
  items: { list: string[] } | { command: string };
  do: WorkflowCommand[];
  /** How many items at once (1 = one after another; `parallel: true` = 4... see parse). */
  parallel: number;
  continueOnError: boolean;
  maxItems?: number;
}

export interface OnIncomplete {
  commands: WorkflowCommand[];
  maxAttempts: number;
  failWorkflow: boolean;
  commitRequired: boolean;
}

export interface ValidateSpec {
  /** The commands that produce the result (empty when a result_file alone is read). */
  commands: WorkflowCommand[];
  resultFile?: string;
  /** 0..100; complete when the score reaches it. */
  threshold: number;
  timeout?: number;
  onIncomplete?: OnIncomplete;
}

export type Backoff =
  | { kind: 'fixed' }
  | { kind: 'linear'; incrementMs: number }
  | { kind: 'exponential'; base: number }
  | { kind: 'fibonacci' }
  | { kind: 'custom'; delaysMs: number[] };

export type RetryOn = 'network' | 'timeout' | 'server_error' | 'rate_limit' | { pattern: string };

export interface RetrySpec {
  /** Total tries, the first included. */
  attempts: number;
  backoff: Backoff;
  initialDelayMs: number;
  maxDelayMs: number;
  jitter: boolean;
  jitterFactor: number;
  /** Empty: every failure is retried. */
  retryOn: RetryOn[];
  /** After the last try: stop (the step fails) or continue (the failure is tolerated). */
  onFailure: 'stop' | 'continue';
}

export interface CaptureStreams {
  stdout: boolean;
  stderr: boolean;
  exitCode: boolean;
  success: boolean;
  duration: boolean;
}

export type CaptureFormat = 'string' | 'number' | 'json' | 'lines' | 'boolean';

export const CAPTURE_FORMATS: readonly CaptureFormat[] = ['string', 'number', 'json', 'lines', 'boolean'];

export interface FailureHandler {
  /** Commands run when the step fails (usually one; none for `on_failure: true`). */
  commands: WorkflowCommand[];
  /** Handler commands whose failure does not stop the handler (`commands: [{shell, continue_on_error}]`). */
  continueOnError?: boolean[];
  /** How many handler rounds at most (`max_attempts`, also spelled `max_retries`); default 1. */
  maxAttempts: number;
  /** Re-run the failed command after each handler round; default true when maxAttempts > 1. */
  retryOriginal: boolean;
  /** When still failing after the handler: fail the workflow, or carry on (Prodigy's default with a handler). */
  failWorkflow: boolean;
  /** The handler itself failing fails the step, whatever fail_workflow says. */
  handlerFailureFatal: boolean;
  strategy?: 'recovery' | 'fallback' | 'cleanup' | 'custom';
  timeout?: number;
}

export interface WorkflowCommand {
  kind: CommandKind;
  /** The command text before interpolation. */
  text: string;
  /** `name:` beside the command: a label (Prodigy's step name), `${step.name}` when given. */
  name?: string;
  id?: string;
  /** Seconds; the whole process group is killed at expiry. */
  timeout?: number;
  /** Variable the output is captured into (`capture_output: true` captures into `output`). */
  capture?: string;
  captureFormat: CaptureFormat;
  /** In a git repository, the step must create a commit. */
  commitRequired: boolean;
  /** Skip the step unless this expression (after interpolation) holds. */
  when?: string;
  onSuccess?: WorkflowCommand;
  onFailure?: FailureHandler;
  /** Also write the step's output to this file (relative to the working directory). */
  outputFile?: string;
  /** 1-based line of the command in its file, for messages. */
  line: number;
  writeFile?: WriteFileSpec;
  foreach?: ForeachSpec;
  /** The step's own validation (`validate:` field), or the whole step (kind 'validate'). */
  validate?: ValidateSpec;
  retry?: RetrySpec;
  onExitCode?: Record<number, WorkflowCommand>;
  /** Step environment (values interpolated), exported to this step only. */
  env?: Record<string, string>;
  workingDir?: string;
  /** Start from an empty environment (PATH kept so `sh` finds commands). */
  clearEnv?: boolean;
  captureStreams?: CaptureStreams;
  /** `outputs: {name: {file_pattern}}`: files matching each glob, as `${<id>.<name>}`. */
  outputs?: Record<string, string>;
  /** Set when the plan repeats the commands (-n iterations, --args/--map): which round this copy is. */
  iteration?: number;
  /** `$ARG` / `PRODIGY_ARG` for this copy (--args / --map). */
  arg?: string;
}

/** A workflow `env:` value: static text, a command's output, or a choice on a condition. */
export type EnvValue = { static: string } | { command: string; cache: boolean } | { condition: string; whenTrue: string; whenFalse: string };

/** A secret: literal text or `${env:VAR}` (interpolated), or Prodigy's `{provider: env|file, key}`. */
export type SecretValue = { text: string } | { provider: 'env' | 'file'; key: string };

/** Everything about the environment that is decided when the run starts (environment.ts resolves it). */
export interface EnvironmentSpec {
  /** Non-static `env:` entries (static ones are in `env`). */
  dynamic: Record<string, EnvValue>;
  secrets: Record<string, SecretValue>;
  envFiles: string[];
  profiles: Record<string, Record<string, string>>;
}

export interface SequentialWorkflow {
  mode: 'standard';
  name: string;
  env: Record<string, string>;
  commands: WorkflowCommand[];
  environment?: EnvironmentSpec;
  /** Top-level `max_iterations` (the CLI's -n overrides it). */
  maxIterations?: number;
  /** `merge:`: the steps that replace the default merge of the run's branch (run by the CLI). */
  merge?: MergeBlock;
}

/** One line per command, as shown in listings and the dashboard ("shell: make test"). */
export function commandSummary(c: Pick<WorkflowCommand, 'kind' | 'text'>, max = 80): string {
  // A multi-line script reads best as its lines joined the way a shell would take them.
  const flat = c.text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ')
    .replace(/\s+/g, ' ');
  const s = `${c.kind}: ${flat}`;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
