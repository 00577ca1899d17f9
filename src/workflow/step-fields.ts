/**
 * Parsing the step fields that have several forms in Prodigy: `on_failure`, `retry`, `on_exit_code`,
 * `capture_streams`, `outputs`. Pure (YAML nodes in, data out); every refusal names file:line:col.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { parseCommand } from './commands.js';
import { parseDurationMs } from './durations.js';
import type { Backoff, CaptureStreams, FailureHandler, RetryOn, RetrySpec, WorkflowCommand } from './types.js';
import { asBool, asMap, asPositiveInt, asSeq, asText, entriesOf, type YamlSource } from './yaml-source.js';

type Entry = ReturnType<typeof entriesOf>[number];
const get = (entries: Entry[], k: string) => entries.find((e) => e.key === k);

/** A text step: starting with `/` it is a claude command, else shell (Prodigy's rule for on_failure strings). */
export function textStep(src: YamlSource, node: Node | null, what: string): WorkflowCommand {
  const text = asText(src, node, what);
  return { kind: text.trimStart().startsWith('/') ? 'claude' : 'shell', text, captureFormat: 'string', commitRequired: false, line: src.position(node).line };
}

export function asDurationMs(src: YamlSource, node: Node | null, what: string): number {
  const v = isScalar(node) ? node.value : undefined;
  const ms = typeof v === 'number' || typeof v === 'string' ? parseDurationMs(v) : null;
  if (ms === null) throw src.error(node, `${what} must be a duration such as "1s", "500ms" or "2m"`);
  return ms;
}

const HANDLER_KEYS = new Set(['max_attempts', 'max_retries', 'fail_workflow', 'retry_original', 'handler_failure_fatal', 'strategy', 'timeout', 'capture', 'commands']);
const STRATEGIES = ['recovery', 'fallback', 'cleanup', 'custom'] as const;

/**
 * Every `on_failure` form. The default follows Prodigy: with a handler the workflow does not fail
 * (fail_workflow false); `on_failure: false` means no handler (fail), `true` means ignore the failure.
 */
export function parseFailureHandler(src: YamlSource, node: Node | null): FailureHandler {
  const base: FailureHandler = { commands: [], maxAttempts: 1, retryOriginal: false, failWorkflow: false, handlerFailureFatal: false };
  if (isScalar(node) && typeof node.value === 'boolean') return { ...base, failWorkflow: !node.value };
  if (isScalar(node)) return { ...base, commands: [textStep(src, node, 'on_failure')] };
  if (isSeq(node)) {
    return { ...base, commands: node.items.map((it) => (isScalar(it) ? textStep(src, it as Node, 'on_failure') : parseCommand(src, it as Node))) };
  }
  const map = asMap(src, node, 'on_failure');
  const entries = entriesOf(src, map);
  const max = get(entries, 'max_attempts') ?? get(entries, 'max_retries');
  const h: FailureHandler = { ...base, maxAttempts: max ? asPositiveInt(src, max.value, max.key) : 1 };
  const retry = get(entries, 'retry_original');
  h.retryOriginal = retry ? asBool(src, retry.value, 'retry_original') : h.maxAttempts > 1;
  const fail = get(entries, 'fail_workflow');
  if (fail) h.failWorkflow = asBool(src, fail.value, 'on_failure.fail_workflow');
  const fatal = get(entries, 'handler_failure_fatal');
  if (fatal) h.handlerFailureFatal = asBool(src, fatal.value, 'handler_failure_fatal');
  const timeout = get(entries, 'timeout');
  if (timeout) h.timeout = asPositiveInt(src, timeout.value, 'on_failure.timeout');
  const strategy = get(entries, 'strategy');
  if (strategy) {
    const s = asText(src, strategy.value, 'strategy');
    if (!(STRATEGIES as readonly string[]).includes(s)) throw src.error(strategy.value, `on_failure.strategy must be one of ${STRATEGIES.join(', ')}, not "${s}"`);
    h.strategy = s as FailureHandler['strategy'];
  }
  const capture = get(entries, 'capture');
  if (capture) src.warn(capture.keyNode, 'key "on_failure.capture" is ignored: handler output is available as ${shell.output} / ${last.output}');
  const list = get(entries, 'commands');
  if (list) {
    const seq = asSeq(src, list.value, 'on_failure.commands');
    h.continueOnError = [];
    h.commands = seq.items.map((it) => {
      const n = it as Node;
      if (isScalar(n)) {
        h.continueOnError!.push(false);
        return textStep(src, n, 'on_failure.commands');
      }
      const cont = isMap(n) ? get(entriesOf(src, n), 'continue_on_error') : undefined;
      h.continueOnError!.push(cont ? asBool(src, cont.value, 'continue_on_error') : false);
      return parseCommand(src, n, { extraFields: ['continue_on_error'] });
    });
    if (h.commands.length === 0) throw src.error(list.value, 'on_failure.commands is empty');
    return h;
  }
  const hasStep = entries.some((e) => !HANDLER_KEYS.has(e.key));
  if (hasStep) h.commands = [parseCommand(src, node, { extraFields: [...HANDLER_KEYS] })];
  return h;
}

function parseBackoff(src: YamlSource, node: Node | null, initialMs: () => number): Backoff {
  if (isScalar(node)) {
    const v = asText(src, node, 'retry.backoff');
    switch (v) {
      case 'fixed':
      case 'fibonacci':
        return { kind: v };
      case 'linear':
        return { kind: 'linear', incrementMs: initialMs() };
      case 'exponential':
        return { kind: 'exponential', base: 2 };
      default:
        throw src.error(node, `retry.backoff must be fixed, linear, exponential, fibonacci or custom, not "${v}"`);
    }
  }
  const entries = entriesOf(src, asMap(src, node, 'retry.backoff'));
  if (entries.length !== 1) throw src.error(node, 'retry.backoff is one of fixed, {linear: {increment}}, {exponential: {base}}, fibonacci, {custom: {delays}}');
  const [e] = entries as [Entry];
  const inner = e.value === null || (isScalar(e.value) && e.value.value === null) ? [] : entriesOf(src, asMap(src, e.value, `retry.backoff.${e.key}`));
  switch (e.key) {
    case 'fixed':
    case 'fibonacci':
      return { kind: e.key };
    case 'linear': {
      const inc = get(inner, 'increment');
      return { kind: 'linear', incrementMs: inc ? asDurationMs(src, inc.value, 'retry.backoff.linear.increment') : initialMs() };
    }
    case 'exponential': {
      const b = get(inner, 'base');
      const base = b && isScalar(b.value) ? b.value.value : 2;
      if (typeof base !== 'number' || !(base >= 1)) throw src.error(b?.value ?? e.value, 'retry.backoff.exponential.base must be a number of at least 1');
      return { kind: 'exponential', base };
    }
    case 'custom': {
      const d = get(inner, 'delays');
      if (!d) throw src.error(e.keyNode, 'retry.backoff.custom needs delays: [...]');
      const delays = asSeq(src, d.value, 'retry.backoff.custom.delays').items.map((it) => asDurationMs(src, it as Node, 'retry.backoff.custom.delays'));
      if (delays.length === 0) throw src.error(d.value, 'retry.backoff.custom.delays is empty');
      return { kind: 'custom', delaysMs: delays };
    }
    default:
      throw src.error(e.keyNode, `retry.backoff must be fixed, linear, exponential, fibonacci or custom, not "${e.key}"`);
  }
}

const RETRY_ON = ['network', 'timeout', 'server_error', 'rate_limit'] as const;

export function parseRetry(src: YamlSource, node: Node | null): RetrySpec {
  const entries = entriesOf(src, asMap(src, node, 'retry'));
  const spec: RetrySpec = { attempts: 3, backoff: { kind: 'exponential', base: 2 }, initialDelayMs: 1000, maxDelayMs: 30_000, jitter: false, jitterFactor: 0.3, retryOn: [], onFailure: 'stop' };
  const init = get(entries, 'initial_delay');
  if (init) spec.initialDelayMs = asDurationMs(src, init.value, 'retry.initial_delay');
  for (const e of entries) {
    switch (e.key) {
      case 'attempts':
        spec.attempts = asPositiveInt(src, e.value, 'retry.attempts');
        break;
      case 'backoff':
        spec.backoff = parseBackoff(src, e.value, () => spec.initialDelayMs);
        break;
      case 'initial_delay':
        break;
      case 'max_delay':
        spec.maxDelayMs = asDurationMs(src, e.value, 'retry.max_delay');
        break;
      case 'jitter':
        spec.jitter = asBool(src, e.value, 'retry.jitter');
        break;
      case 'jitter_factor': {
        const v = isScalar(e.value) ? e.value.value : undefined;
        if (typeof v !== 'number' || v < 0 || v > 1) throw src.error(e.value, 'retry.jitter_factor must be a number between 0 and 1');
        spec.jitterFactor = v;
        break;
      }
      case 'retry_on':
        spec.retryOn = asSeq(src, e.value, 'retry.retry_on').items.map((it): RetryOn => {
          const n = it as Node;
          if (isMap(n)) {
            const p = get(entriesOf(src, n), 'pattern');
            if (!p) throw src.error(n, 'retry.retry_on entries are network, timeout, server_error, rate_limit or {pattern: regex}');
            const pattern = asText(src, p.value, 'retry_on.pattern');
            try {
              new RegExp(pattern);
            } catch (err) {
              throw src.error(p.value, `retry_on.pattern is not a valid regular expression: ${(err as Error).message}`);
            }
            return { pattern };
          }
          const v = asText(src, n, 'retry.retry_on');
          if (!(RETRY_ON as readonly string[]).includes(v)) throw src.error(n, `retry.retry_on must be one of ${RETRY_ON.join(', ')} or {pattern: regex}, not "${v}"`);
          return v as RetryOn;
        });
        break;
      case 'on_failure': {
        if (isScalar(e.value) && (e.value.value === 'stop' || e.value.value === 'continue')) spec.onFailure = e.value.value;
        else if (isMap(e.value) && get(entriesOf(src, e.value), 'fallback')) src.warn(e.keyNode, 'key "retry.on_failure.fallback" is ignored: use the step\'s on_failure: for a fallback command (the step fails as with stop)');
        else throw src.error(e.value, 'retry.on_failure must be stop, continue or {fallback: {command}}');
        break;
      }
      case 'retry_budget':
        src.warn(e.keyNode, 'key "retry_budget" is ignored: the attempts and max_delay bound the retries');
        break;
      default:
        src.warn(e.keyNode, `key "retry.${e.key}" is ignored: not a Prodigy retry field`);
    }
  }
  if (spec.initialDelayMs > spec.maxDelayMs) spec.maxDelayMs = spec.initialDelayMs;
  return spec;
}

export function parseOnExitCode(src: YamlSource, node: Node | null): Record<number, WorkflowCommand> {
  const out: Record<number, WorkflowCommand> = {};
  const map = asMap(src, node, 'on_exit_code');
  for (const pair of map.items) {
    const k = pair.key as Node;
    const code = isScalar(k) ? Number(k.value) : Number.NaN;
    if (!Number.isInteger(code) || code < 0 || code > 255) throw src.error(k, 'on_exit_code keys must be exit codes (0-255)');
    const v = (pair.value as Node | null) ?? null;
    out[code] = isScalar(v) ? textStep(src, v, `on_exit_code.${code}`) : parseCommand(src, v);
  }
  return out;
}

export function parseCaptureStreams(src: YamlSource, node: Node | null): CaptureStreams {
  const s: CaptureStreams = { stdout: true, stderr: false, exitCode: true, success: true, duration: false };
  const flag = (n: Node | null, what: string) => {
    // Prodigy's docs write string values ("true"); its code takes booleans.
    if (isScalar(n) && (n.value === 'true' || n.value === 'false')) return n.value === 'true';
    return asBool(src, n, what);
  };
  for (const e of entriesOf(src, asMap(src, node, 'capture_streams'))) {
    const key = ({ stdout: 'stdout', stderr: 'stderr', exit_code: 'exitCode', success: 'success', duration: 'duration' } as const)[e.key as 'stdout'];
    if (!key) src.warn(e.keyNode, `key "capture_streams.${e.key}" is ignored: streams are stdout, stderr, exit_code, success, duration`);
    else s[key] = flag(e.value, `capture_streams.${e.key}`);
  }
  return s;
}

export function parseOutputs(src: YamlSource, node: Node | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entriesOf(src, asMap(src, node, 'outputs'))) {
    const p = get(entriesOf(src, asMap(src, e.value, `outputs.${e.key}`)), 'file_pattern');
    if (!p) throw src.error(e.value, `outputs.${e.key} needs file_pattern:`);
    out[e.key] = asText(src, p.value, `outputs.${e.key}.file_pattern`);
  }
  return out;
}

