/**
 * YAML primitives with positions, shared by every workflow parser (sequential here, MapReduce in
 * src/mapreduce): a document is parsed once with a LineCounter, and every complaint about a node is a
 * `WorkflowParseError` that prints as `file:line:col: message`, so a user can jump straight to it.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';

export class WorkflowParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${col}: ${reason}`);
    this.name = 'WorkflowParseError';
  }
}

/** A non-fatal remark (e.g. a key Prodigy accepts that this runner ignores), printed as a warning. */
export interface ParseWarning {
  line: number;
  col: number;
  message: string;
}

export function formatWarning(file: string, w: ParseWarning): string {
  return `${file}:${w.line}:${w.col}: warning: ${w.message}`;
}

/** One parsed YAML file: its root node and the means to turn a node into a position. */
export class YamlSource {
  readonly warnings: ParseWarning[] = [];

  private constructor(
    readonly file: string,
    readonly root: Node | null,
    private readonly lines: LineCounter,
  ) {}

  /** Parses `text`; throws WorkflowParseError at the first YAML syntax error. */
  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    const first = doc.errors[0];
    if (first) {
      const pos = first.linePos?.[0] ?? { line: 1, col: 1 };
      // The yaml package's messages can span lines (with a code excerpt); the first line says it all.
      const reason = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new WorkflowParseError(file, pos.line, pos.col, reason);
    }
    return new YamlSource(file, (doc.contents as Node | null) ?? null, lines);
  }

  position(node: Node | null | undefined): { line: number; col: number } {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, col: 1 };
    return this.lines.linePos(offset);
  }

  error(node: Node | null | undefined, message: string): WorkflowParseError {
    const { line, col } = this.position(node);
    return new WorkflowParseError(this.file, line, col, message);
  }

  warn(node: Node | null | undefined, message: string): void {
    this.warnings.push({ ...this.position(node), message });
  }
}

/** The entries of a mapping as [key, key node, value node], in file order. Keys must be plain strings. */
export function entriesOf(src: YamlSource, map: YAMLMap): Array<{ key: string; keyNode: Node; value: Node | null }> {
  return map.items.map((pair: Pair) => {
    const keyNode = pair.key as Node;
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') throw src.error(keyNode, 'keys must be plain names');
    return { key: keyNode.value, keyNode, value: (pair.value as Node | null) ?? null };
  });
}

export function asMap(src: YamlSource, node: Node | null, what: string): YAMLMap {
  if (!isMap(node)) throw src.error(node, `${what} must be a mapping`);
  return node;
}

export function asSeq(src: YamlSource, node: Node | null, what: string): YAMLSeq {
  if (!isSeq(node)) throw src.error(node, `${what} must be a list`);
  return node;
}

/** A scalar rendered as text (numbers and booleans too: `shell: 42` is the command "42"). */
export function asText(src: YamlSource, node: Node | null, what: string): string {
  if (!isScalar(node) || node.value === null || typeof node.value === 'object') throw src.error(node, `${what} must be text`);
  return String(node.value);
}

export function asBool(src: YamlSource, node: Node | null, what: string): boolean {
  if (!isScalar(node) || typeof node.value !== 'boolean') throw src.error(node, `${what} must be true or false`);
  return node.value;
}

/** A positive integer, given as a number or as text such as "300". */
export function asPositiveInt(src: YamlSource, node: Node | null, what: string): number {
  const v = isScalar(node) ? node.value : undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n <= 0) throw src.error(node, `${what} must be a positive whole number`);
  return n;
}

/** A map of names to scalar values (an `env:` block), values as text. */
export function asStringMap(src: YamlSource, node: Node | null, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (node === null) return out;
  for (const e of entriesOf(src, asMap(src, node, what))) out[e.key] = asText(src, e.value, `${what}.${e.key}`);
  return out;
}
