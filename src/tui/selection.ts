/**
 * Pure: a cursor that follows the id it is on. Tables (sessions, agents, dead items) reorder and grow
 * under the user's eyes; a cursor kept as a row number would land on another row each time. So the
 * selected id is the truth and the row number is derived: when the id is still there the cursor moves
 * with it, when it is gone the cursor keeps its row (clamped) and takes that row's id.
 */
export interface Selection {
  cursor: number;
  selectedId: string | null;
}

export function follow(ids: readonly string[], selectedId: string | null, cursor: number): Selection {
  const at = selectedId === null ? -1 : ids.indexOf(selectedId);
  if (at >= 0) return { cursor: at, selectedId };
  const c = ids.length === 0 ? 0 : Math.min(ids.length - 1, Math.max(0, cursor));
  return { cursor: c, selectedId: ids[c] ?? null };
}

/** The cursor moved by `delta` rows (clamped), and the id it lands on. */
export function moveSelection(ids: readonly string[], cursor: number, delta: number): Selection {
  if (ids.length === 0) return { cursor: 0, selectedId: null };
  const c = Math.min(ids.length - 1, Math.max(0, cursor + delta));
  return { cursor: c, selectedId: ids[c] ?? null };
}

/** "34/2000": the cursor's row of all rows, for every scrolling table's heading ('' when empty). */
export function positionText(cursor: number, count: number): string {
  return count > 0 ? `${Math.min(cursor, count - 1) + 1}/${count}` : '';
}
