/**
 * Pure: git-style short ids. A session id is `session-<uuid>`; its short id is the shortest prefix of the
 * part after `session-` (at least MIN_SHORT characters) that no other known id shares, so a short id is
 * never ambiguous among the ids it was computed over and every command accepts it as a prefix.
 */

export const SESSION_PREFIX = 'session-';
export const MIN_SHORT = 7;

/** The id without its `session-` prefix (ids of other shapes are kept whole). */
export function idBody(id: string): string {
  return id.startsWith(SESSION_PREFIX) ? id.slice(SESSION_PREFIX.length) : id;
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * id -> its short id, unique among `ids`. Sorting puts the id that shares the longest prefix with each
 * one next to it, so one pass over neighbours is enough (n log n for thousands of sessions).
 */
export function shortIds(ids: Iterable<string>): Map<string, string> {
  const bodies = [...new Set(ids)].map((id) => ({ id, body: idBody(id) })).sort((a, b) => (a.body < b.body ? -1 : a.body > b.body ? 1 : 0));
  const out = new Map<string, string>();
  bodies.forEach((x, i) => {
    const before = i > 0 ? commonPrefix(x.body, bodies[i - 1]!.body) : 0;
    const after = i + 1 < bodies.length ? commonPrefix(x.body, bodies[i + 1]!.body) : 0;
    out.set(x.id, x.body.slice(0, Math.max(MIN_SHORT, before + 1, after + 1)));
  });
  return out;
}

/** The short id from a map, or a safe fallback (the whole body) for an id the map does not know. */
export function shortOf(map: ReadonlyMap<string, string>, id: string): string {
  return map.get(id) ?? idBody(id);
}
