/** Pure: how a dead item's error and output read in one table cell (CLI `dlq list`, the dashboard's DLQ). */
import { safeLine } from './safe-text.js';

export function firstLine(text: string): string {
  return safeLine(text.split(/\r?\n/)[0] ?? '');
}

/** The last `n` non-empty output lines joined by " ⏎ " (the failing command's stderr ends the tail). */
export function tailText(lines: readonly string[], n = 3): string {
  return lines
    .filter((l) => l.trim() !== '')
    .slice(-n)
    .map((l) => safeLine(l).trim())
    .join(' ⏎ ');
}
