import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { NARROW_RANGES, narrowWidth } from '../../src/view/narrow-text.js';
import bundledWidth from '../../scripts/string-width.mjs';

const narrowChars = NARROW_RANGES.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => String.fromCharCode(lo + i)));

describe('narrowWidth', () => {
  it('is one column for every character it accepts, as string-width measures it', () => {
    const wrong = narrowChars.filter((c) => stringWidth(c) !== 1).map((c) => c.codePointAt(0)!.toString(16));
    expect(wrong).toEqual([]);
  });

  it('equals string-width on strings of accepted characters', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...narrowChars), { maxLength: 40 }), (chars) => {
      const text = chars.join('');
      expect(narrowWidth(text)).toBe(stringWidth(text));
    }));
  });

  it('declines what needs segmentation: wide, combining, zero-width, emoji, controls', () => {
    for (const text of ['日本', 'e\u0301', 'a\u00adb', '\u25fd', 'ok 👍', '\u200bx', '\x1b[1mx\x1b[0m', 'a\tb', '↔\ufe0f']) expect(narrowWidth(text)).toBeUndefined();
  });
});

describe('the bundle’s string-width', () => {
  it('agrees with string-width on any text, twice (the second from its cache)', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (text) => {
      expect(bundledWidth(text)).toBe(stringWidth(text));
      expect(bundledWidth(text)).toBe(stringWidth(text));
    }));
    expect(bundledWidth('\x1b[1mé\x1b[0m')).toBe(1);
    expect(bundledWidth('ab', { countAnsiEscapeCodes: true })).toBe(2);
  });
});
