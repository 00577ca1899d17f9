/**
 * Secret masking, pure: every occurrence of a secret value becomes `***`. Applied to everything the run
 * writes (log, terminal, session file through `maskedSessions`), so the value reaches commands only.
 */
export type Mask = (text: string) => string;

/** Longest values first, so a secret containing another is masked whole. Values under 3 chars are not masked (too common to hide). */
export function makeMask(secrets: Record<string, string>): Mask {
  const values = [...new Set(Object.values(secrets))].filter((v) => v.length >= 3).sort((a, b) => b.length - a.length);
  if (values.length === 0) return (t) => t;
  return (t) => {
    let out = t;
    for (const v of values) if (out.includes(v)) out = out.split(v).join('***');
    return out;
  };
}

/** Every string inside a JSON-like value masked (keys too). */
export function maskDeep<T>(value: T, mask: Mask): T {
  if (typeof value === 'string') return mask(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, mask)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [mask(k), maskDeep(v, mask)])) as T;
  }
  return value;
}
