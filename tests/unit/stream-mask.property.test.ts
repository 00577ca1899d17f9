/** The streaming secret mask (src/workflow/mask.ts): output in pieces is masked as the whole would be. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { heldFrom, makeMask, maskSoFar, streamMask } from '../../src/workflow/mask.js';

/** Reference model, written the slow obvious way: leftmost position first, longest secret there. */
function modelMask(text: string, secrets: string[]): string {
  const values = secrets.filter((s) => s.length >= 3);
  let out = '';
  let i = 0;
  while (i < text.length) {
    const here = values.filter((v) => text.startsWith(v, i)).sort((a, b) => b.length - a.length)[0];
    if (here) {
      out += '***';
      i += here.length;
    } else out += text[i++];
  }
  return out;
}

function streamed(secrets: string[], chunks: string[]): string[] {
  const m = streamMask(makeMask(Object.fromEntries(secrets.map((s, i) => [`S${i}`, s]))));
  return [...chunks.map((c) => m.push(c)), m.flush()];
}

/** Cuts `text` at the given (sorted, deduplicated) offsets. */
function split(text: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const parts: string[] = [];
  let prev = 0;
  for (const c of at) {
    parts.push(text.slice(prev, c));
    prev = c;
  }
  parts.push(text.slice(prev));
  return parts;
}

// A small alphabet so secrets overlap, nest and share prefixes with the text around them.
const letter = fc.constantFrom('a', 'b', 'c', '\n');
const secretArb = fc.string({ unit: letter, minLength: 1, maxLength: 6 });
const secretsArb = fc.array(secretArb, { minLength: 1, maxLength: 4 });
/** Text made of secrets and filler, so every secret really occurs, often across the cuts. */
const streamArb = secretsArb.chain((secrets) =>
  fc.record({
    secrets: fc.constant(secrets),
    text: fc.array(fc.oneof(fc.constantFrom(...secrets), fc.string({ unit: letter, maxLength: 4 })), { maxLength: 8 }).map((p) => p.join('')),
    cuts: fc.array(fc.nat(), { maxLength: 8 }),
  }),
);

describe('makeMask', () => {
  it('masks leftmost-longest, as the reference model does (property)', () => {
    fc.assert(fc.property(streamArb, ({ secrets, text }) => makeMask(Object.fromEntries(secrets.map((s, i) => [`S${i}`, s])))(text) === modelMask(text, secrets)));
  });

  it('at one position the longest secret wins; a later secret overlapping a masked one stays masked as part of it', () => {
    const mask = makeMask({ A: 'abcd', B: 'bcdef', C: 'abc' });
    expect(mask('xabcdefy')).toBe('x***efy');
    expect(mask('abc abcd bcdef')).toBe('*** *** ***');
  });

  it('escapes regular-expression characters in secret values', () => {
    expect(makeMask({ A: 'a.b*c(d)', B: 'x' })('a.b*c(d) aXbbc(d) x')).toBe('*** aXbbc(d) x');
  });
});

describe('streamMask', () => {
  it('any split of the stream gives the whole text masked, and no chunk ever holds a secret (property)', () => {
    fc.assert(
      fc.property(streamArb, ({ secrets, text, cuts }) => {
        const out = streamed(secrets, split(text, cuts));
        expect(out.join('')).toBe(modelMask(text, secrets));
        for (const chunk of out) for (const s of secrets.filter((v) => v.length >= 3)) expect(chunk).not.toContain(s);
      }),
    );
  });

  it('one character at a time is the worst split: still exact (property)', () => {
    fc.assert(fc.property(streamArb, ({ secrets, text }) => streamed(secrets, [...text]).join('') === modelMask(text, secrets)));
  });

  it('a secret split across two reads is masked whole; text that cannot start one is not held', () => {
    const m = streamMask(makeMask({ T: 'sk-secret-42' }));
    expect(m.push('token: sk-sec')).toBe('token: ');
    expect(m.push('ret-42 done\n')).toBe('*** done\n');
    expect(m.push('sk-')).toBe('');
    expect(m.push('x\n')).toBe('sk-x\n');
    expect(m.flush()).toBe('');
  });

  it('flush gives back a held start that never became a secret; a held secret that completes at the end is masked', () => {
    const m = streamMask(makeMask({ A: 'abc', B: 'abcdef' }));
    expect(m.push('1 abc')).toBe('1 ');
    expect(m.flush()).toBe('***');
    const n = streamMask(makeMask({ A: 'secret' }));
    expect(n.push('the secr')).toBe('the ');
    expect(n.flush()).toBe('secr');
  });

  it('without secrets it passes chunks through; a mask made elsewhere is applied chunk by chunk', () => {
    const none = streamMask(makeMask({ A: 'ab' }));
    expect(none.push('ab')).toBe('ab');
    const plain = streamMask((t: string) => t.replaceAll('x', '*'));
    expect(plain.push('xyx')).toBe('*y*');
    expect(plain.flush()).toBe('');
  });

  it('heldFrom finds the earliest proper prefix of a secret at the end', () => {
    expect(heldFrom('xxabc', ['abcd', 'ab'], 0)).toBe(2);
    expect(heldFrom('xxabca', ['abcd'], 0)).toBe(5);
    expect(heldFrom('xxabcd', ['abcd'], 0)).toBe(6);
    expect(heldFrom('xxabca', ['abcd'], 3)).toBe(5);
  });

  it('maskSoFar drops the part of a running stream that may be a secret starting', () => {
    expect(maskSoFar(makeMask({ A: 'sk-secret' }), 'line 1\nvalue sk-se')).toBe('line 1\nvalue ');
  });
});
