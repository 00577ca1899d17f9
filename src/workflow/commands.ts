/**
 * Command forms (`shell:`, `claude:` and their fields) from YAML nodes. Shared with the MapReduce parser
 * (setup, agent_template and reduce are command lists of the same form).
 */
import { isMap, isScalar, type Node } from 'yaml';
import {
  asBool,
  asMap,
  asPositiveInt,
  asSeq,
  asText,
  entriesOf,
  type YamlSource,
} from './yaml-source.js';
import { CAPTURE_FORMATS, type CaptureFormat, type FailureHandler, type WorkflowCommand } from './types.js';

/** Step kinds Prodigy has that this runner does not run yet: refused clearly, never crashed on. */
export const UNSUPPORTED_KINDS = ['foreach', 'write_file', 'validate', 'goal_seek', 'analyze', 'test', 'handler'] as const;

/** Fields Prodigy accepts on a command that we ignore (warned about, not fatal). */
const IGNORED_FIELDS = new Set(['analysis', 'outputs', 'cwd', 'env', 'skip_validation', 'validation_timeout', 'ignore_validation_failure', 'commit_message', 'auto_commit', 'working_dir']);

const HANDLER_FIELDS = new Set(['max_attempts', 'max_retries', 'fail_workflow', 'retry_original', 'commands']);

function parseCaptureFormat(src: YamlSource, node: Node | null): CaptureFormat {
  const v = asText(src, node, 'capture_format');
  if (!(CAPTURE_FORMATS as readonly string[]).includes(v)) throw src.error(node, `capture_format must be one of ${CAPTURE_FORMATS.join(', ')}, not "${v}"`);
  return v as CaptureFormat;
}

function parseCapture(src: YamlSource, node: Node | null, field: string): string | undefined {
  if (isScalar(node) && typeof node.value === 'boolean') return node.value ? 'output' : undefined;
  const name = asText(src, node, field);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw src.error(node, `${field} must be true, false or a variable name, not "${name}"`);
  return name;
}

/** `on_failure`: one command with handler fields beside it, or `{commands: [...], max_attempts, ...}`. */
function parseFailureHandler(src: YamlSource, node: Node | null): FailureHandler {
  const map = asMap(src, node, 'on_failure');
  const entries = entriesOf(src, map);
  const get = (k: string) => entries.find((e) => e.key === k);
  const max = get('max_attempts') ?? get('max_retries');
  const maxAttempts = max ? asPositiveInt(src, max.value, max.key) : 1;
  const retry = get('retry_original');
  const fail = get('fail_workflow');
  const list = get('commands');
  const commands = list
    ? parseCommandList(src, list.value, 'on_failure.commands')
    : [parseCommand(src, node, { handlerFields: true })];
  return {
    commands,
    maxAttempts,
    retryOriginal: retry ? asBool(src, retry.value, 'retry_original') : maxAttempts > 1,
    failWorkflow: fail ? asBool(src, fail.value, 'fail_workflow') : true,
  };
}

/** One command mapping. Exactly one of `shell:` / `claude:`; anything else is refused with its position. */
export function parseCommand(src: YamlSource, node: Node | null, opts: { handlerFields?: boolean } = {}): WorkflowCommand {
  if (isScalar(node) && typeof node.value === 'string') {
    throw src.error(node, `a command must be a mapping such as {shell: "..."} or {claude: "..."}, not the text "${node.value}"`);
  }
  if (!isMap(node)) throw src.error(node, 'a command must be a mapping with shell: or claude:');
  const entries = entriesOf(src, node);
  const kinds = entries.filter((e) => e.key === 'shell' || e.key === 'claude');
  const unsupported = entries.find((e) => (UNSUPPORTED_KINDS as readonly string[]).includes(e.key));
  if (unsupported && kinds.length === 0) throw src.error(unsupported.keyNode, `"${unsupported.key}:" steps are not supported yet`);
  if (kinds.length === 0) {
    const first = entries[0];
    throw src.error(first?.keyNode ?? node, `unknown command form${first ? ` "${first.key}:"` : ''}: expected shell: or claude:`);
  }
  if (kinds.length > 1) throw src.error(kinds[1]!.keyNode, 'a command has either shell: or claude:, not both');
  const kind = kinds[0]!;
  const cmd: WorkflowCommand = {
    kind: kind.key as WorkflowCommand['kind'],
    text: asText(src, kind.value, kind.key),
    captureFormat: 'string',
    commitRequired: false,
    line: src.position(node).line,
  };
  for (const e of entries) {
    switch (e.key) {
      case 'shell':
      case 'claude':
        break;
      case 'id':
        cmd.id = asText(src, e.value, 'id');
        break;
      case 'timeout':
        cmd.timeout = asPositiveInt(src, e.value, 'timeout');
        break;
      case 'capture_output':
      case 'capture':
        cmd.capture = parseCapture(src, e.value, e.key);
        break;
      case 'capture_format':
        cmd.captureFormat = parseCaptureFormat(src, e.value);
        break;
      case 'commit_required':
        cmd.commitRequired = asBool(src, e.value, 'commit_required');
        break;
      case 'when':
        cmd.when = asText(src, e.value, 'when');
        break;
      case 'output_file':
        cmd.outputFile = asText(src, e.value, 'output_file');
        break;
      case 'on_success':
        cmd.onSuccess = parseCommand(src, e.value);
        break;
      case 'on_failure':
        cmd.onFailure = parseFailureHandler(src, e.value);
        break;
      default:
        if (opts.handlerFields && HANDLER_FIELDS.has(e.key)) break;
        if ((UNSUPPORTED_KINDS as readonly string[]).includes(e.key)) throw src.error(e.keyNode, `"${e.key}:" is not supported yet`);
        src.warn(e.keyNode, IGNORED_FIELDS.has(e.key) ? `field "${e.key}" is not supported here and is ignored` : `unknown field "${e.key}" is ignored`);
    }
  }
  return cmd;
}

/** A list of commands (a workflow's `commands:`, or a bare list at the top). Must not be empty. */
export function parseCommandList(src: YamlSource, node: Node | null, what: string): WorkflowCommand[] {
  const seq = asSeq(src, node, what);
  if (seq.items.length === 0) throw src.error(seq, `${what} is empty`);
  return seq.items.map((item) => parseCommand(src, item as Node));
}
