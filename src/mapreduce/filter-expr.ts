/**
 * Prodigy's `map.filter` expressions, compiled once and evaluated per item. Pure.
 *
 *   item.score >= 5 && item.kind == 'bug' || !(item.skip == true)
 *
 * Grammar: `||` binds loosest, then `&&`, then `!`, then one comparison (`==`/`=`, `!=`, `<`, `<=`, `>`,
 * `>=`) between operands; operands are dotted fields (with or without `item.`), numbers, strings in
 * single or double quotes, `true`, `false`, `null`, or a parenthesised expression. A missing field is
 * `null`. Ordering compares numbers with numbers and strings with strings; anything else is false, so a
 * filter never throws on odd data. A bare operand is true when it is `true`, a non-zero number, a
 * non-empty string, or an object.
 */
import type { JsonValue } from '../session/types.js';
import { getField, pathSegments } from './field-path.js';

export class ExpressionError extends Error {
  constructor(
    readonly expression: string,
    /** 0-based offset into the expression. */
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${reason} at column ${offset + 1} of "${expression}"`);
    this.name = 'ExpressionError';
  }
}

type Token =
  | { kind: 'op'; value: string; at: number }
  | { kind: 'num'; value: number; at: number }
  | { kind: 'str'; value: string; at: number }
  | { kind: 'word'; value: string; at: number }
  | { kind: 'end'; at: number };

const OPS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '=', '!', '(', ')'];

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ kind: 'op', value: op, at: i });
      i += op.length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        text += src[j];
        j++;
      }
      if (j >= src.length) throw new ExpressionError(src, i, 'unterminated string');
      out.push({ kind: 'str', value: text, at: i });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ kind: 'num', value: Number(num[0]), at: i });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*/.exec(src.slice(i));
    if (word) {
      out.push({ kind: 'word', value: word[0], at: i });
      i += word[0].length;
      continue;
    }
    throw new ExpressionError(src, i, `unexpected "${c}"`);
  }
  out.push({ kind: 'end', at: src.length });
  return out;
}

type Value = JsonValue;
type Eval = (item: JsonValue) => Value;

function truthy(v: Value): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  return true;
}

function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function order(op: string, a: Value, b: Value): boolean {
  const comparable = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
  if (!comparable) return false;
  const x = a as number | string;
  const y = b as number | string;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

class Parser {
  private pos = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  parse(): Eval {
    const e = this.or();
    const t = this.peek();
    if (t.kind !== 'end') throw this.error(t, 'unexpected input');
    return e;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.value === v;
  }

  private error(t: Token, reason: string): ExpressionError {
    return new ExpressionError(this.src, t.at, t.kind === 'end' ? `${reason}: expression ends too early` : reason);
  }

  private or(): Eval {
    let left = this.and();
    while (this.isOp('||')) {
      this.pos++;
      const l = left;
      const r = this.and();
      left = (item) => truthy(l(item)) || truthy(r(item));
    }
    return left;
  }

  private and(): Eval {
    let left = this.not();
    while (this.isOp('&&')) {
      this.pos++;
      const l = left;
      const r = this.not();
      left = (item) => truthy(l(item)) && truthy(r(item));
    }
    return left;
  }

  private not(): Eval {
    if (this.isOp('!')) {
      this.pos++;
      const inner = this.not();
      return (item) => !truthy(inner(item));
    }
    return this.comparison();
  }

  private comparison(): Eval {
    const left = this.operand();
    const t = this.peek();
    if (t.kind !== 'op' || !['==', '=', '!=', '<', '<=', '>', '>='].includes(t.value)) return left;
    this.pos++;
    const right = this.operand();
    switch (t.value) {
      case '==':
      case '=':
        return (item) => equal(left(item), right(item));
      case '!=':
        return (item) => !equal(left(item), right(item));
      default:
        return (item) => order(t.value, left(item), right(item));
    }
  }

  private operand(): Eval {
    const t = this.peek();
    this.pos++;
    if (t.kind === 'op' && t.value === '(') {
      const inner = this.or();
      if (!this.isOp(')')) throw this.error(this.peek(), 'expected ")"');
      this.pos++;
      return inner;
    }
    if (t.kind === 'num' || t.kind === 'str') {
      const v = t.value;
      return () => v;
    }
    if (t.kind === 'word') {
      if (t.value === 'true') return () => true;
      if (t.value === 'false') return () => false;
      if (t.value === 'null') return () => null;
      const segments = pathSegments(t.value);
      return (item) => getField(item, segments) ?? null;
    }
    throw this.error(t, 'expected a field, number, string, true, false or null');
  }
}

/** Compiles a filter; throws ExpressionError (with the column) on bad syntax. */
export function compileFilter(expression: string): (item: JsonValue) => boolean {
  const e = new Parser(expression, tokenize(expression)).parse();
  return (item) => truthy(e(item));
}
