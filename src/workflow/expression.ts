/**
 * The one expression grammar of `map.filter` and `when:`, parsed by jsep (a maintained expression
 * parser) and evaluated here. Pure.
 *
 *   item.score >= 5 AND item.kind == 'bug' OR NOT item.path starts_with 'vendor/'
 *   item.status in ['open', 'new'] && item.title matches '^fix' && !(item.tags contains 'wip')
 *   item.owner is_null            is_null(item.owner)          is_not_null(item.owner)
 *
 * Operators: `||`/`OR` (loosest), `&&`/`AND`, `!`/`NOT`, comparisons `==` (`=`), `!=`, `<`, `<=`, `>`,
 * `>=`, and `in [...]`, `matches 'regex'`, `contains`, `starts_with`, `ends_with`. `NOT a op b` means
 * NOT (a op b). No arithmetic: `/` and `-` are name characters, so `feature/x-1` is one word.
 *
 * The two type rules:
 *  1. `filter` (fields): a name is a field of the item with its JSON type (with or without `item.`);
 *     a missing field is null. `==` is JSON equality (5 and "5" differ); ordering compares numbers
 *     with numbers and strings with strings, anything else is false, so a filter never throws on odd
 *     data.
 *  2. `when` (text): the expression is read after interpolation, so every operand is text (a bare word
 *     is itself). A comparison is numeric when both sides read as numbers, else textual. Text is false
 *     when it is '', 'false', '0' or 'null'.
 */
import jsep from 'jsep';
import type { JsonValue } from '../session/types.js';

for (const op of ['+', '*', '/', '%', '-', '|', '^', '&', '<<', '>>', '>>>', '??']) jsep.removeBinaryOp(op);
for (const op of ['~', '+', '-']) jsep.removeUnaryOp(op);
jsep.addBinaryOp('OR', 1);
jsep.addBinaryOp('AND', 2);
for (const op of ['in', 'matches', 'contains', 'starts_with', 'ends_with']) jsep.addBinaryOp(op, 6);
jsep.addUnaryOp('NOT');
jsep.addIdentifierChar('/');
jsep.addIdentifierChar('-');

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

type Node = jsep.Expression;
export type Mode = 'fields' | 'text';
type Value = JsonValue;

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=', 'in', 'matches', 'contains', 'starts_with', 'ends_with']);

/** Outside quotes: a lone `=` is `==`, `a.0.b` is `a[0].b`, and `x is_null` / `x is_not_null` are the function forms. */
export function normalise(src: string): string {
  const fixBare = (t: string) =>
    t
      .replace(/(^|[^=!<>])=(?!=)/g, '$1==')
      .replace(/([A-Za-z_\]])\.(\d+)\b/g, '$1[$2]')
      .replace(/([A-Za-z_][\w./\-[\]]*)\s+is_(not_)?null\b/g, (_m, name: string, not: string | undefined) => `is_${not ?? ''}null(${name})`);
  let out = '';
  let bare = '';
  let quote: string | null = null;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quote) {
      out += c;
      if (c === '\\') {
        out += src[i + 1] ?? '';
        i++;
      } else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      out += fixBare(bare) + c;
      bare = '';
      quote = c;
    } else bare += c;
  }
  return out + fixBare(bare);
}

/** `NOT a in b` reads as NOT (a in b), as in Prodigy's keyword form. */
function liftNot(n: Node): Node {
  if (n.type === 'BinaryExpression') {
    const b = n as jsep.BinaryExpression;
    const left = liftNot(b.left);
    const right = liftNot(b.right);
    if (COMPARISONS.has(b.operator) && left.type === 'UnaryExpression' && (left as jsep.UnaryExpression).operator === 'NOT') {
      return { type: 'UnaryExpression', operator: 'NOT', prefix: true, argument: { type: 'BinaryExpression', operator: b.operator, left: (left as jsep.UnaryExpression).argument, right } } as Node;
    }
    return { ...b, left, right };
  }
  if (n.type === 'UnaryExpression') return { ...n, argument: liftNot((n as jsep.UnaryExpression).argument) } as Node;
  return n;
}

export function parseExpression(expression: string): Node {
  if (expression.trim() === '') throw new ExpressionError(expression, 0, 'the expression is empty');
  try {
    return liftNot(jsep(normalise(expression)));
  } catch (err) {
    const e = err as Error & { index?: number; description?: string };
    throw new ExpressionError(expression, Math.min(e.index ?? 0, expression.length), e.description ?? e.message.replace(/ at character \d+$/, ''));
  }
}

/** A dotted name (`item.a.b[0]`) as path segments, or null when the node is not a name. */
function pathOf(n: Node): string[] | null {
  if (n.type === 'Identifier') return [(n as jsep.Identifier).name];
  if (n.type === 'MemberExpression') {
    const m = n as jsep.MemberExpression;
    const base = pathOf(m.object);
    if (!base) return null;
    if (m.computed) return m.property.type === 'Literal' ? [...base, String((m.property as jsep.Literal).value)] : null;
    return m.property.type === 'Identifier' ? [...base, (m.property as jsep.Identifier).name] : null;
  }
  return null;
}

function field(item: Value, segs: string[]): Value {
  let cur: Value | undefined = item;
  for (const s of segs[0] === 'item' ? segs.slice(1) : segs) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return null;
    cur = Array.isArray(cur) ? (/^\d+$/.test(s) ? cur[Number(s)] : undefined) : Object.hasOwn(cur, s) ? cur[s] : undefined;
  }
  return cur === undefined ? null : cur;
}

const isNum = (v: Value) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)));

function truthy(v: Value, mode: Mode): boolean {
  if (mode === 'text') {
    const t = String(v ?? '').trim().toLowerCase();
    return !(t === '' || t === 'false' || t === '0' || t === 'null');
  }
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  return true;
}

function equal(a: Value, b: Value, mode: Mode): boolean {
  if (mode === 'text') return isNum(a) && isNum(b) ? Number(a) === Number(b) : String(a) === String(b);
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function order(op: string, a: Value, b: Value, mode: Mode): boolean {
  let x: number | string;
  let y: number | string;
  if (mode === 'text') [x, y] = isNum(a) && isNum(b) ? [Number(a), Number(b)] : [String(a), String(b)];
  else if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) [x, y] = [a, b];
  else return false;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

type Eval = (item: Value) => Value;

function compileNode(n: Node, mode: Mode, src: string): Eval {
  const fail = (why: string): never => {
    throw new ExpressionError(src, 0, why);
  };
  switch (n.type) {
    case 'Literal': {
      const v = (n as jsep.Literal).value as Value;
      return () => v;
    }
    case 'ArrayExpression': {
      const els = (n as jsep.ArrayExpression).elements.map((e) => (e ? compileNode(e, mode, src) : () => null));
      return (item) => els.map((e) => e(item));
    }
    case 'Identifier':
    case 'MemberExpression': {
      const segs = pathOf(n) ?? fail('only names, literals and lists can be operands');
      const name = segs.join('.');
      if (name === 'true' || name === 'false') return () => (mode === 'text' ? name : name === 'true');
      if (name === 'null') return () => (mode === 'text' ? 'null' : null);
      if (mode === 'text') return () => name;
      if (/^-?\d+(\.\d+)?$/.test(name)) return () => Number(name);
      return (item) => field(item, segs);
    }
    case 'CallExpression': {
      const c = n as jsep.CallExpression;
      const fn = c.callee.type === 'Identifier' ? (c.callee as jsep.Identifier).name : '';
      if ((fn !== 'is_null' && fn !== 'is_not_null') || c.arguments.length !== 1) fail(`unknown function "${fn || '?'}" (is_null and is_not_null take one field)`);
      const arg = compileNode(c.arguments[0]!, mode, src);
      const isNull = (v: Value) => v === null || (mode === 'text' && (v === '' || v === 'null'));
      return fn === 'is_null' ? (item) => isNull(arg(item)) : (item) => !isNull(arg(item));
    }
    case 'UnaryExpression': {
      const u = n as jsep.UnaryExpression;
      const arg = compileNode(u.argument, mode, src);
      return (item) => !truthy(arg(item), mode);
    }
    case 'BinaryExpression': {
      const b = n as jsep.BinaryExpression;
      const l = compileNode(b.left, mode, src);
      const r = compileNode(b.right, mode, src);
      switch (b.operator) {
        case '||':
        case 'OR':
          return (item) => truthy(l(item), mode) || truthy(r(item), mode);
        case '&&':
        case 'AND':
          return (item) => truthy(l(item), mode) && truthy(r(item), mode);
        case '==':
          return (item) => equal(l(item), r(item), mode);
        case '!=':
          return (item) => !equal(l(item), r(item), mode);
        case '<':
        case '<=':
        case '>':
        case '>=':
          return (item) => order(b.operator, l(item), r(item), mode);
        case 'in':
          if (b.right.type !== 'ArrayExpression') fail('"in" takes a list: x in [a, b]');
          return (item) => (r(item) as Value[]).some((v) => equal(l(item), v, mode));
        case 'matches': {
          if (b.right.type !== 'Literal' || typeof (b.right as jsep.Literal).value !== 'string') fail('"matches" takes a quoted regular expression');
          let re: RegExp;
          try {
            re = new RegExp((b.right as jsep.Literal).value as string);
          } catch (err) {
            return fail(`invalid regular expression: ${(err as Error).message}`);
          }
          return (item) => {
            const v = l(item);
            return v !== null && re.test(typeof v === 'string' ? v : JSON.stringify(v));
          };
        }
        case 'contains':
          return (item) => {
            const a = l(item);
            const x = r(item);
            if (Array.isArray(a)) return a.some((v) => equal(v, x, mode));
            return typeof a === 'string' || mode === 'text' ? String(a ?? '').includes(String(x ?? '')) : false;
          };
        case 'starts_with':
        case 'ends_with':
          return (item) => {
            const a = l(item);
            const x = r(item);
            if (a === null || typeof a === 'object' || x === null || typeof x === 'object') return false;
            return b.operator === 'starts_with' ? String(a).startsWith(String(x)) : String(a).endsWith(String(x));
          };
        default:
          return fail(`unknown operator "${b.operator}"`);
      }
    }
    default:
      return fail(`unsupported expression (${n.type})`);
  }
}

/** Compiles once; throws ExpressionError naming the column on bad syntax. */
export function compileExpression(expression: string, mode: Mode): (item: JsonValue) => boolean {
  const e = compileNode(parseExpression(expression), mode, expression);
  return (item) => truthy(e(item), mode);
}
