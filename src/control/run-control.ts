/**
 * Starting and stopping runs from outside them (the dashboard's `r` and `x`). A resumed run is a
 * separate, detached `prodigy resume <id>` process with its output in $PRODIGY_HOME/logs/<id>.log, so it
 * outlives the dashboard; interrupting is a SIGINT to the session's owner, which then pauses the session
 * itself exactly as a Ctrl+C in its own terminal would.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isOwnerAlive } from '../session/owner.js';
import { storePaths } from '../storage/paths.js';
import { isFinal, isInterrupted } from '../session/lifecycle.js';
import type { UnifiedSession } from '../session/types.js';
import { META } from '../session/types.js';

/** The `prodigy` entry to re-launch: this bundle's own bin when running from it. */
export function defaultProdigyBin(): string {
  if (process.env.PRODIGY_BIN) return process.env.PRODIGY_BIN;
  const here = path.dirname(fileURLToPath(import.meta.url));
  // dist/cli.js (bundled) or src/control/run-control.ts (tests, tsx): bin/ sits at the package root.
  for (const up of ['..', '../..']) {
    const candidate = path.resolve(here, up, 'bin', 'prodigy.js');
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'prodigy';
}

export type Refusal = { ok: false; reason: string } | { ok: true };

/** Pure: why a session cannot be resumed right now, as the one line the status bar shows. */
export function resumeRefusal(s: UnifiedSession, ownerAlive: boolean | undefined): Refusal {
  if (s.status === 'Completed') return { ok: false, reason: `${s.id} is already Completed: nothing to resume` };
  if (isFinal(s.status)) return { ok: false, reason: `${s.id} is ${s.status}: it cannot be resumed` };
  if (!isInterrupted(s.status, ownerAlive)) {
    const pid = s.metadata[META.ownerPid];
    return { ok: false, reason: `${s.id} is already running${typeof pid === 'number' ? ` (process ${pid})` : ''}` };
  }
  return { ok: true };
}

/** Pure: why a session cannot be interrupted. */
export function interruptRefusal(s: UnifiedSession, ownerAlive: boolean | undefined): Refusal {
  if (s.status !== 'Running' && s.status !== 'Initializing') return { ok: false, reason: `${s.id} is ${s.status}, not running` };
  const pid = s.metadata[META.ownerPid];
  if (typeof pid !== 'number') return { ok: false, reason: `${s.id} records no owner process to interrupt` };
  const host = s.metadata[META.ownerHost];
  if (typeof host === 'string' && host !== os.hostname()) return { ok: false, reason: `${s.id} runs on ${host}, not on this machine` };
  if (ownerAlive === false) return { ok: false, reason: `${s.id} has no live owner (it crashed): resume it with r` };
  return { ok: true };
}

export interface LaunchedRun {
  pid: number;
  logFile: string;
}

/** Starts `prodigy resume <id> -y` detached, its output appended to logs/<id>.log. */
export function launchResume(
  home: string,
  sessionId: string,
  opts: {
    cwd?: string;
    bin?: string;
    env?: NodeJS.ProcessEnv;
    extraArgs?: string[];
    /** Called if the run ends while this process still lives (a refusal ends it at once). */
    onExit?: (code: number | null, logFile: string) => void;
    /** The command instead of `resume <id> -y` (e.g. `dlq retry <job-id>`), output to the same log. */
    command?: string[];
  } = {},
): LaunchedRun {
  const paths = storePaths(home);
  fs.mkdirSync(paths.logsDir, { recursive: true });
  const logFile = paths.sessionLog(sessionId);
  const fd = fs.openSync(logFile, 'a');
  try {
    const bin = opts.bin ?? defaultProdigyBin();
    const isScript = bin.endsWith('.js');
    const args = [...(isScript ? [bin] : []), '--home', home, ...(opts.command ?? ['resume', sessionId, '-y']), ...(opts.extraArgs ?? [])];
    const child = spawn(isScript ? process.execPath : bin, args, {
      cwd: opts.cwd ?? process.cwd(),
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...opts.env, PRODIGY_HOME: home },
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${bin}`);
    const onExit = opts.onExit;
    if (onExit) child.on('exit', (code) => onExit(code, logFile));
    return { pid: child.pid, logFile };
  } finally {
    fs.closeSync(fd);
  }
}

/** Sends SIGINT to the session's owner; the owner pauses the session and exits 130. */
export function interruptOwner(s: UnifiedSession): Refusal {
  const pid = s.metadata[META.ownerPid];
  const refusal = interruptRefusal(s, isOwnerAlive(s));
  if (!refusal.ok) return refusal;
  try {
    process.kill(pid as number, 'SIGINT');
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `could not interrupt process ${String(pid)}: ${(err as Error).message}` };
  }
}

/** The last non-empty line of a run's log: what a refused or failed launch said. */
export function lastLogLine(logFile: string): string | null {
  try {
    const lines = fs.readFileSync(logFile, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    return lines.at(-1) ?? null;
  } catch {
    return null;
  }
}
