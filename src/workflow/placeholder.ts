/**
 * What one `${...}` means, pure. The reading order matters because the forms share `:`:
 *   1. `uuid`, then computed functions `date:` `file:` `cmd:` `env:` `json:<path>:from:<var>`;
 *   2. `name:-default`;
 *   3. `name:modifier` when the modifier is registered;
 *   4. a plain name (dots and `[N]` indices allowed);
 *   anything else is shell syntax (`${#a[@]}`, `${x/y/z}`) and stays as it is.
 */
export type Placeholder =
  | { kind: 'name'; name: string; fallback?: string; modifier?: string }
  | { kind: 'uuid' }
  | { kind: 'date' | 'file' | 'cmd' | 'env'; arg: string }
  | { kind: 'json'; arg: string; from: string }
  | { kind: 'shell' };

/** A variable name: `a`, `a.b`, `a-b`, `a.b[0].c`, `step_0_output`. */
export const NAME = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+|\[\d+\])*$/;

const FUNCTIONS = new Set(['date', 'file', 'cmd', 'env']);

export function parsePlaceholder(inner: string, modifiers: Readonly<Record<string, unknown>>): Placeholder {
  const text = inner.trim();
  if (text === 'uuid') return { kind: 'uuid' };
  const colon = text.indexOf(':');
  if (colon > 0) {
    const head = text.slice(0, colon);
    const rest = text.slice(colon + 1);
    if (FUNCTIONS.has(head) && !rest.startsWith('-')) return { kind: head as 'date' | 'file' | 'cmd' | 'env', arg: rest.trim() };
    if (head === 'json') {
      const m = /^(.+):from:(.+)$/.exec(rest);
      if (m && NAME.test(m[2]!.trim())) return { kind: 'json', arg: m[1]!.trim().replace(/^\$\.?/, ''), from: m[2]!.trim() };
      return { kind: 'shell' };
    }
    if (NAME.test(head)) {
      if (rest.startsWith('-')) return { kind: 'name', name: head, fallback: rest.slice(1) };
      if (Object.hasOwn(modifiers, rest.trim())) return { kind: 'name', name: head, modifier: rest.trim() };
    }
    return { kind: 'shell' };
  }
  return NAME.test(text) ? { kind: 'name', name: text } : { kind: 'shell' };
}
