/**
 * Temp files of crashed writers. Every writer of the store writes a temp file beside its target and
 * renames it into place; a writer killed (or failing) between the two leaves the temp file behind. A
 * failed write removes its own (io-fault.ts, atomic-write.ts, snapshot-file.ts, lock.ts); these are the
 * ones whose writer died, removed by the next run:
 * - `.<name>.<pid>.<tag>.tmp` (atomic writes, locks): removed when that pid is not alive here.
 * - `.<name>.tmp` (lowdb/steno snapshots: a session file, job.json) carry no pid: only the session's
 *   lock holder writes them, so they are removed by whoever takes that lock (`sweepSnapshotTemps`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { snapshotTempOf } from './snapshot-file.js';

const PID_TAGGED = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/;

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function subdirs(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(dir, d.name));
  } catch {
    return [];
  }
}

/** The folders the store's writers put temp files in (one readdir each). */
function writerFolders(home: string): string[] {
  const repos = subdirs(path.join(home, 'state'));
  return [
    path.join(home, 'sessions'),
    ...repos.map((r) => path.join(r, 'mappings')),
    ...repos.flatMap((r) => subdirs(path.join(r, 'mapreduce', 'jobs'))),
    ...subdirs(path.join(home, 'dlq')).flatMap((r) => subdirs(r).flatMap((j) => [j, path.join(j, 'items')])),
  ];
}

let swept = false;

/** Removes the pid-tagged temp files of dead writers under the store, once per process. Returns them. */
export function sweepStaleTemps(home: string): string[] {
  if (swept) return [];
  swept = true;
  const removed: string[] = [];
  for (const dir of writerFolders(home)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = PID_TAGGED.exec(name);
      if (!m || pidAlive(Number(m[1]))) continue;
      const file = path.join(dir, name);
      fs.rmSync(file, { force: true });
      removed.push(file);
    }
  }
  return removed;
}

/** Removes steno's temp files of these snapshots: the caller holds the lock of the session they belong to. */
export function sweepSnapshotTemps(files: readonly string[]): void {
  for (const f of files) fs.rmSync(snapshotTempOf(f), { force: true });
}
