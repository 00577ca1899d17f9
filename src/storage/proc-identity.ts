/**
 * Who a process is, beyond its pid: pids are reused, so an owner is (host, boot, pid, start time). The
 * start time is field 22 of /proc/<pid>/stat (clock ticks since boot), which a reused pid does not share;
 * the boot id tells ticks of one boot from another's. Where /proc is missing both are null and the pid
 * alone is used, as before.
 */
import fs from 'node:fs';
import os from 'node:os';

/** Start time of a live process in clock ticks since boot; null when it does not exist or /proc is absent. */
export function processStartTicks(pid: number): number | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces or ')': split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]); // field 22 overall; fields[0] is field 3
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

let bootIdCache: string | null | undefined;
export function bootId(): string | null {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootIdCache = null;
    }
  }
  return bootIdCache;
}

export interface ProcessIdentity {
  pid: number;
  host: string;
  /** null where /proc is not available. */
  start_ticks: number | null;
  boot_id: string | null;
}

export function selfIdentity(): ProcessIdentity {
  return { pid: process.pid, host: os.hostname(), start_ticks: processStartTicks(process.pid), boot_id: bootId() };
}

/**
 * Alive / dead when it can be known (same host), undefined for another host's process. With a start
 * time recorded, a live pid with another start time (or on another boot) is a different process: dead.
 */
export function isProcessAlive(
  who: { pid: number; host?: string; start_ticks?: number | null; boot_id?: string | null },
): boolean | undefined {
  if ((who.host ?? os.hostname()) !== os.hostname()) return undefined;
  if (!Number.isInteger(who.pid) || who.pid <= 0) return false;
  try {
    process.kill(who.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (who.boot_id && bootId() && who.boot_id !== bootId()) return false;
  if (typeof who.start_ticks === 'number') {
    const now = processStartTicks(who.pid);
    if (now !== null && now !== who.start_ticks) return false;
  }
  return true;
}
