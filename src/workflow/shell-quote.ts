/**
 * Pure: a value as one POSIX shell word. `${name:sh}` inserts this, so item data and captured output
 * reach `sh -c` as data, whatever they hold: quotes, `$(...)`, backticks, `;`, `|`, newlines, globs.
 * Single quotes make every byte literal; a single quote itself is closed, escaped and reopened ('\'').
 * The empty value is '' (an empty argument, not no argument).
 */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
