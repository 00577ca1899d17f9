/**
 * After a crash, the step the runner left behind may still be running in its process group. Resume stops
 * it, but only when that group is provably the session's: a recorded group id can be reused by an
 * unrelated program once the original is gone. A process belongs to the session when its environment
 * carries PRODIGY_SESSION_ID=<id> (every child gets it). Linux's /proc answers this; elsewhere nothing is
 * killed.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Pure over a /proc-shaped folder: does any live member of process group `pgid` belong to `sessionId`? */
export function groupBelongsToSession(pgid: number, sessionId: string, procDir = '/proc'): boolean {
  let entries: string[];
  try {
    entries = fs.readdirSync(procDir);
  } catch {
    return false;
  }
  const marker = `PRODIGY_SESSION_ID=${sessionId}`;
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(path.join(procDir, e, 'stat'), 'utf8');
      // Fields after "(comm)": state ppid pgrp ...; comm itself may contain spaces and parentheses.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) !== pgid || state === 'Z') continue;
      if (fs.readFileSync(path.join(procDir, e, 'environ'), 'utf8').split('\0').includes(marker)) return true;
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return false;
}
