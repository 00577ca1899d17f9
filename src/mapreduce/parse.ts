/**
 * `mode: mapreduce` YAML -> MapReduceWorkflow. Pure: the YAML is already parsed (with positions) by the
 * workflow parser, which hands MapReduce files here. Every mistake is one `file:line:col: message`,
 * raised before any session exists. Command lists reuse the workflow parser's command forms.
 */
import { isMap, isScalar, type Node } from 'yaml';
import { parseCommandList } from '../workflow/commands.js';
import { parseMergeBlock } from '../workflow/merge-block.js';
import { defaultWorkflowName } from '../workflow/parse.js';
import {
  asBool,
  asMap,
  asPositiveInt,
  asText,
  entriesOf,
  type YamlSource,
} from '../workflow/yaml-source.js';
import { ExpressionError, compileFilter } from './filter-expr.js';
import { applyJsonPath } from './select.js';
import { parseSortBy } from './sort-by.js';
import { emptyEnvironment, parseEnv, parseEnvironmentKey } from '../workflow/parse-env.js';
import type { WorkflowCommand } from '../workflow/types.js';
import type { ErrorPolicy, MapInput, MapReduceWorkflow, NumberRef, OnItemFailure } from './workflow.js';

/** Top-level keys Prodigy accepts that this runner ignores: a warning, not an error. */
const TOLERATED: Record<string, string> = {
  worktree: 'every agent works in its own worktree already',
  timeout: 'use map.agent_timeout_secs and step timeouts',
  description: 'descriptive only',
  version: 'descriptive only',
  storage: 'sessions always live in the one store under PRODIGY_HOME',
  inputs: 'pass --param on the command line',
  environment: 'use env:',
};
/** map: keys seen in Prodigy's own workflow files that its map phase does not read either: the field that does. */
const MAP_HINTS: Record<string, string> = {
  timeout_per_agent: 'not a Prodigy map field; agent_timeout_secs sets the per-agent timeout',
  retry_on_failure: 'not a Prodigy map field; error_policy.max_retries (or retry_config.max_attempts) sets the retries',
};
const ON_ITEM_FAILURE: readonly OnItemFailure[] = ['dlq', 'retry', 'skip', 'stop'];

type Entry = { key: string; keyNode: Node; value: Node | null };

function get(entries: Entry[], key: string): Entry | undefined {
  return entries.find((e) => e.key === key);
}

/** A command list, or the legacy `{commands: [...], ...}` mapping. */
function commandsOf(src: YamlSource, node: Node | null, what: string) {
  if (isMap(node)) {
    const entries = entriesOf(src, node);
    const list = get(entries, 'commands');
    if (!list) throw src.error(node, `${what} must be a list of commands or a mapping with commands:`);
    let commands = parseCommandList(src, list.value, `${what}.commands`);
    for (const e of entries) {
      if (e.key === 'commands') continue;
      if (e.key === 'timeout') {
        // The phase's timeout is the default of each of its commands.
        const t = asPositiveInt(src, e.value, `${what}.timeout`);
        commands = commands.map((c) => ({ ...c, timeout: c.timeout ?? t }));
      } else if (e.key === 'capture_outputs' && what === 'setup') commands = applyCaptureOutputs(src, e.value, commands);
      else src.warn(e.keyNode, `key "${what}.${e.key}" is ignored: ${what} takes commands${what === 'setup' ? ', timeout and capture_outputs' : ' and timeout'}`);
    }
    return commands;
  }
  return parseCommandList(src, node, what);
}

/**
 * `setup.capture_outputs: {VAR: <command index> | {command_index, ...}}`: the output of that setup
 * command becomes the variable (the same as `capture: VAR` on it).
 */
function applyCaptureOutputs(src: YamlSource, node: Node | null, commands: WorkflowCommand[]): WorkflowCommand[] {
  const out = commands.map((c) => ({ ...c }));
  for (const e of entriesOf(src, asMap(src, node, 'setup.capture_outputs'))) {
    let idxNode = e.value;
    if (isMap(e.value)) {
      const m = entriesOf(src, e.value);
      const ci = get(m, 'command_index');
      if (!ci) throw src.error(e.value, `setup.capture_outputs.${e.key} needs command_index:`);
      idxNode = ci.value;
      for (const x of m) if (x.key !== 'command_index') src.warn(x.keyNode, `key "capture_outputs.${e.key}.${x.key}" is ignored: the command's whole output is captured`);
    }
    const i = asCount(src, idxNode, `setup.capture_outputs.${e.key}`);
    if (i >= out.length) throw src.error(idxNode, `setup.capture_outputs.${e.key}: setup has no command ${i} (it has ${out.length}, counted from 0)`);
    out[i]!.capture = e.key;
  }
  return out;
}

/** A non-negative whole number (offset may be 0). */
function asCount(src: YamlSource, node: Node | null, what: string): number {
  const v = isScalar(node) ? node.value : undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw src.error(node, `${what} must be a whole number`);
  return v;
}

function asFraction(src: YamlSource, node: Node | null, what: string): number {
  const v = isScalar(node) ? node.value : undefined;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw src.error(node, `${what} must be a number between 0 and 1`);
  return v;
}

/**
 * `max_parallel` / `agent_timeout_secs`: a number, or `${VAR}` / `$VAR` naming a variable. The name is
 * resolved when the run starts (resolveNumberRef), after env_files, profile, --param and dynamic env are
 * known; here only its form is checked and where it stands is kept for the message.
 */
function numberOrRef(src: YamlSource, node: Node | null, field: string): number | NumberRef {
  const v = isScalar(node) ? node.value : undefined;
  const ref = typeof v === 'string' ? /^\s*\$(?:\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}|([A-Za-z_][A-Za-z0-9_]*))\s*$/.exec(v) : null;
  if (ref) {
    const { line, col } = src.position(node);
    return { field, name: (ref[1] ?? ref[2])!, where: `${src.file}:${line}:${col}` };
  }
  return asPositiveInt(src, node, field);
}

/** Pure: a NumberRef from the run's variables (then the process environment), or why not. */
function refValue(ref: NumberRef, env: Record<string, string>, processEnv: NodeJS.ProcessEnv): number | { reason: string } {
  const value = env[ref.name] ?? processEnv[ref.name];
  if (value === undefined) return { reason: `${ref.field}: unknown variable \${${ref.name}}` };
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n <= 0) return { reason: `${ref.field}: \${${ref.name}} is "${value}", not a positive whole number` };
  return n;
}

/** The number, or an Error naming file:line:col (the run refuses to start). */
export function resolveNumberRef(ref: NumberRef, env: Record<string, string>, processEnv: NodeJS.ProcessEnv): number {
  const v = refValue(ref, env, processEnv);
  if (typeof v !== 'number') throw new Error(`${ref.where}: ${v.reason}`);
  return v;
}

/** Resolved now when the file or the environment gives the name; else left to the run (1 / none till then). */
function earlyValue(src: YamlSource, node: Node | null, ref: NumberRef, env: Record<string, string>, processEnv: NodeJS.ProcessEnv): number | undefined {
  if (!(ref.name in env) && processEnv[ref.name] === undefined) return undefined;
  const v = refValue(ref, env, processEnv);
  if (typeof v !== 'number') throw src.error(node, v.reason);
  return v;
}

/** Expressions are checked now, so a typo fails before any item runs. */
function checkExpression(src: YamlSource, node: Node | null, what: string, check: (s: string) => unknown): string {
  const text = asText(src, node, what);
  try {
    check(text);
  } catch (err) {
    if (err instanceof ExpressionError) throw src.error(node, `${what}: ${err.reason} at column ${err.offset + 1} of "${text}"`);
    throw src.error(node, `${what}: ${(err as Error).message}`);
  }
  return text;
}

/** A `.json` path is a file; anything else is a command whose stdout is the JSON. */
export function inputOf(text: string): MapInput {
  return /^[\w./~-]+\.json$/i.test(text.trim()) ? { kind: 'file', value: text.trim() } : { kind: 'command', value: text };
}

/** Keys of error_policy that Prodigy also accepts at the top level of a MapReduce workflow. */
const POLICY_KEYS = new Set(['on_item_failure', 'continue_on_failure', 'max_failures', 'failure_threshold', 'retry_config', 'backoff', 'max_retries', 'error_collection']);

function parseErrorPolicy(src: YamlSource, entries: Entry[], base?: ErrorPolicy): ErrorPolicy {
  const policy: ErrorPolicy = base ?? { on_item_failure: 'dlq', continue_on_failure: true, max_retries: 0 };
  let retriesGiven = false;
  for (const e of entries) {
    switch (e.key) {
      case 'on_item_failure': {
        const v = asText(src, e.value, 'on_item_failure');
        if (!(ON_ITEM_FAILURE as readonly string[]).includes(v)) throw src.error(e.value, `on_item_failure must be one of ${ON_ITEM_FAILURE.join(', ')}, not "${v}"`);
        policy.on_item_failure = v as OnItemFailure;
        break;
      }
      case 'continue_on_failure':
        policy.continue_on_failure = asBool(src, e.value, 'continue_on_failure');
        break;
      case 'max_failures':
        policy.max_failures = asCount(src, e.value, 'max_failures');
        break;
      case 'failure_threshold':
        policy.failure_threshold = asFraction(src, e.value, 'failure_threshold');
        break;
      case 'max_retries':
        policy.max_retries = asCount(src, e.value, 'max_retries');
        retriesGiven = true;
        break;
      case 'retry_config': {
        const attempts = get(entriesOf(src, asMap(src, e.value, 'retry_config')), 'max_attempts');
        if (attempts) {
          policy.max_retries = asPositiveInt(src, attempts.value, 'retry_config.max_attempts') - 1;
          retriesGiven = true;
        }
        break;
      }
      case 'backoff':
        src.warn(e.keyNode, 'key "backoff" is ignored: a failed item is retried when a slot frees, without a delay');
        break;
      case 'error_collection':
        src.warn(e.keyNode, 'key "error_collection" is ignored: each failure is reported as it happens (terminal, events, its DLQ entry)');
        break;
      default:
        src.warn(e.keyNode, `key "error_policy.${e.key}" is ignored: not a Prodigy error_policy field`);
    }
  }
  // `on_item_failure: retry` with no count means "try again": two more attempts.
  if (policy.on_item_failure === 'retry' && !retriesGiven && policy.max_retries === 0) policy.max_retries = 2;
  return policy;
}

export function parseMapReduce(src: YamlSource, processEnv: NodeJS.ProcessEnv = process.env): MapReduceWorkflow {
  const root = asMap(src, src.root, 'a MapReduce workflow');
  const entries = entriesOf(src, root);
  const environment = emptyEnvironment();
  const envEntry = get(entries, 'env');
  const env = envEntry ? parseEnv(src, envEntry.value, environment) : {};
  const mapEntry = get(entries, 'map');
  if (!mapEntry) throw src.error(root, 'a MapReduce workflow needs a map: section');
  const wf: MapReduceWorkflow = {
    mode: 'mapreduce',
    name: defaultWorkflowName(src.file),
    env,
    environment,
    setup: [],
    map: { input: { kind: 'file', value: '' }, max_parallel: 1, agent_template: [] },
    reduce: [],
    error_policy: { on_item_failure: 'dlq', continue_on_failure: true, max_retries: 0 },
  };
  for (const e of entries) {
    switch (e.key) {
      case 'mode':
      case 'env':
      case 'map':
        break;
      case 'name':
        wf.name = asText(src, e.value, 'name');
        break;
      case 'setup':
        wf.setup = commandsOf(src, e.value, 'setup');
        break;
      case 'reduce':
        wf.reduce = commandsOf(src, e.value, 'reduce');
        break;
      case 'merge':
        wf.merge = parseMergeBlock(src, e.value);
        break;
      case 'error_policy':
        if (e.value !== null) wf.error_policy = parseErrorPolicy(src, entriesOf(src, asMap(src, e.value, 'error_policy')), wf.error_policy);
        break;
      case 'commands':
        throw src.error(e.keyNode, 'a MapReduce workflow has setup:, map: and reduce:, not commands:');
      default:
        if (parseEnvironmentKey(src, e.key, e.value, environment)) break;
        if (POLICY_KEYS.has(e.key)) wf.error_policy = parseErrorPolicy(src, [e], wf.error_policy);
        else src.warn(e.keyNode, `key "${e.key}" is ignored: ${TOLERATED[e.key] ?? 'not a Prodigy MapReduce workflow key'}`);
    }
  }

  const map = asMap(src, mapEntry.value, 'map');
  const m = entriesOf(src, map);
  let sawInput = false;
  let sawTemplate = false;
  for (const e of m) {
    switch (e.key) {
      case 'input':
        wf.map.input = inputOf(asText(src, e.value, 'map.input'));
        sawInput = true;
        break;
      case 'json_path':
        wf.map.json_path = checkExpression(src, e.value, 'map.json_path', (p) => applyJsonPath({}, p));
        break;
      case 'filter':
        wf.map.filter = checkExpression(src, e.value, 'map.filter', compileFilter);
        break;
      case 'sort_by':
        wf.map.sort_by = checkExpression(src, e.value, 'map.sort_by', parseSortBy);
        break;
      case 'distinct':
        wf.map.distinct = asText(src, e.value, 'map.distinct');
        break;
      case 'max_items':
        wf.map.max_items = asCount(src, e.value, 'map.max_items');
        break;
      case 'offset':
        wf.map.offset = asCount(src, e.value, 'map.offset');
        break;
      case 'max_parallel': {
        const mp = numberOrRef(src, e.value, 'max_parallel');
        if (typeof mp === 'number') wf.map.max_parallel = mp;
        else {
          wf.map.max_parallel_var = mp;
          wf.map.max_parallel = earlyValue(src, e.value, mp, env, processEnv) ?? 1;
        }
        break;
      }
      case 'agent_timeout_secs':
      case 'timeout': {
        const t = numberOrRef(src, e.value, `map.${e.key}`);
        if (typeof t === 'number') wf.map.agent_timeout_secs = t;
        else {
          wf.map.agent_timeout_var = t;
          wf.map.agent_timeout_secs = earlyValue(src, e.value, t, env, processEnv);
        }
        break;
      }
      case 'agent_template':
        wf.map.agent_template = commandsOf(src, e.value, 'map.agent_template');
        sawTemplate = true;
        break;
      default:
        src.warn(e.keyNode, `key "map.${e.key}" is ignored: ${MAP_HINTS[e.key] ?? 'not a map field this runner knows'}`);
    }
  }
  if (!sawInput) throw src.error(mapEntry.keyNode, 'map: needs an input: (a JSON file or a command)');
  if (!sawTemplate) throw src.error(mapEntry.keyNode, 'map: needs an agent_template: (the commands each item runs)');
  return wf;
}
