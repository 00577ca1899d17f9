/** What every command needs from the global options: the store's home and output habits. */
import fs from 'node:fs';
import type { Command } from 'commander';
import { resolveHome } from '../storage/paths.js';
import { CliError, EXIT } from './errors.js';

export interface GlobalOptions {
  home?: string;
}

export function homeOf(cmd: Command): string {
  return resolveHome((cmd.optsWithGlobals() as GlobalOptions).home);
}

/**
 * The home of a command that only reads the store: a folder the user named (--home or PRODIGY_HOME) that
 * does not exist is a mistake to report, not an empty store ("No sessions." would hide a typo).
 */
export function existingHomeOf(cmd: Command): string {
  const given = (cmd.optsWithGlobals() as GlobalOptions).home;
  const home = homeOf(cmd);
  const named = given !== undefined || Boolean(process.env.PRODIGY_HOME);
  if (named && !fs.existsSync(home)) {
    throw new CliError(`no session store at ${home} (${given !== undefined ? '--home' : 'PRODIGY_HOME'} names a folder that does not exist)`, EXIT.usage);
  }
  return home;
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
