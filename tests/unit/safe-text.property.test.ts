import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPrintSafe, safeLine, safeText } from '../../src/view/safe-text.js';

/** Strings rich in what a terminal acts on: ESC sequences, C0/C1, bidi overrides, line breaks. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string(),
      fc.constantFrom('\x1b', '\x1b[2J', '\x1b]0;pwned\x07', '\x1b]52;c;ZXZpbA==\x1b\\', '\x9b31m', '\x07', '\x08', '\r', '\n', '\t', '\x7f', '\x85', '\u202e', '\u2066', '\u2028', '\x00', 'é', '漢', '😀'),
      fc.integer({ min: 0, max: 0x2100 }).map((c) => String.fromCodePoint(c)),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

describe('safeLine / safeText (stored text printed on a terminal)', () => {
  it('leaves nothing a terminal acts on, never grows, and is idempotent', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const line = safeLine(s);
        const text = safeText(s);
        expect(isPrintSafe(line)).toBe(true);
        expect(isPrintSafe(text, true)).toBe(true);
        expect(line.length).toBeLessThanOrEqual(s.length);
        expect(text.length).toBeLessThanOrEqual(s.length);
        expect(safeLine(line)).toBe(line);
        expect(safeText(text)).toBe(text);
      }),
    );
  });

  it('keeps printable text (any language, emoji) exactly', () => {
    const printable = fc.string({ unit: 'grapheme' }).filter((s) => isPrintSafe(s));
    fc.assert(fc.property(printable, (s) => {
      expect(safeLine(s)).toBe(s);
    }));
    fc.assert(fc.property(printable, (s) => {
      expect(safeText(s)).toBe(s);
    }));
  });

  it('safeText keeps the lines, safeLine makes one', () => {
    fc.assert(
      fc.property(fc.array(fc.string().filter((s) => isPrintSafe(s)), { minLength: 1, maxLength: 8 }), (lines) => {
        expect(safeText(lines.join('\n')).split('\n')).toEqual(lines);
        expect(safeLine(lines.join('\n'))).toBe(lines.join(' '));
      }),
    );
  });

  it('removes whole sequences and marks lone controls', () => {
    expect(safeLine('a\x1b]0;evil title\x07b')).toBe('ab');
    expect(safeLine('\x1b[2J\x1b[Hname')).toBe('name');
    expect(safeLine('x\x1b[31mred\x1b[0m')).toBe('xred');
    expect(safeLine('bell\x07 and \x00nul')).toBe('bell� and �nul');
    expect(safeLine('abc\u202edcba')).toBe('abc�dcba');
    expect(safeText('one\r\ntwo\rthree')).toBe('one\ntwo\nthree');
    expect(safeLine('tab\there')).toBe('tab here');
  });
});
