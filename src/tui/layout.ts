/**
 * Pure: how the dashboard fits the terminal. Ink 6 clears the whole screen (and scrollback) on every
 * frame once a frame is as tall as the terminal, so every view plans for at most rows - 1 lines.
 */
import { displayWidth, truncate } from '../view/text.js';

export interface Size {
  columns: number;
  rows: number;
}

/** The smallest terminal every view must stay readable in; below it the dashboard shows one notice. */
export const MIN_SIZE: Size = { columns: 40, rows: 12 };

/** Terminals (and test renderers) that report no size get the classic 80x24. */
export function normalizeSize(columns: number | undefined, rows: number | undefined): Size {
  const ok = (n: number | undefined, d: number) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : d);
  return { columns: ok(columns, 80), rows: ok(rows, 24) };
}

export function fits(size: Size): boolean {
  return size.columns >= MIN_SIZE.columns && size.rows >= MIN_SIZE.rows;
}

/** The one-line notice shown instead of a view in a terminal that is too small, cut to its width. */
export function tooSmallNotice(size: Size): string {
  const need = `${MIN_SIZE.columns}x${MIN_SIZE.rows}`;
  // Longest first; the first that fits whole is shown, so even a 10-column terminal reads what it needs.
  const forms = [
    `Terminal too small (${size.columns}x${size.rows}); need ${need}. q quits.`,
    `Too small: ${size.columns}x${size.rows}, need ${need}. q quits`,
    `Need ${need}. q quits`,
    `Need ${need}`,
    need,
  ];
  const hit = forms.find((f) => f.length <= size.columns);
  return hit ?? truncate(need, size.columns);
}

/** Lines a frame may use: one less than the terminal, so Ink never falls back to clearing the screen. */
export function frameHeight(size: Size): number {
  return Math.max(1, size.rows - 1);
}

/** Sessions view: title, filter line, table header and the status bar take four lines. */
export function listHeight(size: Size): number {
  return Math.max(1, frameHeight(size) - 4);
}

/**
 * The first row of a scrolling window of `height` rows over `count` rows that keeps `cursor` visible,
 * moving as little as possible from `top` (so the view does not jump while the cursor moves inside it).
 */
export function windowTop(cursor: number, top: number, height: number, count: number): number {
  if (count <= height) return 0;
  const maxTop = count - height;
  let t = Math.min(Math.max(0, top), maxTop);
  if (cursor < t) t = cursor;
  else if (cursor >= t + height) t = cursor - height + 1;
  return Math.min(Math.max(0, t), maxTop);
}

/** A cursor moved by `delta` within `count` rows (no rows: 0). */
export function clampCursor(cursor: number, delta: number, count: number): number {
  if (count <= 0) return 0;
  return Math.min(count - 1, Math.max(0, cursor + delta));
}

/**
 * Shares `available` lines between panes that each want some: every pane first gets an equal share (or
 * less if it wants less), then what is left goes to panes that still want more, in order.
 */
export function splitRows(available: number, wants: readonly number[]): number[] {
  const got = wants.map(() => 0);
  let left = Math.max(0, Math.floor(available));
  if (wants.length === 0) return got;
  const share = Math.floor(left / wants.length);
  wants.forEach((w, i) => {
    got[i] = Math.min(Math.max(0, w), share);
    left -= got[i]!;
  });
  wants.forEach((w, i) => {
    const more = Math.min(Math.max(0, w) - got[i]!, left);
    got[i]! += more;
    left -= more;
  });
  return got;
}

/** `left` and `right` on one line of exactly `width` columns at most: the left side is cut first. */
export function fitLine(left: string, right: string, width: number): string {
  const r = displayWidth(right) >= width ? truncate(right, width) : right;
  const room = width - displayWidth(r) - (r ? 1 : 0);
  if (room <= 0) return r;
  const l = truncate(left, room);
  return r ? `${l}${' '.repeat(room - displayWidth(l) + 1)}${r}` : l;
}

/**
 * A title line that keeps what matters when cut: `left` is kept whole with the first of `rights` (longest
 * form first: a full id then its short id, counts in words then in symbols) that fits beside it. When none
 * does, `keep` says which side survives: 'left' (a detail title's name and status; the right side goes),
 * or 'right' (the list's counts, in their shortest form; the left side is cut).
 */
export function fitTitle(left: string, rights: readonly string[], width: number, keep: 'left' | 'right' = 'left'): string {
  for (const r of rights) if (displayWidth(left) + 1 + displayWidth(r) <= width) return fitLine(left, r, width);
  if (keep === 'right') return fitLine(left, rights.at(-1) ?? '', width);
  return fitLine(left, '', width);
}
