/** Helpers for workflow tests: a scratch workspace with a workflow file, and reading its sessions back. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { UnifiedSession } from '../../src/session/types.js';
import { SESSION_JOURNAL_SUFFIX } from '../../src/storage/paths.js';
import { replayJournal } from '../../src/storage/session-journal.js';
import { tracked } from '../helpers/children.js';
import { prodigyBin } from '../helpers/cli.js';
import { fixturesDir, tempDir } from '../helpers/home.js';

export const fakeClaude = path.join(fixturesDir, 'fake-claude.sh');

/** A fresh directory holding `wf.yml` with the given text. */
export function workspace(yaml: string, name = 'wf.yml'): { dir: string; file: string } {
  const dir = tempDir('prodigy-ws-');
  const file = path.join(dir, name);
  fs.writeFileSync(file, yaml);
  return { dir, file };
}

/** Every session as a reader sees it: the file, then its journal's lines over it (as the store reads). */
export function sessionsIn(home: string): UnifiedSession[] {
  const dir = path.join(home, 'sessions');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => {
      const journalFile = path.join(dir, n.replace(/\.json$/, SESSION_JOURNAL_SUFFIX));
      const journal = fs.existsSync(journalFile) ? fs.readFileSync(journalFile, 'utf8') : '';
      const snapshot = JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as UnifiedSession;
      return replayJournal(snapshot, journal).session;
    });
}

export function onlySession(home: string): UnifiedSession {
  const all = sessionsIn(home);
  if (all.length !== 1) throw new Error(`expected one session, found ${all.length}`);
  return all[0]!;
}

/** Every file under a directory, recursively, as text: what a secrets scan reads. */
export function allTextUnder(dir: string): string {
  let s = '';
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    s += d.isDirectory() ? allTextUnder(p) : `${fs.readFileSync(p, 'utf8')}\n`;
  }
  return s;
}

export function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** Alive and not a zombie (an orphan killed under an init that does not reap still answers kill 0). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return !fs.existsSync('/proc/self/stat');
  }
}

/** Polls until `cond` holds (or throws after `ms`): waiting for a condition, never asserting a duration. */
export async function until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  let last: unknown = null;
  const holds = () => {
    // A file that is not there yet (or is being replaced) is "not yet", not a failure.
    try {
      return cond();
    } catch (err) {
      last = err;
      return false;
    }
  };
  while (!holds()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Runner {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `prodigy <args>` in its own process group (as a terminal would run it), output collected. */
export function startProdigy(args: string[], opts: { home: string; cwd: string; env?: NodeJS.ProcessEnv }): Runner {
  let out = '';
  let err = '';
  const child = tracked(
    spawn(process.execPath, [prodigyBin, ...args], {
      cwd: opts.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PRODIGY_HOME: opts.home, NO_COLOR: '1', ...opts.env },
    }),
    { group: true },
  );
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}
