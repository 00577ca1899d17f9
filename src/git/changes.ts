/**
 * What a run or an agent committed: the commits of a range (with their files), the range's diffstat,
 * and one commit's diff. Read-only git calls; the dashboard's loader (store/changes-feed.ts) uses them.
 */
import { git, runGit } from './git.js';
import { type CommitInfo, type FileStat, LOG_FORMAT, parseLog, parseNumstat } from './log-parse.js';

/** A listing this long is enough to look at; the view says when there are more. */
export const MAX_COMMITS = 500;

export interface RangeChanges {
  commits: CommitInfo[];
  /** True when the range holds more than MAX_COMMITS commits (the newest are listed). */
  more: boolean;
  /** The whole range's change, file by file (base to head). */
  files: FileStat[];
}

/** null when `rev` names no commit in the repository at `cwd`. */
async function commitOf(cwd: string, rev: string): Promise<string | null> {
  const r = await runGit(cwd, ['rev-parse', '-q', '--verify', '--end-of-options', `${rev}^{commit}`]);
  return r.code === 0 ? r.stdout.trim() : null;
}

export class MissingRevisionError extends Error {}

/** The commits in base..head (newest first) and the diffstat from base to head. */
export async function rangeChanges(cwd: string, base: string, head: string): Promise<RangeChanges> {
  const from = await commitOf(cwd, base);
  if (!from) throw new MissingRevisionError(`commit ${base.slice(0, 12)} is not in the repository at ${cwd}`);
  const to = await commitOf(cwd, head);
  if (!to) throw new MissingRevisionError(`${head.replace(/^refs\/heads\//, 'branch ')} is not in the repository at ${cwd} (merged and removed, or cleaned up)`);
  const log = await git(cwd, ['log', '--no-color', '--numstat', `--format=${LOG_FORMAT}`, '-n', String(MAX_COMMITS + 1), `${from}..${to}`]);
  const commits = parseLog(log);
  const files = parseNumstat(await git(cwd, ['diff', '--no-color', '--no-ext-diff', '--numstat', from, to]));
  return { commits: commits.slice(0, MAX_COMMITS), more: commits.length > MAX_COMMITS, files };
}

/** One commit: its header, stat and patch (a merge against its first parent), as git prints it without colour. */
export async function commitDiff(cwd: string, sha: string): Promise<string> {
  if (!/^[0-9a-f]{7,64}$/.test(sha)) throw new Error(`not a commit id: ${sha}`);
  return git(cwd, ['show', '--no-color', '--no-ext-diff', '--format=fuller', '--stat', '--patch', '-m', '--first-parent', sha]);
}
