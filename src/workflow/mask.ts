/**
 * Secret masking, pure: every occurrence of a secret value becomes `***`. Applied to everything the run
 * writes (log, terminal, session file through `maskedSessions`), so the value reaches commands only.
 *
 * Matching is leftmost-longest, left to right (one scan): at the first position where any secret
 * starts, the longest secret there is masked, and the scan goes on after it. That rule is what lets
 * `streamMask` give, for output that arrives in pieces, exactly what masking the whole text gives.
 */
/** `values`: the secrets it masks, for `streamMask` (a mask made elsewhere can only be applied chunk by chunk). */
export type Mask = ((text: string) => string) & { readonly values?: readonly string[] };

/** Values under 3 chars are not masked (too common to hide). */
const MIN_SECRET_LENGTH = 3;
const MASKED = '***';

/** Longest first: at one position the alternation tries them in order, so the longest secret wins. */
function secretValues(secrets: Record<string, string>): string[] {
  return [...new Set(Object.values(secrets))].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function makeMask(secrets: Record<string, string>): Mask {
  const values = secretValues(secrets);
  if (values.length === 0) return Object.assign((t: string) => t, { values });
  const re = new RegExp(values.map(escapeRe).join('|'), 'g');
  return Object.assign((t: string) => t.replace(re, MASKED), { values });
}

/** Output masked as it streams: what `push` returns, concatenated with `flush()`, is `mask(whole text)`. */
export interface StreamMask {
  /** The next piece of the stream in; out, masked, all of it that no later piece can still change. */
  push(chunk: string): string;
  /** End of stream: the held-back rest, masked. */
  flush(): string;
}

/**
 * Pure: the earliest position at or after `from` where the rest of `text` is a proper prefix of some
 * secret — a secret that may be completed by the next piece, so nothing from there on is final.
 */
export function heldFrom(text: string, values: readonly string[], from: number): number {
  const longest = values[0]?.length ?? 0;
  for (let i = Math.max(from, text.length - longest + 1); i < text.length; i++) {
    const c = text.charCodeAt(i);
    const left = text.length - i;
    // The first character rules out almost every position before any string is made.
    if (values.some((v) => v.length > left && v.charCodeAt(0) === c && v.startsWith(text.slice(i)))) return i;
  }
  return text.length;
}

/**
 * Holds back the longest suffix of what it has seen that could still become (or extend) a secret and
 * emits the rest masked, so a secret split across two pipe reads is masked whole. A match is emitted
 * only when it starts before the held part: no later text can then start a match earlier or make this
 * one longer (either would need a proper prefix of a secret before the held part).
 */
export function streamMask(mask: Mask): StreamMask {
  const values = mask.values;
  if (values === undefined) return { push: mask, flush: () => '' };
  if (values.length === 0) return { push: (t) => t, flush: () => '' };
  const re = new RegExp(values.map(escapeRe).join('|'), 'g');
  let pending = '';
  return {
    push(chunk) {
      const text = pending + chunk;
      let hold = heldFrom(text, values, 0);
      // Nothing at the end can become a secret (most pieces): every match is final, as in `mask`.
      if (hold === text.length) {
        pending = '';
        return mask(text);
      }
      let out = '';
      let pos = 0;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null && m.index < hold; m = re.exec(text)) {
        out += text.slice(pos, m.index) + MASKED;
        pos = m.index + m[0].length;
        // A final match may end inside what was held: hold from after it.
        if (pos > hold) hold = heldFrom(text, values, pos);
      }
      pending = text.slice(hold);
      return out + text.slice(pos, hold);
    },
    flush() {
      const rest = mask(pending);
      pending = '';
      return rest;
    },
  };
}

/** Output so far of a stream still running (a live tail): masked, without the part that may be a secret's start. */
export function maskSoFar(mask: Mask, text: string): string {
  return streamMask(mask).push(text);
}

/** Every string inside a JSON-like value masked (keys too). */
export function maskDeep<T>(value: T, mask: Mask): T {
  // No secrets: nothing to copy (the runner masks every event and update it writes).
  if (mask.values?.length === 0) return value;
  if (typeof value === 'string') return mask(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, mask)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [mask(k), maskDeep(v, mask)])) as T;
  }
  return value;
}
