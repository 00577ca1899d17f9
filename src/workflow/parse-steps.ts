/** Parsing the step kinds beyond shell/claude: `write_file:`, `foreach:`, `validate:`. Pure. */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { parseCommand, parseCommandList } from './commands.js';
import { textStep } from './step-fields.js';
import type { ForeachSpec, OnIncomplete, ValidateSpec, WorkflowCommand, WriteFileSpec } from './types.js';
import { asBool, asMap, asPositiveInt, asSeq, asText, entriesOf, type YamlSource } from './yaml-source.js';

type Entry = ReturnType<typeof entriesOf>[number];
const get = (entries: Entry[], k: string) => entries.find((e) => e.key === k);

/** `parallel: true` runs this many items at once (Prodigy's docs leave the number open). */
export const DEFAULT_FOREACH_PARALLEL = 4;

export function parseWriteFile(src: YamlSource, node: Node | null): WriteFileSpec {
  const entries = entriesOf(src, asMap(src, node, 'write_file'));
  const spec: WriteFileSpec = { path: '', content: '', format: 'text', mode: 0o644, createDirs: false };
  let sawPath = false;
  let sawContent = false;
  for (const e of entries) {
    switch (e.key) {
      case 'path':
        spec.path = asText(src, e.value, 'write_file.path');
        sawPath = true;
        break;
      case 'content':
        spec.content = asText(src, e.value, 'write_file.content');
        sawContent = true;
        break;
      case 'format': {
        const f = asText(src, e.value, 'write_file.format');
        if (f !== 'text' && f !== 'json' && f !== 'yaml') throw src.error(e.value, `write_file.format must be text, json or yaml, not "${f}"`);
        spec.format = f;
        break;
      }
      case 'mode': {
        const v = isScalar(e.value) ? e.value.value : undefined;
        const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '';
        if (!/^0?[0-7]{3,4}$/.test(text)) throw src.error(e.value, `write_file.mode must be an octal mode such as "0644", not "${text}"`);
        spec.mode = Number.parseInt(text, 8);
        break;
      }
      case 'create_dirs':
        spec.createDirs = asBool(src, e.value, 'write_file.create_dirs');
        break;
      default:
        src.warn(e.keyNode, `key "write_file.${e.key}" is ignored: write_file takes path, content, format, mode, create_dirs`);
    }
  }
  if (!sawPath) throw src.error(node, 'write_file needs path:');
  if (!sawContent) throw src.error(node, 'write_file needs content:');
  return spec;
}

/** The item source: a literal list, or a command (its output lines are the items). */
function itemsOf(src: YamlSource, node: Node | null): ForeachSpec['items'] {
  if (isSeq(node)) return { list: node.items.map((it) => (isScalar(it) ? asText(src, it as Node, 'foreach item') : JSON.stringify((it as Node).toJSON()))) };
  return { command: asText(src, node, 'foreach') };
}

/**
 * `foreach:` in both forms: Prodigy's code `foreach: {foreach: <list|cmd>, do: [...], ...}` (its docs
 * spell the inner key `items:`), and the flat one where `do:` and the options sit beside `foreach:`.
 */
export function parseForeach(src: YamlSource, node: Node | null, siblings: Entry[]): ForeachSpec {
  const nested = isMap(node) ? entriesOf(src, node) : null;
  const fields = nested ?? siblings;
  const source = nested ? (get(nested, 'foreach') ?? get(nested, 'items')) : { key: 'foreach', keyNode: node!, value: node };
  if (!source) throw src.error(node, 'foreach needs the items: foreach: <list or command> (or items:)');
  const spec: ForeachSpec = { items: itemsOf(src, source.value), do: [], parallel: 1, continueOnError: false };
  let sawDo = false;
  for (const e of fields) {
    switch (e.key) {
      case 'foreach':
      case 'items':
        break;
      case 'do':
        spec.do = parseCommandList(src, e.value, 'foreach.do');
        sawDo = true;
        break;
      case 'parallel': {
        const v = isScalar(e.value) ? e.value.value : undefined;
        if (typeof v === 'boolean') spec.parallel = v ? DEFAULT_FOREACH_PARALLEL : 1;
        else spec.parallel = asPositiveInt(src, e.value, 'foreach.parallel');
        break;
      }
      case 'continue_on_error':
        spec.continueOnError = asBool(src, e.value, 'foreach.continue_on_error');
        break;
      case 'max_items':
        spec.maxItems = asPositiveInt(src, e.value, 'foreach.max_items');
        break;
      default:
        if (nested) src.warn(e.keyNode, `key "foreach.${e.key}" is ignored: foreach takes foreach/items, do, parallel, continue_on_error, max_items`);
    }
  }
  if (!sawDo) throw src.error(node, 'foreach needs do: [steps]');
  return spec;
}

/** Keys that belong to a flat-form `foreach:` step. */
export const FOREACH_SIBLINGS: readonly string[] = ['do', 'parallel', 'continue_on_error', 'max_items'];

/** A command source in validate / on_incomplete: `shell:`, `claude:` or `commands:` (one of them). */
function sourceCommands(src: YamlSource, entries: Entry[], what: string): WorkflowCommand[] {
  const out: WorkflowCommand[] = [];
  for (const e of entries) {
    if (e.key === 'shell' || e.key === 'claude') out.push({ kind: e.key, text: asText(src, e.value, `${what}.${e.key}`), captureFormat: 'string', commitRequired: false, line: src.position(e.keyNode).line });
    if (e.key === 'commands') out.push(...asSeq(src, e.value, `${what}.commands`).items.map((it) => (isScalar(it) ? textStep(src, it as Node, `${what}.commands`) : parseCommand(src, it as Node))));
  }
  return out;
}

function parseOnIncomplete(src: YamlSource, node: Node | null): OnIncomplete {
  const entries = entriesOf(src, asMap(src, node, 'on_incomplete'));
  const oi: OnIncomplete = { commands: sourceCommands(src, entries, 'on_incomplete'), maxAttempts: 2, failWorkflow: true, commitRequired: false };
  for (const e of entries) {
    switch (e.key) {
      case 'shell':
      case 'claude':
      case 'commands':
        break;
      case 'max_attempts':
        oi.maxAttempts = asPositiveInt(src, e.value, 'on_incomplete.max_attempts');
        break;
      case 'fail_workflow':
        oi.failWorkflow = asBool(src, e.value, 'on_incomplete.fail_workflow');
        break;
      case 'commit_required':
        oi.commitRequired = asBool(src, e.value, 'on_incomplete.commit_required');
        break;
      case 'prompt':
        asText(src, e.value, 'on_incomplete.prompt');
        src.warn(e.keyNode, 'key "on_incomplete.prompt" is ignored: runs here are non-interactive, so the handler commands run without asking');
        break;
      default:
        src.warn(e.keyNode, `key "on_incomplete.${e.key}" is ignored: not a Prodigy on_incomplete field`);
    }
  }
  if (oi.commands.length === 0 && !entries.some((e) => e.key === 'prompt')) throw src.error(node, 'on_incomplete needs claude:, shell: or commands:');
  return oi;
}

export function parseValidate(src: YamlSource, node: Node | null): ValidateSpec {
  const entries = entriesOf(src, asMap(src, node, 'validate'));
  const spec: ValidateSpec = { commands: sourceCommands(src, entries, 'validate'), threshold: 100 };
  for (const e of entries) {
    switch (e.key) {
      case 'shell':
      case 'claude':
      case 'commands':
        break;
      case 'result_file':
        spec.resultFile = asText(src, e.value, 'validate.result_file');
        break;
      case 'threshold': {
        const v = isScalar(e.value) ? e.value.value : undefined;
        if (typeof v !== 'number' || !(v >= 0 && v <= 100)) throw src.error(e.value, 'validate.threshold must be a number from 0 to 100');
        spec.threshold = v;
        break;
      }
      case 'timeout':
        spec.timeout = asPositiveInt(src, e.value, 'validate.timeout');
        break;
      case 'on_incomplete':
        spec.onIncomplete = parseOnIncomplete(src, e.value);
        break;
      case 'expected_schema':
        src.warn(e.keyNode, 'key "validate.expected_schema" is ignored: the result is read in Prodigy\'s two shapes (completion_percentage/status/gaps or complete/score/gaps)');
        break;
      default:
        src.warn(e.keyNode, `key "validate.${e.key}" is ignored: not a Prodigy validate field`);
    }
  }
  if (spec.commands.length === 0 && spec.resultFile === undefined) throw src.error(node, 'validate needs shell:, claude:, commands: or result_file:');
  return spec;
}
