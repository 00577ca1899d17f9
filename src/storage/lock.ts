/**
 * One writer per session: `sessions/<id>.lock` names its owner by pid, host, boot and process start
 * time (proc-identity.ts), so a reused pid is not taken for the owner.
 *
 * - Born complete: the lock is written to a temp file and link(2)ed into place, which fails if a lock
 *   exists. No reader ever sees an empty or half-written lock of ours.
 * - A stale lock (owner dead) is taken over under a second exclusive file, `<id>.lock.takeover`: the
 *   taker re-reads the lock there and replaces it (rename) only if it is still the stale one it judged,
 *   so two resumes racing for one stale lock cannot both win.
 * - A lock that is empty, unreadable or not a lock is reported (LockFileError), never deleted: it is
 *   not ours to judge.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ProcessIdentity, isProcessAlive, selfIdentity } from './proc-identity.js';
import { writeFault } from './io-fault.js';
import { parseJsonText, checkShape } from './schema-check.js';
import { LockFileSchema } from './schemas.js';
import { CorruptFileError, readIfExistsSync } from './store-file.js';

export interface LockInfo extends Partial<ProcessIdentity> {
  pid: number;
  host: string;
  started: string;
  /** Tells two locks of one process apart (a lock re-taken after release). */
  token?: string;
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

/** A lock file that is empty, unreadable or not a lock: reported with its path, left in place. */
export class LockFileError extends CorruptFileError {
  constructor(file: string, reason: string) {
    super(file, `${reason}, not a complete lock (remove it by hand once no prodigy process runs this session)`);
  }
}

/** True/false when it can be known (same host), undefined for another host's pid. */
export function isPidAlive(pid: number, host: string = os.hostname()): boolean | undefined {
  return isProcessAlive({ pid, host });
}

/** The lock's owner is alive (same host), dead, or unknown (another host). */
export function isLockOwnerAlive(info: LockInfo): boolean | undefined {
  return isProcessAlive(info);
}

export type LockState = { state: 'absent' } | { state: 'held'; info: LockInfo; text: string } | { state: 'unreadable'; error: LockFileError };

export function inspectLock(lockPath: string): LockState {
  let text: string | null;
  try {
    text = readIfExistsSync(lockPath);
  } catch (err) {
    return { state: 'unreadable', error: new LockFileError(lockPath, (err as CorruptFileError).reason ?? 'unreadable') };
  }
  if (text === null) return { state: 'absent' };
  try {
    const info = checkShape(LockFileSchema, parseJsonText(text, lockPath, LockFileError), lockPath, LockFileError) as LockInfo;
    return { state: 'held', info, text };
  } catch (err) {
    return { state: 'unreadable', error: err as LockFileError };
  }
}

/** The lock's owner, or null when there is no lock or it cannot be read (see inspectLock). */
export function readLock(lockPath: string): LockInfo | null {
  const s = inspectLock(lockPath);
  return s.state === 'held' ? s.info : null;
}

const held = new Map<string, string>(); // lock path -> our token
let exitHookInstalled = false;

function isOurs(info: LockInfo | null, lockPath: string): boolean {
  return info !== null && info.pid === process.pid && info.host === os.hostname() && info.token === held.get(lockPath);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Locks must not outlive their process even on process.exit(); 'exit' handlers must be synchronous.
  process.on('exit', () => {
    for (const p of held.keys()) {
      try {
        if (isOurs(readLock(p), p)) fs.unlinkSync(p);
      } catch {
        /* already gone */
      }
    }
  });
}

function tempBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
}

/** Writes our lock content to a temp file beside `target` (complete before anyone can see it). */
function writeTemp(target: string, info: LockInfo): string {
  const tmp = tempBeside(target);
  try {
    fs.writeFileSync(tmp, JSON.stringify(info), { flag: 'wx' });
  } catch (err) {
    fs.rmSync(tmp, { force: true }); // a full disk leaves an empty temp file, never an empty lock
    throw writeFault(err, target);
  }
  return tmp;
}

/** link(2) tmp to target: true when placed, false when target exists. */
function linkExclusive(tmp: string, target: string): boolean {
  try {
    fs.linkSync(tmp, target);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Replaces a stale lock whose text was `staleText`, under the takeover file. Returns true when the lock
 * is now ours; false when someone else moved first (the caller looks again).
 */
function takeOver(lockPath: string, staleText: string, ours: LockInfo): boolean {
  const guard = `${lockPath}.takeover`;
  const guardTmp = writeTemp(guard, ours);
  try {
    if (!linkExclusive(guardTmp, guard)) {
      const g = inspectLock(guard);
      // A guard whose owner died inside the few syscalls of a takeover: move it aside and look again.
      if (g.state === 'held' && isLockOwnerAlive(g.info) === false) {
        const aside = tempBeside(guard);
        try {
          fs.renameSync(guard, aside);
          const moved = fs.readFileSync(aside, 'utf8');
          // Moved a live guard taken meanwhile: put it back (exclusively) and let its owner finish.
          if (moved !== g.text && !linkExclusive(aside, guard)) {
            /* a third taker is in; it re-checks the lock itself */
          }
        } catch {
          /* gone already */
        } finally {
          fs.rmSync(aside, { force: true });
        }
      }
      return false;
    }
    try {
      const now = inspectLock(lockPath);
      if (now.state === 'absent') return linkExclusive(guardTmp, lockPath) || false;
      if (now.state !== 'held' || now.text !== staleText) return false;
      const tmp = writeTemp(lockPath, ours);
      try {
        fs.renameSync(tmp, lockPath);
      } catch (err) {
        fs.rmSync(tmp, { force: true });
        throw err;
      }
      return true;
    } finally {
      fs.rmSync(guard, { force: true });
    }
  } finally {
    fs.rmSync(guardTmp, { force: true });
  }
}

/**
 * Takes the lock for this process; idempotent for a lock we already hold. Throws SessionLockedError
 * when a live process holds it, LockFileError when the lock cannot be read.
 */
export function acquireLock(lockPath: string, sessionId: string): void {
  if (held.has(lockPath) && isOurs(readLock(lockPath), lockPath)) return;
  const token = crypto.randomUUID();
  const ours: LockInfo = { ...selfIdentity(), started: new Date().toISOString(), token };
  for (let attempt = 0; attempt < 50; attempt++) {
    const tmp = writeTemp(lockPath, ours);
    let placed: boolean;
    try {
      placed = linkExclusive(tmp, lockPath);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    if (placed) return markHeld(lockPath, token);
    const now = inspectLock(lockPath);
    if (now.state === 'absent') continue; // released meanwhile
    if (now.state === 'unreadable') throw now.error;
    if (isLockOwnerAlive(now.info) !== false) throw new SessionLockedError(sessionId, now.info);
    if (takeOver(lockPath, now.text, ours)) return markHeld(lockPath, token);
  }
  const holder = readLock(lockPath);
  throw new SessionLockedError(sessionId, holder ?? { pid: -1, host: 'unknown', started: '' });
}

function markHeld(lockPath: string, token: string): void {
  held.set(lockPath, token);
  installExitHook();
}

export function releaseLock(lockPath: string): void {
  if (!held.has(lockPath)) return;
  try {
    if (isOurs(readLock(lockPath), lockPath)) fs.unlinkSync(lockPath);
  } catch {
    /* already gone */
  }
  held.delete(lockPath);
}

export function holdsLock(lockPath: string): boolean {
  return held.has(lockPath);
}
