/**
 * Width of terminal text without Unicode segmentation, where that is exact. Ink measures every line of
 * every frame with string-width, whose non-ASCII path segments graphemes and tests emoji regexes (the
 * first call compiles them: ~30 ms before the dashboard's first frame); the dashboard's lines are ASCII
 * plus a few symbols (· ◦ ▸ ─ ✓ …). Every code point in NARROW is one column on its own and cannot join a
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
  // Mathematical operators and technical symbols (− ⊘ ⌫ ⏎), without the wide emoji among them (⌚ ⏩ ⏰ …).
  [0x2200, 0x2319], [0x231c, 0x2328], [0x232b, 0x23e8], [0x23ed, 0x23ef], [0x23f1, 0x23f2], [0x23f4, 0x23ff],
  [0x2500, 0x25fc], // box drawing, blocks, geometric shapes (U+25FD/U+25FE are wide emoji)
  [0x25ff, 0x25ff],
  // Dingbats (✓ ✗), without the wide emoji among them (✅ ❌ ❓ ➕ …).
  [0x2700, 0x2704], [0x2706, 0x2709], [0x270c, 0x2727], [0x2729, 0x274b], [0x274d, 0x274d], [0x274f, 0x2752],
  [0x2756, 0x2756], [0x2758, 0x2794], [0x2798, 0x27af], [0x27b1, 0x27be],
  [0xfffd, 0xfffd], // the replacement character (safe-text.ts puts it for what it drops)
];

/** NARROW as a table over U+0000..U+27FF (U+FFFD apart), for a lookup per character. */
const TABLE_END = 0x2800;
const table = new Uint8Array(TABLE_END);
for (const [lo, hi] of NARROW) for (let c = lo; c <= Math.min(hi, TABLE_END - 1); c++) table[c] = 1;

/** The column width of `text` when every character is in NARROW, else undefined (measure it properly). */
export function narrowWidth(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c > 0x7e || c < 0x20) && !(c < TABLE_END ? table[c] === 1 : c === 0xfffd)) return undefined;
  }
  return text.length;
}

export const NARROW_RANGES = NARROW;
