/**
 * Dotted field paths into a work item (`item.a.b`, `a.b`, `list.0.name`). Pure.
 * Prodigy's expressions name fields with or without the leading `item.`; both mean the same field.
 */
import type { JsonValue } from '../session/types.js';

/** The path's segments, without a leading `item` (so `item` alone is the whole item: []). */
export function pathSegments(path: string): string[] {
  const parts = path.split('.').map((p) => p.trim());
  if (parts.some((p) => p.length === 0)) throw new Error(`invalid field path "${path}"`);
  return parts[0] === 'item' ? parts.slice(1) : parts;
}

/** The value at the path, or undefined when any segment is missing (arrays take numeric segments). */
export function getField(value: JsonValue | undefined, segments: readonly string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = value;
  for (const seg of segments) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else {
      cur = Object.hasOwn(cur, seg) ? cur[seg] : undefined;
    }
  }
  return cur;
}

export function getPath(value: JsonValue | undefined, path: string): JsonValue | undefined {
  return getField(value, pathSegments(path));
}
