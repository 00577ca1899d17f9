/**
 * Prodigy's legacy command forms, still in its `WorkflowCommand` enum and in the older files of its
 * examples/ folder: a bare string (`- mmm-lint`, `- /mmm-implement-spec $ARG`) and a mapping with
 * `name:` and no step kind (`{name, focus}`, or `{name, args, options, metadata}`). Prodigy runs each
 * as a Claude slash command; so do we, with one warning that says which command it became.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { WorkflowCommand } from './types.js';
import { asBool, asMap, asPositiveInt, asStringMap, asText, entriesOf, type YamlSource } from './yaml-source.js';

const KIND_KEYS = ['claude', 'shell', 'analyze', 'foreach', 'write_file', 'validate', 'test', 'goal_seek', 'handler', 'command'];

/** A string item, or a mapping with `name:` and none of the step kinds. */
export function isLegacyCommand(node: Node | null): boolean {
  if (isScalar(node)) return typeof node.value === 'string';
  if (!isMap(node)) return false;
  const keys = node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : ''));
  return keys.includes('name') && !keys.some((k) => KIND_KEYS.includes(k));
}

/** `--key value` for options; `true` is a bare flag, `false` is left out. */
function optionText(key: string, value: unknown): string {
  if (value === true) return `--${key}`;
  if (value === false || value === null || value === undefined) return '';
  return `--${key} ${typeof value === 'string' ? value : JSON.stringify(value)}`;
}

export function parseLegacyCommand(src: YamlSource, node: Node | null): WorkflowCommand {
  const line = src.position(node).line;
  const cmd: WorkflowCommand = { kind: 'claude', text: '', captureFormat: 'string', commitRequired: false, line };
  if (isScalar(node)) {
    const s = asText(src, node, 'command').trim();
    cmd.text = s.startsWith('/') ? s : `/${s}`;
  } else {
    const entries = entriesOf(src, asMap(src, node, 'command'));
    const parts: string[] = [];
    let name = '';
    for (const e of entries) {
      switch (e.key) {
        case 'name':
          name = asText(src, e.value, 'name').trim().replace(/^\//, '');
          break;
        case 'focus':
          parts.push(optionText('focus', asText(src, e.value, 'focus')));
          break;
        case 'args':
          if (!isSeq(e.value)) throw src.error(e.value, 'args must be a list');
          for (const a of e.value.items) parts.push(asText(src, a as Node, 'args'));
          break;
        case 'options':
          for (const o of entriesOf(src, asMap(src, e.value, 'options'))) parts.push(optionText(o.key, isScalar(o.value) ? o.value.value : undefined));
          break;
        case 'id':
          cmd.id = asText(src, e.value, 'id');
          break;
        case 'metadata':
          for (const m of entriesOf(src, asMap(src, e.value, 'metadata'))) {
            if (m.key === 'timeout') cmd.timeout = asPositiveInt(src, m.value, 'metadata.timeout');
            else if (m.key === 'env') cmd.env = asStringMap(src, m.value, 'metadata.env');
            else if (m.key === 'continue_on_error') {
              if (asBool(src, m.value, 'metadata.continue_on_error')) cmd.onFailure = { commands: [], maxAttempts: 1, retryOriginal: false, failWorkflow: false, handlerFailureFatal: false };
            } else src.warn(m.keyNode, `key "metadata.${m.key}" is ignored: ${m.key === 'retries' ? 'give the step retry: {attempts: N}' : 'not a field of the legacy command form'}`);
          }
          break;
        default:
          src.warn(e.keyNode, `key "${e.key}" is ignored: not a field of the legacy command form {name, args, options, metadata}`);
      }
    }
    if (!name) throw src.error(node, 'a legacy command needs a name:');
    cmd.text = [`/${name}`, ...parts.filter(Boolean)].join(' ');
  }
  src.warn(node, `legacy command form: it runs as claude: "${cmd.text}" (as in Prodigy); write claude: or shell: to say which`);
  return cmd;
}
