/** Pure: progress maths for MapReduce jobs — counts, a text progress bar, throughput and ETA. */

export interface ItemCounts {
  total: number;
  completed: number;
  failed: number;
  running: number;
  pending: number;
}

/** Segment glyphs differ in shape, not only colour, so the bar reads the same under NO_COLOR. */
export const BAR_GLYPH = { completed: '█', failed: '▓', running: '▒', pending: '░' } as const;

/**
 * A bar of exactly `width` cells split between completed, failed, running and pending items in
 * proportion (largest-remainder rounding, so the cells always add up and no non-empty part of at least
 * one cell's worth is lost).
 */
export function progressSegments(c: ItemCounts, width: number): Record<keyof typeof BAR_GLYPH, number> {
  const w = Math.max(0, Math.floor(width));
  const parts = { completed: c.completed, failed: c.failed, running: c.running, pending: c.pending };
  const sum = parts.completed + parts.failed + parts.running + parts.pending;
  if (sum <= 0 || w === 0) return { completed: 0, failed: 0, running: 0, pending: w };
  const keys = Object.keys(parts) as Array<keyof typeof parts>;
  const exact = keys.map((k) => (parts[k] / sum) * w);
  const cells = exact.map(Math.floor);
  let left = w - cells.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    cells[i]! += 1;
    left -= 1;
  }
  return { completed: cells[0]!, failed: cells[1]!, running: cells[2]!, pending: cells[3]! };
}

export function progressBar(c: ItemCounts, width: number): string {
  const s = progressSegments(c, width);
  return (
    BAR_GLYPH.completed.repeat(s.completed) +
    BAR_GLYPH.failed.repeat(s.failed) +
    BAR_GLYPH.running.repeat(s.running) +
    BAR_GLYPH.pending.repeat(s.pending)
  );
}

/** How far back throughput looks: recent enough to follow a change of pace, long enough to be steady. */
export const RATE_WINDOW_MS = 5 * 60_000;

/**
 * Items finished per minute. Over the last RATE_WINDOW_MS when at least two items ended in it, else over
 * the whole run since `startedAt`. null when nothing has finished yet (no rate to speak of).
 */
export function itemsPerMinute(endTimes: ArrayLike<number>, startedAt: number, now: number): number | null {
  // Counted, not filtered: the detail view asks with the ends of 20,000 items on every frame.
  const since = now - RATE_WINDOW_MS;
  let finished = 0;
  let recent = 0;
  for (let i = 0; i < endTimes.length; i++) {
    const t = endTimes[i]!;
    if (!(Number.isFinite(t) && t <= now)) continue;
    finished++;
    if (t >= since) recent++;
  }
  if (finished === 0) return null;
  if (recent >= 2 && startedAt < since) return (recent / RATE_WINDOW_MS) * 60_000;
  const span = now - startedAt;
  if (!(span > 0)) return null;
  return (finished / span) * 60_000;
}

/** Milliseconds until `remaining` items are done at `perMinute`; 0 when nothing remains, null when unknown. */
export function etaMs(remaining: number, perMinute: number | null): number | null {
  if (remaining <= 0) return 0;
  if (perMinute === null || !(perMinute > 0)) return null;
  return (remaining / perMinute) * 60_000;
}

export function formatRate(perMinute: number | null): string {
  if (perMinute === null) return '-';
  return perMinute >= 10 ? `${Math.round(perMinute)}/min` : `${perMinute.toFixed(1)}/min`;
}
