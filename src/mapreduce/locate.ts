/**
 * From whatever id a user typed (job id, session id, or a session id prefix) to the job's folders.
 * Read-only: the CLI's `events`, `dlq` and `resume-job` start here.
 */
import { findJobRepo, findMapping } from '../storage/job-mapping.js';
import { type StorePaths, storePaths } from '../storage/paths.js';
import { SessionNotFoundError, UnifiedSessionManager } from '../session/manager.js';
import { META } from '../session/types.js';

export class JobNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no MapReduce job ${id}`);
    this.name = 'JobNotFoundError';
  }
}

export interface JobLocation {
  jobId: string;
  repo: string;
  /** The job's session, when one is known. */
  sessionId: string | null;
  jobStateFile: string;
  eventsDir: string;
  dlqItemsDir: string;
}

function at(paths: StorePaths, jobId: string, repo: string, sessionId: string | null): JobLocation {
  return {
    jobId,
    repo,
    sessionId,
    jobStateFile: paths.jobStateFile(repo, jobId),
    eventsDir: paths.eventsDir(repo, jobId),
    dlqItemsDir: paths.dlqItemsDir(repo, jobId),
  };
}

export async function locateJob(home: string, id: string): Promise<JobLocation> {
  const paths = storePaths(home);
  const mapped = await findMapping(home, id);
  if (mapped) return at(paths, mapped.job_id, mapped.repo, mapped.session_id);
  const repo = await findJobRepo(home, id);
  if (repo) return at(paths, id, repo, null);
  // A session id (or prefix) of a MapReduce session.
  const manager = new UnifiedSessionManager(home);
  let sessionId: string;
  try {
    sessionId = await manager.resolveId(id);
  } catch (err) {
    if (err instanceof SessionNotFoundError) throw new JobNotFoundError(id);
    throw err;
  }
  const s = await manager.load(sessionId);
  const jobId = s.mapreduce_data?.job_id ?? (typeof s.metadata[META.jobId] === 'string' ? (s.metadata[META.jobId] as string) : null);
  if (!jobId) throw new JobNotFoundError(id);
  const jobRepo = await findJobRepo(home, jobId);
  if (!jobRepo) throw new JobNotFoundError(id);
  return at(paths, jobId, jobRepo, sessionId);
}
