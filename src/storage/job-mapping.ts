/**
 * Session <-> job id mapping (`state/<repo>/mappings/<id>.json`, one file under each id) and finding a
 * job's folders from its id alone, so every command accepts a job id or a session id.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomicSync } from './atomic-write.js';
import { isValidSessionId, storePaths } from './paths.js';
import { checkShape, parseJsonText } from './schema-check.js';
import { JobMappingSchema } from './schemas.js';
import { readIfExists } from './store-file.js';

export interface JobMapping {
  session_id: string;
  job_id: string;
  repo: string;
  workflow_name: string;
  created_at: string;
}

export function writeMapping(home: string, m: JobMapping): void {
  const dir = storePaths(home).mappingsDir(m.repo);
  fs.mkdirSync(dir, { recursive: true });
  for (const id of [m.job_id, m.session_id]) writeJsonAtomicSync(path.join(dir, `${id}.json`), m);
}

async function repos(home: string): Promise<string[]> {
  try {
    return (await fsp.readdir(storePaths(home).stateRootDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

/** The mapping recorded under a job id or a session id, in any repository; null when there is none. */
export async function findMapping(home: string, id: string): Promise<JobMapping | null> {
  if (!isValidSessionId(id)) return null;
  const paths = storePaths(home);
  for (const repo of await repos(home)) {
    const file = path.join(paths.mappingsDir(repo), `${id}.json`);
    const text = await readIfExists(file);
    if (text === null) continue; // not in this repository
    // Its ids and repo become paths: a mapping that is not one (e.g. "job_id": "../x") is reported, not followed.
    return checkShape(JobMappingSchema, parseJsonText(text, file), file) as JobMapping;
  }
  return null;
}

/** Where a job lives: its repository name, from the job folder itself (works without a mapping). */
export async function findJobRepo(home: string, jobId: string): Promise<string | null> {
  if (!isValidSessionId(jobId)) return null;
  const paths = storePaths(home);
  for (const repo of await repos(home)) {
    if (fs.existsSync(paths.jobStateFile(repo, jobId))) return repo;
  }
  return null;
}
