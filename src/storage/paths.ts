/**
 * The $PRODIGY_HOME layout, in one place. Nothing else in the project joins store paths by hand, so the
 * on-disk layout (which must match Prodigy's, see shared/reference/session-format.md) lives here alone.
 */
import os from 'node:os';
import path from 'node:path';
import { isSafeId } from './schemas.js';

/** `--home` wins, then PRODIGY_HOME, then ~/.prodigy. */
export function resolveHome(override?: string): string {
  const chosen = override ?? process.env.PRODIGY_HOME;
  return path.resolve(chosen && chosen.length > 0 ? chosen : path.join(os.homedir(), '.prodigy'));
}

/** Prodigy names per-repository folders after the repository's directory name. */
export function repoNameOf(repoPath: string): string {
  return path.basename(path.resolve(repoPath)) || 'root';
}

export interface StorePaths {
  home: string;
  sessionsDir: string;
  sessionFile(id: string): string;
  sessionLock(id: string): string;
  /** The session's append-only journal (storage/session-journal.ts), beside its file. */
  sessionJournal(id: string): string;
  logsDir: string;
  sessionLog(id: string): string;
  /** The sequential steps' own completion records and output copies (exec/recorded-shell.ts). */
  sessionSteps(id: string): string;
  stateDir(repo: string): string;
  mappingsDir(repo: string): string;
  jobDir(repo: string, jobId: string): string;
  /** The job's lowdb state file (JobState), inside jobDir. */
  jobStateFile(repo: string, jobId: string): string;
  /** One work item's whole output, every attempt (src/mapreduce/item-log.ts), inside jobDir. */
  jobItemLog(repo: string, jobId: string, itemId: string): string;
  /** Every repository's MapReduce jobs folder lives at state/<repo>/mapreduce/jobs; this is state/. */
  stateRootDir: string;
  eventsDir(repo: string, jobId: string): string;
  dlqDir(repo: string, jobId: string): string;
  /** One JSON file per dead-letter item, inside dlqDir. */
  dlqItemsDir(repo: string, jobId: string): string;
  /** Prodigy 0.4's per-step workflow checkpoints (read-only for us). */
  prodigyCheckpointsDir(sessionId: string): string;
  /** Every repository's run worktrees live at worktrees/<repo>/; this is worktrees/. */
  worktreesRootDir: string;
  /** A run's git worktree (branch prodigy-<session-id>). */
  sessionWorktree(repo: string, sessionId: string): string;
  /** The worktrees of a MapReduce run's agents, one per work item. */
  agentWorktreesDir(repo: string, sessionId: string): string;
}

/** What a session journal's file name ends with (`<id>.journal.jsonl`): not `*.json`, so listings skip it. */
export const SESSION_JOURNAL_SUFFIX = '.journal.jsonl';

export function storePaths(home: string): StorePaths {
  const sessionsDir = path.join(home, 'sessions');
  const logsDir = path.join(home, 'logs');
  return {
    home,
    sessionsDir,
    sessionFile: (id) => path.join(sessionsDir, `${id}.json`),
    sessionLock: (id) => path.join(sessionsDir, `${id}.lock`),
    sessionJournal: (id) => path.join(sessionsDir, `${id}${SESSION_JOURNAL_SUFFIX}`),
    logsDir,
    sessionLog: (id) => path.join(logsDir, `${id}.log`),
    sessionSteps: (id) => path.join(logsDir, `${id}.steps`),
    stateDir: (repo) => path.join(home, 'state', repo),
    mappingsDir: (repo) => path.join(home, 'state', repo, 'mappings'),
    jobDir: (repo, jobId) => path.join(home, 'state', repo, 'mapreduce', 'jobs', jobId),
    jobStateFile: (repo, jobId) => path.join(home, 'state', repo, 'mapreduce', 'jobs', jobId, 'job.json'),
    jobItemLog: (repo, jobId, itemId) => path.join(home, 'state', repo, 'mapreduce', 'jobs', jobId, 'items', `${itemId}.log`),
    stateRootDir: path.join(home, 'state'),
    eventsDir: (repo, jobId) => path.join(home, 'events', repo, jobId),
    dlqDir: (repo, jobId) => path.join(home, 'dlq', repo, jobId),
    dlqItemsDir: (repo, jobId) => path.join(home, 'dlq', repo, jobId, 'items'),
    prodigyCheckpointsDir: (sessionId) => path.join(home, 'state', sessionId, 'checkpoints'),
    worktreesRootDir: path.join(home, 'worktrees'),
    sessionWorktree: (repo, sessionId) => path.join(home, 'worktrees', repo, sessionId),
    agentWorktreesDir: (repo, sessionId) => path.join(home, 'worktrees', repo, `${sessionId}.agents`),
  };
}

/** Session ids become file names; refuse anything that could escape the sessions folder. */
export function isValidSessionId(id: string): boolean {
  return isSafeId(id);
}

/** The job's journal (storage/job-journal.ts), beside its job.json. */
export const jobJournalOf = (jobStateFile: string): string => path.join(path.dirname(jobStateFile), 'job.journal.jsonl');

// Free-function spellings of the MapReduce job paths (shared by the job runner and the dashboard).
export const jobDir = (home: string, repo: string, jobId: string): string => storePaths(home).jobDir(repo, jobId);
export const jobStateFile = (home: string, repo: string, jobId: string): string => storePaths(home).jobStateFile(repo, jobId);
export const eventsDir = (home: string, repo: string, jobId: string): string => storePaths(home).eventsDir(repo, jobId);
export const dlqItemsDir = (home: string, repo: string, jobId: string): string => storePaths(home).dlqItemsDir(repo, jobId);
