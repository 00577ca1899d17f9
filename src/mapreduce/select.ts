/**
 * Work-item selection, in Prodigy's order: json_path -> filter -> distinct -> sort_by -> offset ->
 * max_items. Pure: it takes the parsed input JSON, returns the items the job will run.
 */
import { JSONPath } from 'jsonpath-plus';
import type { JsonValue } from '../session/types.js';
import { getField, pathSegments } from './field-path.js';
import { compileFilter } from './filter-expr.js';
import { sortItems } from './sort-by.js';

export interface SelectionOptions {
  json_path?: string;
  filter?: string;
  distinct?: string;
  sort_by?: string;
  offset?: number;
  max_items?: number;
}

export class JsonPathError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`json_path "${path}": ${reason}`);
    this.name = 'JsonPathError';
  }
}

/**
 * The values a JSONPath selects. Without a path, an array input is the list of items and anything else
 * is one item (Prodigy's default). Script filters (`?(...)`) are off: `map.filter` is the filter.
 */
export function applyJsonPath(input: JsonValue, path: string | undefined): JsonValue[] {
  if (path === undefined || path === '') return Array.isArray(input) ? input : [input];
  if (!path.startsWith('$')) throw new JsonPathError(path, 'must start with "$"');
  try {
    const out = JSONPath({ path, json: input as object, wrap: true, eval: false }) as JsonValue[] | undefined;
    return out ?? [];
  } catch (err) {
    throw new JsonPathError(path, (err as Error).message);
  }
}

export function selectItems(input: JsonValue, o: SelectionOptions): JsonValue[] {
  let items = applyJsonPath(input, o.json_path);
  if (o.filter) {
    const keep = compileFilter(o.filter);
    items = items.filter(keep);
  }
  if (o.distinct) {
    const segs = pathSegments(o.distinct);
    const seen = new Set<string>();
    items = items.filter((it) => {
      const key = JSON.stringify(getField(it, segs) ?? null);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  if (o.sort_by) items = sortItems(items, o.sort_by);
  const start = Math.max(0, o.offset ?? 0);
  const end = o.max_items === undefined ? undefined : start + Math.max(0, o.max_items);
  return items.slice(start, end);
}
