/**
 * Pure: an aligned text table that fits a width. Columns marked `flex` shrink (with an ellipsis) before any
 * column is dropped; columns are dropped from the right-most `optional` one when even that is not enough.
 */
import { safeLine } from './safe-text.js';
import { displayWidth, truncate } from './text.js';

export interface Column {
  header: string;
  /** Shrinks first, down to `min`. */
  flex?: boolean;
  min?: number;
  /** May be dropped when the width is too small (higher drops first). */
  dropOrder?: number;
  align?: 'left' | 'right';
}

export function renderTable(columns: Column[], unsafeRows: string[][], width: number = Number.POSITIVE_INFINITY): string[] {
  // Cells hold stored text (names, errors, output): made safe to print before they are measured.
  const rows = unsafeRows.map((r) => r.map(safeLine));
  let cols = columns.map((c, i) => ({ ...c, index: i }));
  const natural = (i: number) => Math.max(displayWidth(columns[i]!.header), ...rows.map((r) => displayWidth(r[i] ?? '')));
  const gap = 2;
  for (;;) {
    const widths = cols.map((c) => natural(c.index));
    const total = () => widths.reduce((a, b) => a + b, 0) + gap * (cols.length - 1);
    // Shrink flexible columns, widest first, down to their minimum.
    while (total() > width) {
      let best = -1;
      for (let i = 0; i < cols.length; i++) {
        const c = cols[i]!;
        if (c.flex && widths[i]! > (c.min ?? 8) && (best < 0 || widths[i]! > widths[best]!)) best = i;
      }
      if (best < 0) break;
      widths[best] = Math.max(cols[best]!.min ?? 8, widths[best]! - (total() - width));
    }
    const droppable = cols.filter((c) => c.dropOrder !== undefined);
    if (total() <= width || droppable.length === 0) {
      const line = (cells: string[]) =>
        cols
          .map((c, i) => {
            const w = widths[i]!;
            const cell = truncate(cells[c.index] ?? '', w);
            const pad = ' '.repeat(Math.max(0, w - displayWidth(cell)));
            return c.align === 'right' ? pad + cell : i === cols.length - 1 ? cell : cell + pad;
          })
          .join(' '.repeat(gap))
          .trimEnd();
      return [line(columns.map((c) => c.header)), ...rows.map(line)];
    }
    const drop = droppable.reduce((a, b) => (b.dropOrder! > a.dropOrder! ? b : a));
    cols = cols.filter((c) => c !== drop);
  }
}
