/** The shared expression grammar (filter: fields; when: text) and its two type rules. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError } from '../../src/workflow/expression.js';
import { evaluateCondition } from '../../src/workflow/condition.js';
import type { JsonValue } from '../../src/session/types.js';

const item: JsonValue = { score: 7, kind: 'bug', path: 'src/a-b.ts', tags: ['x', 'wip'], owner: null, n: '5', nested: { list: [{ v: 1 }] } };
const f = (e: string) => compileExpression(e, 'fields')(item);

describe('filter (fields)', () => {
  it('AND / OR / NOT with their precedence, and the C forms', () => {
    expect(f("item.score >= 5 AND item.kind == 'bug'")).toBe(true);
    expect(f("item.score > 9 OR item.kind = 'bug'")).toBe(true);
    expect(f("NOT item.kind == 'bug'")).toBe(false);
    expect(f("NOT item.kind in ['feat', 'doc']")).toBe(true);
    expect(f("!(item.score < 5) && item.kind != 'x' || false")).toBe(true);
  });

  it('in, matches, contains, starts_with, ends_with, is_null in both forms', () => {
    expect(f("item.kind in ['bug', 'feat']")).toBe(true);
    expect(f("item.path matches '^src/.*\\\\.ts$'")).toBe(true);
    expect(f("item.tags contains 'wip'")).toBe(true);
    expect(f("item.path contains 'a-b'")).toBe(true);
    expect(f("item.path starts_with 'src/' AND item.path ends_with '.ts'")).toBe(true);
    expect(f('item.owner is_null')).toBe(true);
    expect(f('is_null(item.owner) && is_not_null(item.kind) && item.missing is_null')).toBe(true);
    expect(f('item.kind is_not_null')).toBe(true);
    expect(f('item.nested.list[0].v == 1 && nested.list.0.v == 1')).toBe(true);
  });

  it('type rule 1: JSON types are kept; ordering across types is false; missing is null', () => {
    expect(f('item.n == 5')).toBe(false);
    expect(f("item.n == '5'")).toBe(true);
    expect(f("item.score > 'a'")).toBe(false);
    expect(f('item.missing == null')).toBe(true);
  });

  it('refuses bad syntax with a column, unknown functions and non-list in', () => {
    expect(() => compileExpression('item.a >= ', 'fields')).toThrow(ExpressionError);
    expect(() => compileExpression('size(item.a)', 'fields')).toThrow(/unknown function "size"/);
    expect(() => compileExpression("item.a in 'x'", 'fields')).toThrow(/"in" takes a list/);
    expect(() => compileExpression("item.a matches '('", 'fields')).toThrow(/invalid regular expression/);
  });

  it('never throws on any item once compiled (property)', () => {
    const e = compileExpression("item.a.b > 3 AND item.c contains 'x' OR item.d in [1, 'y'] OR item.e matches 'z' OR item.f is_null", 'fields');
    fc.assert(fc.property(fc.jsonValue(), (v) => typeof e(v as JsonValue) === 'boolean'));
  });
});

describe('when (text)', () => {
  it('type rule 2: numeric when both sides read as numbers, else text; bare words are themselves', () => {
    expect(evaluateCondition('10 > 9')).toBe(true);
    expect(evaluateCondition('10 > 9.5 AND abc < abd')).toBe(true);
    expect(evaluateCondition('feature/x-1 == feature/x-1')).toBe(true);
    expect(evaluateCondition("main in ['main', 'dev']")).toBe(true);
    expect(evaluateCondition("'hello world' contains world")).toBe(true);
    expect(evaluateCondition('0')).toBe(false);
    expect(evaluateCondition('NOT false')).toBe(true);
  });

  it('falls back to plain words for interpolated text the grammar cannot read', () => {
    expect(evaluateCondition('1.2.3 == 1.2.3')).toBe(true);
    expect(evaluateCondition('a@b != c@d')).toBe(true);
  });
});
