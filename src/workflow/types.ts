/** A parsed workflow: plain data, no YAML nodes, so the executor and tests never touch the parser. */

export type CommandKind = 'shell' | 'claude';

export type CaptureFormat = 'string' | 'number' | 'json' | 'lines' | 'boolean';

export const CAPTURE_FORMATS: readonly CaptureFormat[] = ['string', 'number', 'json', 'lines', 'boolean'];

export interface FailureHandler {
  /** Commands run when the step fails (usually one). */
  commands: WorkflowCommand[];
  /** How many handler rounds at most (`max_attempts`, also spelled `max_retries`); default 1. */
  maxAttempts: number;
  /** Re-run the failed command after each handler round; default true when maxAttempts > 1. */
  retryOriginal: boolean;
  /** When still failing after the handler: fail the workflow (default) or carry on (`false`). */
  failWorkflow: boolean;
}

export interface WorkflowCommand {
  kind: CommandKind;
  /** The command text before interpolation. */
  text: string;
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
}

export interface SequentialWorkflow {
  mode: 'standard';
  name: string;
  env: Record<string, string>;
  commands: WorkflowCommand[];
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
