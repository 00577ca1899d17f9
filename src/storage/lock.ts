/**
 * One writer per session: a lock file next to the session holding the owner's pid, host and start time.
 * A lock whose pid is gone on this host is stale and is taken over; a live one refuses the second writer.
 */
import fs from 'node:fs';
import os from 'node:os';

export interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

export class SessionLockedError extends Error {
  constructor(
    readonly sessionId: string,
    readonly holder: LockInfo,
  ) {
    super(`session ${sessionId} is already being run by process ${holder.pid} on ${holder.host}`);
    this.name = 'SessionLockedError';
  }
}

/** True/false when it can be known (same host), undefined for another host's pid. */
export function isPidAlive(pid: number, host: string = os.hostname()): boolean | undefined {
  if (host !== os.hostname()) return undefined;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(lockPath: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : null;
  } catch {
    return null;
  }
}

const held = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Locks must not outlive their process even on process.exit(); 'exit' handlers must be synchronous.
  process.on('exit', () => {
    for (const p of held) {
      try {
        if (readLock(p)?.pid === process.pid) fs.unlinkSync(p);
      } catch {
        /* already gone */
      }
    }
  });
}

/** Takes the lock for this process; idempotent for a lock we already hold. */
export function acquireLock(lockPath: string, sessionId: string): void {
  if (held.has(lockPath) && readLock(lockPath)?.pid === process.pid) return;
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockPath, JSON.stringify(mine), { flag: 'wx' });
      held.add(lockPath);
      installExitHook();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLock(lockPath);
    if (holder && holder.pid === process.pid && holder.host === os.hostname()) {
      held.add(lockPath);
      installExitHook();
      return;
    }
    // A half-written or unreadable lock is treated like a stale one: its writer died mid-write.
    if (holder && isPidAlive(holder.pid, holder.host) !== false) throw new SessionLockedError(sessionId, holder);
    try {
      fs.unlinkSync(lockPath);
    } catch {
      /* someone else removed it first; retry */
    }
  }
  const holder = readLock(lockPath);
  throw new SessionLockedError(sessionId, holder ?? { pid: -1, host: 'unknown', started: '' });
}

export function releaseLock(lockPath: string): void {
  if (!held.delete(lockPath)) return;
  try {
    if (readLock(lockPath)?.pid === process.pid) fs.unlinkSync(lockPath);
  } catch {
    /* already gone */
  }
}

export function holdsLock(lockPath: string): boolean {
  return held.has(lockPath);
}
