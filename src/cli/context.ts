/** What every command needs from the global options: the store's home and output habits. */
import type { Command } from 'commander';
import { resolveHome } from '../storage/paths.js';

export interface GlobalOptions {
  home?: string;
}

export function homeOf(cmd: Command): string {
  return resolveHome((cmd.optsWithGlobals() as GlobalOptions).home);
}

/** Terminal width for tables: the TTY's, or unlimited when piped (plain output is never cut). */
export function outputWidth(): number {
  return process.stdout.isTTY ? (process.stdout.columns ?? 80) : Number.POSITIVE_INFINITY;
}

export function useColor(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
