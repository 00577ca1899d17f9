import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../src/session/types.js';
import { getPath } from '../../../src/mapreduce/field-path.js';
import { ExpressionError, compileFilter } from '../../../src/mapreduce/filter-expr.js';
import { applyJsonPath, selectItems } from '../../../src/mapreduce/select.js';
import { parseSortBy, sortItems } from '../../../src/mapreduce/sort-by.js';
import { countItems, progressLine } from '../../../src/mapreduce/progress.js';

type Row = { [k: string]: JsonValue };

const items: Row[] = [
  { id: 1, kind: 'bug', score: 7, meta: { owner: 'ana', tags: ['x'] } },
  { id: 2, kind: 'feat', score: 9, meta: { owner: 'bo' } },
  { id: 3, kind: 'bug', score: 3, meta: null },
  { id: 4, kind: 'bug', score: 5, meta: { owner: 'cy' }, skip: true },
];

describe('field paths', () => {
  it('reads nested fields with or without the item prefix, arrays by index', () => {
    expect(getPath(items[0]!, 'item.meta.owner')).toBe('ana');
    expect(getPath(items[0]!, 'meta.owner')).toBe('ana');
    expect(getPath(items[0]!, 'meta.tags.0')).toBe('x');
    expect(getPath(items[2]!, 'meta.owner')).toBeUndefined();
    expect(getPath(items[0]!, 'item')).toEqual(items[0]);
  });
});

describe('filter expressions', () => {
  const ids = (expr: string) => items.filter(compileFilter(expr)).map((i) => i.id);

  it('comparisons, && and ||, strings, numbers, booleans, null, dotted fields', () => {
    expect(ids("item.score >= 5 && item.kind == 'bug'")).toEqual([1, 4]);
    expect(ids('score > 8 || meta.owner == "cy"')).toEqual([2, 4]);
    expect(ids('item.meta == null')).toEqual([3]);
    expect(ids('item.skip == true')).toEqual([4]);
    expect(ids('item.skip != true')).toEqual([1, 2, 3]);
    expect(ids('!(item.kind = "bug") ')).toEqual([2]);
    expect(ids('item.meta.owner < "bz"')).toEqual([1, 2]);
    expect(ids('item.kind == "bug" && (item.score < 4 || item.score > 6)')).toEqual([1, 3]);
  });

  it('&& binds tighter than ||', () => {
    expect(ids('item.id == 2 || item.id == 1 && item.score == 0')).toEqual([2]);
  });

  it('ordering across types is false, never an exception', () => {
    expect(ids('item.meta.owner > 3')).toEqual([]);
    expect(ids('item.missing < 3')).toEqual([]);
  });

  it('bad syntax names the column', () => {
    expect(() => compileFilter('item.score >= ')).toThrow(ExpressionError);
    try {
      compileFilter('item.score >> 3');
    } catch (err) {
      expect((err as ExpressionError).offset).toBe(12);
      expect((err as Error).message).toMatch(/column 13/);
    }
    expect(() => compileFilter("item.kind == 'bug")).toThrow(/Unclosed quote/);
  });

  it('a || b keeps exactly the union, a && b the intersection, !a the complement', () => {
    const arb = fc.array(fc.record({ n: fc.integer({ min: -5, max: 5 }), s: fc.constantFrom('a', 'b', 'c') }));
    fc.assert(
      fc.property(arb, fc.integer({ min: -5, max: 5 }), fc.constantFrom('a', 'b', 'c'), (xs, k, s) => {
        const a = compileFilter(`item.n > ${k}`);
        const b = compileFilter(`item.s == '${s}'`);
        const or = compileFilter(`item.n > ${k} || item.s == '${s}'`);
        const and = compileFilter(`item.n > ${k} && item.s == '${s}'`);
        const not = compileFilter(`!(item.n > ${k})`);
        for (const x of xs) {
          expect(or(x)).toBe(a(x) || b(x));
          expect(and(x)).toBe(a(x) && b(x));
          expect(not(x)).toBe(!a(x));
          expect(a(x)).toBe(x.n > k);
        }
      }),
    );
  });
});

describe('sort_by', () => {
  it('sorts by several keys with DESC, nulls last both ways', () => {
    const rows: Row[] = [
      { p: 1, n: 'b' },
      { p: 2, n: 'a' },
      { p: null, n: 'z' },
      { p: 1, n: 'a' },
      { n: 'm' },
    ];
    expect(sortItems(rows, 'item.p DESC, item.n').map((r) => `${r.p ?? '-'}${r.n}`)).toEqual(['2a', '1a', '1b', '-m', '-z']);
    expect(sortItems(rows, 'p ASC, n DESC').map((r) => `${r.p ?? '-'}${r.n}`)).toEqual(['1b', '1a', '2a', '-z', '-m']);
  });

  it('rejects a malformed key with its column', () => {
    expect(() => parseSortBy('item.p DESC, item.n UP')).toThrow(/column 14/);
  });

  it('is a permutation, ordered by the key, stable for ties', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ k: fc.option(fc.integer({ min: 0, max: 5 })), i: fc.nat() })), fc.boolean(), (xs, desc) => {
        const out = sortItems(xs, `item.k${desc ? ' DESC' : ''}`);
        const key = (r: unknown) => JSON.stringify(r);
        expect(out.map(key).sort()).toEqual(xs.map(key).sort());
        for (let j = 1; j < out.length; j++) {
          const a = out[j - 1]!.k;
          const b = out[j]!.k;
          if (a === null) expect(b).toBeNull();
          else if (b !== null) {
            expect(desc ? a >= b : a <= b).toBe(true);
            if (a === b) expect(xs.indexOf(out[j - 1]!)).toBeLessThan(xs.indexOf(out[j]!));
          }
        }
      }),
    );
  });
});

describe('json_path and selection', () => {
  const doc: JsonValue = { a: { b: [{ id: 1 }, { id: 2 }] }, list: [{ b: 'x' }, { b: 'y' }, { c: 'z' }] };

  it('supports $[*], $.a.b[*] and $.a[*].b', () => {
    expect(applyJsonPath([1, 2, 3], '$[*]')).toEqual([1, 2, 3]);
    expect(applyJsonPath(doc, '$.a.b[*]')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(applyJsonPath(doc, '$.list[*].b')).toEqual(['x', 'y']);
    expect(applyJsonPath(doc, '$.nothing[*]')).toEqual([]);
  });

  it('without a path an array is the item list and anything else one item', () => {
    expect(applyJsonPath([1, 2], undefined)).toEqual([1, 2]);
    expect(applyJsonPath({ x: 1 }, undefined)).toEqual([{ x: 1 }]);
  });

  it('rejects a path that does not start at the root', () => {
    expect(() => applyJsonPath(doc, 'a.b')).toThrow(/must start with/);
  });

  it('applies filter, sort, offset and max_items in that order', () => {
    const input: JsonValue = { items };
    const out = selectItems(input, { json_path: '$.items[*]', filter: "item.kind == 'bug'", sort_by: 'item.score DESC', offset: 1, max_items: 2 });
    expect(out.map((i) => (i as Row).id)).toEqual([4, 3]);
  });

  it('distinct keeps the first item of each key', () => {
    expect(selectItems(items, { distinct: 'item.kind' }).map((i) => (i as Row).id)).toEqual([1, 2]);
  });

  it('offset/max_items is a slice of the filtered, sorted list', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.nat(20), fc.option(fc.nat(20), { nil: undefined }), (xs, offset, max) => {
        const all = selectItems(xs, { sort_by: 'item' });
        const out = selectItems(xs, { sort_by: 'item', offset, max_items: max });
        expect(out).toEqual(all.slice(offset, max === undefined ? undefined : offset + max));
      }),
    );
  });
});

describe('progress', () => {
  it('counts statuses and prints one line', () => {
    const c = countItems([{ status: 'completed' }, { status: 'dead' }, { status: 'running' }, { status: 'pending' }]);
    expect(c).toEqual({ total: 4, pending: 1, running: 1, completed: 1, failed: 0, dead: 1 });
    expect(progressLine('Map', c)).toBe('map: 1 completed, 1 failed, 4 total (50%), 1 running');
  });
});
