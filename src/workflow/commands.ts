/**
 * Command forms (`shell:`, `claude:`, the other step kinds and their fields) from YAML nodes. Shared with
 * the MapReduce parser (setup, agent_template and reduce are command lists of the same form).
 */
import { isMap, isScalar, type Node } from 'yaml';
import { isLegacyCommand, parseLegacyCommand } from './legacy-command.js';
import { FOREACH_SIBLINGS, parseForeach, parseValidate, parseWriteFile } from './parse-steps.js';
import { parseCaptureStreams, parseFailureHandler, parseOnExitCode, parseOutputs, parseRetry, textStep } from './step-fields.js';
import { CAPTURE_FORMATS, type CaptureFormat, type CommandKind, type WorkflowCommand } from './types.js';
import { asBool, asMap, asPositiveInt, asSeq, asStringMap, asText, entriesOf, type YamlSource } from './yaml-source.js';
import { checkShellStep } from './untrusted-shell.js';

/** The step kinds, in the order Prodigy names them. `test:` is converted to shell. */
const KINDS = ['claude', 'shell', 'analyze', 'foreach', 'write_file', 'validate', 'test'] as const;

/** Fields Prodigy accepts on a command that we cannot honour: warned about with the reason. */
const IGNORED_FIELDS: Record<string, string> = {
  analysis: 'analysis runs are not part of this runner',
  cwd: 'use working_dir:',
  skip_validation: 'validation runs only when a validate: is given',
  validation_timeout: 'use validate.timeout',
  ignore_validation_failure: 'use validate.on_incomplete.fail_workflow: false',
  commit_message: 'commits are made by the commands themselves',
  auto_commit: 'commits are made by the commands themselves (commit_required checks for one)',
  commit_config: 'commits are made by the commands themselves',
  step_validate: 'use validate:',
  options: "Prodigy's older structured command form; put the arguments in the command text",
  args: "Prodigy's older structured command form; put the arguments in the command text",
  metadata: "Prodigy's older structured command form (its continue_on_error: use on_failure: true)",
  output: 'not a Prodigy step field; output_file: writes the output to a file, capture: names it',
  fail_workflow: 'not a step field; it belongs under on_failure: (or validate.on_incomplete:)',
};

function parseCaptureFormat(src: YamlSource, node: Node | null): CaptureFormat {
  const v = asText(src, node, 'capture_format');
  if (!(CAPTURE_FORMATS as readonly string[]).includes(v)) throw src.error(node, `capture_format must be one of ${CAPTURE_FORMATS.join(', ')}, not "${v}"`);
  return v as CaptureFormat;
}

function parseCapture(src: YamlSource, node: Node | null, field: string, kind: CommandKind): string | undefined {
  // `capture_output: true` is Prodigy's deprecated form: the output lands in `<kind>.output`.
  if (isScalar(node) && typeof node.value === 'boolean') return node.value ? (field === 'capture_output' ? 'output' : `${kind}.output`) : undefined;
  const name = asText(src, node, field);
  if (!/^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/.test(name)) throw src.error(node, `${field} must be true, false or a variable name, not "${name}"`);
  return name;
}

export interface ParseCommandOptions {
  /** Keys that belong to the caller (e.g. on_failure's own fields beside its command). */
  extraFields?: readonly string[];
}

/** One command mapping. Exactly one step kind; anything else is refused with its position. */
export function parseCommand(src: YamlSource, node: Node | null, opts: ParseCommandOptions = {}): WorkflowCommand {
  if (isScalar(node) && typeof node.value === 'string') {
    throw src.error(node, `a command must be a mapping such as {shell: "..."} or {claude: "..."}, not the text "${node.value}"`);
  }
  if (!isMap(node)) throw src.error(node, 'a command must be a mapping with shell: or claude:');
  const entries = entriesOf(src, node);
  const goal = entries.find((e) => e.key === 'goal_seek');
  if (goal) throw src.error(goal.keyNode, 'key "goal_seek" is refused: goal_seek was removed from Prodigy; validate: with on_incomplete: replaces it');
  const kinds = entries.filter((e) => (KINDS as readonly string[]).includes(e.key));
  if (kinds.length === 0) {
    const handler = entries.find((e) => e.key === 'handler' || e.key === 'command');
    if (handler) throw src.error(handler.keyNode, `key "${handler.key}" is refused: Prodigy's internal "${handler.key}:" steps cannot be run here; use shell: or claude:`);
    const first = entries[0];
    throw src.error(first?.keyNode ?? node, `a step must have 'claude', 'shell', 'analyze', 'foreach', 'write_file' or 'validate'${first ? ` (found "${first.key}")` : ''}`);
  }
  // A shell/claude step may carry a `validate:` field; any other pair of kinds is ambiguous.
  const main = kinds.find((k) => k.key !== 'validate') ?? kinds[0]!;
  const others = kinds.filter((k) => k !== main && !(k.key === 'validate' && (main.key === 'shell' || main.key === 'claude')));
  if (others.length > 0) throw src.error(others[0]!.keyNode, `a step has one kind: "${main.key}:" and "${others[0]!.key}:" cannot be combined`);

  const cmd: WorkflowCommand = { kind: 'shell', text: '', captureFormat: 'string', commitRequired: false, line: src.position(node).line };
  switch (main.key) {
    case 'shell':
    case 'claude':
      cmd.kind = main.key;
      cmd.text = asText(src, main.value, main.key);
      break;
    case 'test': {
      // Legacy `test: {command, on_failure}`: Prodigy converts it to a shell step and warns.
      src.warn(main.keyNode, 'key "test" is deprecated (as in Prodigy): it runs as shell: with its command; write shell: instead');
      const t = entriesOf(src, asMap(src, main.value, 'test'));
      const c = t.find((e) => e.key === 'command');
      if (!c) throw src.error(main.value, 'test needs command:');
      cmd.text = asText(src, c.value, 'test.command');
      const of = t.find((e) => e.key === 'on_failure');
      if (of) cmd.onFailure = parseFailureHandler(src, of.value);
      for (const e of t) if (e.key !== 'command' && e.key !== 'on_failure') src.warn(e.keyNode, `key "test.${e.key}" is ignored: test takes command and on_failure`);
      break;
    }
    case 'analyze':
      cmd.kind = 'analyze';
      cmd.text = 'analyze';
      src.warn(main.keyNode, 'key "analyze" is ignored: the step is accepted and does nothing here (Prodigy\'s analysis cache is not part of this runner)');
      break;
    case 'write_file':
      cmd.kind = 'write_file';
      cmd.writeFile = parseWriteFile(src, main.value);
      cmd.text = cmd.writeFile.path;
      break;
    case 'foreach':
      cmd.kind = 'foreach';
      cmd.foreach = parseForeach(src, main.value, entries);
      cmd.text = 'command' in cmd.foreach.items ? cmd.foreach.items.command : `${cmd.foreach.items.list.length} items`;
      break;
    case 'validate':
      cmd.kind = 'validate';
      cmd.validate = parseValidate(src, main.value);
      cmd.text = cmd.validate.commands[0]?.text ?? cmd.validate.resultFile ?? 'validate';
      break;
  }
  const flatForeach = cmd.kind === 'foreach' && !isMap(main.value);
  let streams = false;
  let allowFailure = false;
  for (const e of entries) {
    if (e === main) continue;
    switch (e.key) {
      case 'validate':
        cmd.validate = parseValidate(src, e.value);
        break;
      case 'id':
        cmd.id = asText(src, e.value, 'id');
        break;
      case 'name':
        cmd.name = asText(src, e.value, 'name');
        break;
      case 'description':
        // A note for readers (Prodigy's documentation-maintain.yml describes every step): nothing to run.
        asText(src, e.value, 'description');
        break;
      case 'timeout':
        cmd.timeout = asPositiveInt(src, e.value, 'timeout');
        break;
      case 'capture_output':
      case 'capture':
        cmd.capture = parseCapture(src, e.value, e.key, cmd.kind);
        break;
      case 'capture_format':
        cmd.captureFormat = parseCaptureFormat(src, e.value);
        break;
      case 'capture_streams':
        cmd.captureStreams = parseCaptureStreams(src, e.value);
        streams = true;
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
        cmd.onSuccess = isScalar(e.value) ? textStep(src, e.value, 'on_success') : parseCommand(src, e.value);
        break;
      case 'on_failure':
        cmd.onFailure = parseFailureHandler(src, e.value);
        break;
      case 'on_exit_code':
        cmd.onExitCode = parseOnExitCode(src, e.value);
        break;
      case 'retry':
        cmd.retry = parseRetry(src, e.value);
        break;
      case 'env':
        cmd.env = asStringMap(src, e.value, 'env');
        break;
      case 'working_dir':
        cmd.workingDir = asText(src, e.value, 'working_dir');
        break;
      case 'clear_env':
        cmd.clearEnv = asBool(src, e.value, 'clear_env');
        break;
      case 'temporary':
        // Step env never outlives its step here, so `temporary: true` is what always happens.
        asBool(src, e.value, 'temporary');
        break;
      case 'outputs':
        cmd.outputs = parseOutputs(src, e.value);
        break;
      case 'allow_failure':
        // Seen in Prodigy's examples: the step's failure does not fail the workflow (on_failure: true).
        allowFailure = asBool(src, e.value, 'allow_failure');
        break;
      default:
        if (flatForeach && FOREACH_SIBLINGS.includes(e.key)) break;
        if (opts.extraFields?.includes(e.key)) break;
        if (e.key === 'goal_seek') break;
        if (IGNORED_FIELDS[e.key]) src.warn(e.keyNode, `key "${e.key}" is ignored: ${IGNORED_FIELDS[e.key]}`);
        else src.warn(e.keyNode, `key "${e.key}" is ignored: not a Prodigy step field`);
    }
  }
  if (allowFailure && !cmd.onFailure) cmd.onFailure = { commands: [], maxAttempts: 1, retryOriginal: false, failWorkflow: false, handlerFailureFatal: false };
  warnPipeForms(src, main.value, cmd.text);
  warnUnprovided(src, main.value, cmd.text);
  if (streams && cmd.capture === undefined) src.warn(node, 'key "capture_streams" is ignored: it needs capture: <name> on the same step');
  if (cmd.outputs && cmd.id === undefined) throw src.error(node, 'outputs: needs id: on the same step (outputs are read as ${<id>.<name>})');
  checkShellStep(src, main.value, cmd);
  return cmd;
}

/**
 * `${x|default:y}` and `${x|length:n}` appear in Prodigy's examples, but neither Prodigy nor this runner
 * reads a `|` form: the placeholder stays as text and the shell then fails on it. Said before it runs.
 */
function warnPipeForms(src: YamlSource, node: Node | null, text: string): void {
  for (const m of text.matchAll(/\$\{([A-Za-z_][\w.[\]-]*)\|(\w+)(?::([^}]*))?\}/g)) {
    const hint = m[2] === 'default' ? `; write \${${m[1]}:-${m[3] ?? ''}}` : '';
    src.warn(node, `"${m[0]}" is not a Prodigy variable form: it stays as text (a shell may reject it)${hint}`);
  }
}

/** Sources whose `merge:` block is being parsed: `${merge.*}` is known only in its steps. */
const IN_MERGE_BLOCK = new WeakSet<YamlSource>();

export function parsingMergeBlock<T>(src: YamlSource, parse: () => T): T {
  IN_MERGE_BLOCK.add(src);
  try {
    return parse();
  } finally {
    IN_MERGE_BLOCK.delete(src);
  }
}

/**
 * Variables no run gives here would stay as text without a word (or fail the step under --strict):
 * Prodigy's git-context variables (`${step.files_added}`, `${workflow.commits}` ...), not tracked, and
 * `${merge.*}` outside the merge: block. Said before it runs.
 */
function warnUnprovided(src: YamlSource, node: Node | null, text: string): void {
  const git = /\$\{((?:step\.(?:files_added|files_modified|files_deleted|files_changed|commits|commit_count|insertions|deletions))|(?:workflow\.(?:commits|commit_count)))(?::[^}]*)?\}/g;
  for (const m of new Set([...text.matchAll(git)].map((x) => x[0]))) {
    src.warn(node, `"${m}" is not provided here (Prodigy's git-context variables are not tracked): it stays as text, and --strict fails the step`);
  }
  if (IN_MERGE_BLOCK.has(src)) return;
  for (const m of new Set([...text.matchAll(/\$\{merge\.[^}]*\}/g)].map((x) => x[0]))) {
    src.warn(node, `"${m}" is known only in the workflow's merge: block: here it stays as text, and --strict fails the step`);
  }
}

/** A list of commands (a workflow's `commands:`, or a bare list at the top). Must not be empty. */
export function parseCommandList(src: YamlSource, node: Node | null, what: string): WorkflowCommand[] {
  const seq = asSeq(src, node, what);
  if (seq.items.length === 0) throw src.error(seq, `${what} is empty`);
  // Prodigy's legacy forms (a bare string, {name: ...} without a step kind) run as Claude commands there too.
  return seq.items.map((item) => (isLegacyCommand(item as Node) ? parseLegacyCommand(src, item as Node) : parseCommand(src, item as Node)));
}
