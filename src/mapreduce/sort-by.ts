/**
 * Prodigy's `map.sort_by`: one or more comma-separated keys, each a dotted field with an optional
 * `ASC`/`DESC` (`item.priority DESC, item.name`). Pure.
 *
 * Order within a key: missing/null values always last (in both directions, so DESC does not bring nulls
 * to the top), then numbers before strings before booleans before objects; numbers numerically, strings
 * by code point, objects by their JSON. Ties fall through to the next key, then keep input order
 * (Array.prototype.sort is stable).
 */
import type { JsonValue } from '../session/types.js';
import { getField, pathSegments } from './field-path.js';
import { ExpressionError } from './filter-expr.js';

export interface SortKey {
  segments: string[];
  descending: boolean;
}

export function parseSortBy(spec: string): SortKey[] {
  const keys: SortKey[] = [];
  let offset = 0;
  for (const part of spec.split(',')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)(?:\s+(ASC|DESC))?\s*$/i.exec(part);
    if (!m) throw new ExpressionError(spec, offset + (part.length - part.trimStart().length), 'expected a field name, optionally followed by ASC or DESC');
    keys.push({ segments: pathSegments(m[1]!), descending: (m[2] ?? '').toUpperCase() === 'DESC' });
    offset += part.length + 1;
  }
  return keys;
}

function rank(v: JsonValue | undefined): number {
  if (v === null || v === undefined) return 4;
  switch (typeof v) {
    case 'number':
      return 0;
    case 'string':
      return 1;
    case 'boolean':
      return 2;
    default:
      return 3;
  }
}

/** Compares two present values (same rank) ascending. */
function compareValues(a: JsonValue, b: JsonValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareBy(keys: readonly SortKey[]): (a: JsonValue, b: JsonValue) => number {
  return (a, b) => {
    for (const k of keys) {
      const x = getField(a, k.segments);
      const y = getField(b, k.segments);
      const rx = rank(x);
      const ry = rank(y);
      if (rx === 4 || ry === 4) {
        if (rx !== ry) return rx === 4 ? 1 : -1;
        continue;
      }
      const c = rx !== ry ? rx - ry : compareValues(x!, y!);
      if (c !== 0) return k.descending ? -c : c;
    }
    return 0;
  };
}

export function sortItems<T extends JsonValue>(items: readonly T[], spec: string): T[] {
  return [...items].sort(compareBy(parseSortBy(spec)));
}
