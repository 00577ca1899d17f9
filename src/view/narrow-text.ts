/**
 * Width of terminal text without Unicode segmentation, where that is exact. Ink measures every line of
 * every frame with string-width, whose non-ASCII path segments graphemes and tests emoji regexes (the
 * first call compiles them: ~30 ms before the dashboard's first frame); the dashboard's lines are ASCII
 * plus a few symbols (· ◦ ▸ ─ …). Every code point in NARROW is one column on its own and cannot join a
 * neighbour in a grapheme (no combining marks, joiners, variation selectors or controls), so a string of
 * them is as wide as it is long. tests/unit/narrow-text.test.ts checks each against string-width.
 */
const NARROW: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x7e], // ASCII printable
  [0xa0, 0xac], // Latin-1 (U+00AD soft hyphen is zero-width)
  [0xae, 0x2ff], // Latin-1, Latin Extended, IPA, spacing modifiers (combining marks start at U+0300)
  [0x2010, 0x2027], // dashes, quotes, bullets, … (U+2028/9 are separators)
  [0x2030, 0x205e], // ‰ ′ ‹ › ‼ … (U+205F+ are spaces and invisible operators)
  [0x2190, 0x21ff], // arrows
  [0x2500, 0x25fc], // box drawing, blocks, geometric shapes (U+25FD/U+25FE are wide emoji)
  [0x25ff, 0x25ff],
];

function narrow(code: number): boolean {
  for (const [lo, hi] of NARROW) {
    if (code < lo) return false;
    if (code <= hi) return true;
  }
  return false;
}

/** The column width of `text` when every character is in NARROW, else undefined (measure it properly). */
export function narrowWidth(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e || c < 0x20) {
      if (!narrow(c)) return undefined;
    }
  }
  return text.length;
}

export const NARROW_RANGES = NARROW;
