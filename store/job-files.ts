/**
 * Read-only readers of a MapReduce job's files (the job runner is their only writer): the job state,
 * the latest lines of its event log and the number of dead-lettered items. A file that is missing is
 * "nothing yet"; one that does not parse is reported and left as it is.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { readJobState as readJobStateFile } from '../src/mapreduce/job-store.js';
import type { JobTail } from '../src/mapreduce/job-tail.js';
import type { JobEvent, JobState } from '../src/mapreduce/job-types.js';
import { readTailLines } from '../src/storage/jsonl.js';
import { CorruptFileError } from '../src/storage/store-file.js';
import type { UnifiedSession } from '../src/session/types.js';
import { META } from '../src/session/types.js';
import { findJobRepo } from '../src/storage/job-mapping.js';
import { repoNameOf } from '../src/storage/paths.js';

export interface JobStateRead {
  state: JobState | null;
  problem: string | null;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The runner's own reader, with a problem line instead of a throw (the dashboard shows it and goes on). */
export async function readJobState(file: string): Promise<JobStateRead> {
  try {
    return { state: await readJobStateFile(file), problem: null };
  } catch (err) {
    if (isMissing(err)) return { state: null, problem: null };
    return { state: null, problem: err instanceof CorruptFileError ? err.message : `${file}: ${(err as Error).message}` };
  }
}

/** The next read of a job being followed (src/mapreduce/job-tail.ts: only what was appended), same shape. */
export async function readJobTail(tail: JobTail): Promise<JobStateRead> {
  try {
    return { state: await tail.refresh(), problem: null };
  } catch (err) {
    if (isMissing(err)) return { state: null, problem: null };
    return { state: null, problem: err instanceof CorruptFileError ? err.message : `${tail.file}: ${(err as Error).message}` };
  }
}

/** How much of the newest log file is read to find its last lines (events are short JSON lines). */
const TAIL_BYTES = 64 * 1024;

/**
 * The last `n` events, oldest first, from the newest events-*.jsonl files. Reads only the tail of each
 * file, so a job with a huge log costs the same as a small one. Lines that do not parse (a line being
 * appended right now) are skipped.
 */
export async function readLatestEvents(dir: string, n: number): Promise<JobEvent[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((f) => f.startsWith('events-') && f.endsWith('.jsonl')).sort();
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
  const out: JobEvent[] = [];
  for (let i = names.length - 1; i >= 0 && out.length < n; i--) {
    let lines: string[];
    try {
      lines = await readTailLines(path.join(dir, names[i]!), TAIL_BYTES);
    } catch (err) {
      if (isMissing(err)) continue;
      throw err;
    }
    const parsed: JobEvent[] = [];
    for (const l of lines) {
      try {
        const e = JSON.parse(l) as JobEvent;
        if (e && typeof e.type === 'string') parsed.push(e);
      } catch {
        /* partial line */
      }
    }
    out.unshift(...parsed.slice(Math.max(0, parsed.length - (n - out.length))));
  }
  return out;
}

export async function countDlqItems(dir: string): Promise<number> {
  try {
    return (await fs.readdir(dir)).filter((f) => f.endsWith('.json') && !f.startsWith('.')).length;
  } catch (err) {
    if (isMissing(err)) return 0;
    throw err;
  }
}

/**
 * The <repo> folder of a session's job: metadata repo_name, else the name of repo_path, else whichever
 * repository folder under state/ holds the job (Prodigy's own sessions record neither).
 */
export async function jobRepoOf(home: string, s: UnifiedSession, jobId: string): Promise<string | null> {
  const name = s.metadata[META.repoName];
  if (typeof name === 'string' && name.length > 0) return name;
  const p = s.metadata[META.repoPath];
  if (typeof p === 'string' && p.length > 0) return repoNameOf(p);
  return findJobRepo(home, jobId);
}
