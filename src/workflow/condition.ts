/**
 * `when:` conditions, evaluated after interpolation. Pure. The grammar is the one `map.filter` uses
 * (expression.ts, text mode: AND/OR/NOT, in [...], matches, contains, starts_with, is_null ...). Text
 * that grammar cannot read (interpolated values such as `1.2.3` or `a@b`) falls back to the plain word
 * reader below: comparisons, && || ! and parentheses over numbers, quoted strings and bare words.
 * Anything neither reads is an error that names the expression, never a silent skip.
 */
import { compileExpression, ExpressionError } from './expression.js';

export class ConditionError extends Error {
  constructor(expr: string, why: string) {
    super(`cannot evaluate when: "${expr}": ${why}`);
    this.name = 'ConditionError';
  }
}

type Token = { t: 'op'; v: string } | { t: 'val'; v: string };

function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = expr.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
      out.push({ t: 'op', v: two });
      i += 2;
    } else if ('<>!()'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
    } else if (c === '"' || c === "'") {
      const end = expr.indexOf(c, i + 1);
      if (end < 0) throw new ConditionError(expr, 'unterminated string');
      out.push({ t: 'val', v: expr.slice(i + 1, end) });
      i = end + 1;
    } else {
      let j = i;
      while (j < expr.length && !/[\s<>!()=&|"']/.test(expr[j]!)) j++;
      if (j === i) throw new ConditionError(expr, `unexpected "${c}"`);
      out.push({ t: 'val', v: expr.slice(i, j) });
      i = j;
    }
  }
  return out;
}

function truthy(v: string): boolean {
  const t = v.trim().toLowerCase();
  return !(t === '' || t === 'false' || t === '0' || t === 'null');
}

function compare(a: string, op: string, b: string): boolean {
  const na = Number(a);
  const nb = Number(b);
  const numeric = a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb);
  const x: number | string = numeric ? na : a;
  const y: number | string = numeric ? nb : b;
  switch (op) {
    case '==':
      return x === y;
    case '!=':
      return x !== y;
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

export function evaluateCondition(expr: string): boolean {
  let shared: ExpressionError;
  try {
    return compileExpression(expr, 'text')(null);
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    shared = err;
  }
  try {
    return evaluateWords(expr);
  } catch {
    throw new ConditionError(expr, `${shared.reason} at column ${shared.offset + 1}`);
  }
}

function evaluateWords(expr: string): boolean {
  const toks = tokenize(expr);
  let pos = 0;
  const peek = () => toks[pos];
  const isOp = (v: string) => peek()?.t === 'op' && peek()!.v === v;

  const primary = (): { value: string } | { bool: boolean } => {
    const tok = peek();
    if (!tok) throw new ConditionError(expr, 'unexpected end');
    if (tok.t === 'op' && tok.v === '(') {
      pos++;
      const b = or();
      if (!isOp(')')) throw new ConditionError(expr, 'missing ")"');
      pos++;
      return { bool: b };
    }
    if (tok.t === 'op') throw new ConditionError(expr, `unexpected "${tok.v}"`);
    pos++;
    return { value: tok.v };
  };
  const comparison = (): boolean => {
    const left = primary();
    const tok = peek();
    if (tok?.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(tok.v)) {
      pos++;
      const right = primary();
      const l = 'bool' in left ? String(left.bool) : left.value;
      const r = 'bool' in right ? String(right.bool) : right.value;
      return compare(l, tok.v, r);
    }
    return 'bool' in left ? left.bool : truthy(left.value);
  };
  const not = (): boolean => {
    if (isOp('!')) {
      pos++;
      return !not();
    }
    return comparison();
  };
  const and = (): boolean => {
    let v = not();
    while (isOp('&&')) {
      pos++;
      const r = not();
      v = v && r;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (isOp('||')) {
      pos++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  if (toks.length === 0) throw new ConditionError(expr, 'it is empty');
  const result = or();
  if (pos !== toks.length) throw new ConditionError(expr, `unexpected "${toks[pos]!.v}"`);
  return result;
}
