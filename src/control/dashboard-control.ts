/**
 * The dashboard's hands: what `r`, `x` and the quit prompt do to the world. The dashboard store calls
 * this through the `DashboardControl` interface and never spawns or signals anything itself, so its
 * tests can drive the real thing (this module) against a temporary store.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { UnifiedSession } from '../session/types.js';
import { META } from '../session/types.js';
import { interruptOwner, lastLogLine, launchResume, type Refusal } from './run-control.js';

export type LaunchResult = { ok: true; pid: number; logFile: string } | { ok: false; reason: string };

export interface DashboardControl {
  /** A refusal only the disk can tell (the workflow file is gone or changed), or null. */
  preflightResume(s: UnifiedSession): string | null;
  /** Starts `prodigy resume <id>` detached; `onEnded` hears its exit code and last log line. */
  resume(s: UnifiedSession, onEnded: (code: number | null, lastLine: string | null) => void): LaunchResult;
  /** Starts `prodigy dlq retry <job-id>` detached — the very command a user would type. */
  retryDlq(s: UnifiedSession, jobId: string, onEnded: (code: number | null, lastLine: string | null) => void): LaunchResult;
  /** SIGINT to the session's owner, which pauses it. */
  interrupt(s: UnifiedSession): Refusal;
  /** SIGINT to a run this dashboard started (its pid is known before it owns the session). */
  signal(pid: number): void;
}

export interface ControlOptions {
  /** The `prodigy` to launch (default: this package's own bin). */
  bin?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export function workflowChangedRefusal(s: UnifiedSession): string | null {
  const file = s.metadata[META.workflowPath];
  const recorded = s.metadata[META.workflowHash];
  if (typeof file !== 'string') return null;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return `${s.id}: its workflow file ${file} no longer exists`;
  }
  if (typeof recorded !== 'string') return null;
  const now = crypto.createHash('sha256').update(text).digest('hex');
  return now === recorded ? null : `${path.basename(file)} changed since this run began: to resume anyway, prodigy resume ${s.id} --force`;
}

export function createDashboardControl(home: string, o: ControlOptions = {}): DashboardControl {
  return {
    preflightResume: workflowChangedRefusal,
    resume(s, onEnded) {
      try {
        const repo = s.metadata[META.repoPath];
        const cwd = typeof repo === 'string' && fs.existsSync(repo) ? repo : o.cwd;
        const run = launchResume(home, s.id, {
          bin: o.bin,
          cwd,
          env: o.env,
          onExit: (code, log) => onEnded(code, lastLogLine(log)),
        });
        return { ok: true, pid: run.pid, logFile: run.logFile };
      } catch (err) {
        return { ok: false, reason: `could not start prodigy resume ${s.id}: ${(err as Error).message}` };
      }
    },
    retryDlq(s, jobId, onEnded) {
      try {
        const repo = s.metadata[META.repoPath];
        const cwd = typeof repo === 'string' && fs.existsSync(repo) ? repo : o.cwd;
        const run = launchResume(home, s.id, { bin: o.bin, cwd, env: o.env, command: ['dlq', 'retry', jobId], onExit: (code, log) => onEnded(code, lastLogLine(log)) });
        return { ok: true, pid: run.pid, logFile: run.logFile };
      } catch (err) {
        return { ok: false, reason: `could not start prodigy dlq retry ${jobId}: ${(err as Error).message}` };
      }
    },
    interrupt: interruptOwner,
    signal(pid) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // Already gone: nothing left to stop.
      }
    },
  };
}
