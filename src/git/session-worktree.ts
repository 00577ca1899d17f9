/**
 * A run's own git worktree: `$PRODIGY_HOME/worktrees/<repo>/<session-id>` on branch
 * `prodigy-<session-id>` from the user's HEAD, and merging its commits back into the branch the run
 * started from. The user's checkout is written only by the merge, and only when it is safe.
 */
import { storePaths } from '../storage/paths.js';
import {
  addWorktree,
  branchExists,
  commitsAhead,
  currentBranch,
  deleteBranch,
  dirtyFiles,
  filesChangedSince,
  mergeBranch,
  probeRepo,
  removeWorktree,
  revParse,
} from './repo.js';

export interface SessionWorktree {
  /** The user's repository (top of its working tree): where the merge happens. */
  repoTop: string;
  path: string;
  branch: string;
  baseBranch: string;
  baseCommit: string;
}

export type Isolation = { kind: 'worktree'; worktree: SessionWorktree; notes: string[] } | { kind: 'in-place'; notes: string[] };

export const sessionBranch = (sessionId: string): string => `prodigy-${sessionId}`;

/** The per-repository folder name (Prodigy's: the repository folder's last component). */
export function repoFolderName(top: string): string {
  return top.split(/[\\/]/).filter(Boolean).pop() ?? 'root';
}

/** Pure: the line that tells the user what the run will not see of their tree. */
export function dirtyNote(changed: number, untracked: number): string | null {
  if (changed === 0 && untracked === 0) return null;
  const parts = [changed > 0 ? `${changed} uncommitted change(s)` : '', untracked > 0 ? `${untracked} untracked file(s)` : ''].filter(Boolean);
  return `Note: ${parts.join(' and ')} in your tree are not in the run's worktree (it starts from your last commit)`;
}

/**
 * Where the run happens. In a git repository with a commit on a branch: a new worktree (notes say what
 * is left out). Otherwise, or when `wanted` is false, in place, with one line saying why.
 */
export async function prepareIsolation(o: { home: string; dir: string; sessionId: string; wanted: boolean }): Promise<Isolation> {
  if (!o.wanted) return { kind: 'in-place', notes: ['Running in place (--no-worktree): steps change your working tree directly'] };
  const probe = await probeRepo(o.dir);
  if (probe.kind === 'none') return { kind: 'in-place', notes: [`Running in place: ${o.dir} is ${probe.why === 'not a git repository' ? 'not in a git repository' : probe.why}`] };
  const { top, branch, head } = probe.info;
  if (head === null) return { kind: 'in-place', notes: [`Running in place: the repository at ${top} has no commit yet to start a worktree from`] };
  if (branch === null) return { kind: 'in-place', notes: [`Running in place: HEAD is detached in ${top} (no branch to merge the run back into)`] };
  const dirty = await dirtyFiles(top);
  const wt: SessionWorktree = {
    repoTop: top,
    path: storePaths(o.home).sessionWorktree(repoFolderName(top), o.sessionId),
    branch: sessionBranch(o.sessionId),
    baseBranch: branch,
    baseCommit: head,
  };
  await addWorktree(top, wt.path, wt.branch, head);
  const notes = [`Worktree ${wt.path} (branch ${wt.branch} from ${branch})`];
  const note = dirtyNote(dirty.changed.length, dirty.untracked.length);
  if (note) notes.push(note);
  return { kind: 'worktree', worktree: wt, notes };
}

export type MergeOutcome =
  | { kind: 'nothing'; message: string }
  /** `tip`: the run branch's last commit, merged (the branch is deleted after): its commits are baseCommit..tip. */
  | { kind: 'merged'; message: string; tip: string | null }
  | { kind: 'refused'; message: string };

/** Pure: why a merge must not run now, or null. */
export function mergeRefusal(o: { wt: SessionWorktree; userBranch: string | null; dirty: string[]; touched: string[]; baseExists?: boolean }): string | null {
  if (o.baseExists === false) {
    return `not merged: branch ${o.wt.baseBranch}, which the run started from, no longer exists; the run's work stays on branch ${o.wt.branch} (worktree ${o.wt.path})`;
  }
  if (o.userBranch !== o.wt.baseBranch) {
    const where = o.userBranch === null ? 'a detached HEAD' : `branch ${o.userBranch}`;
    return `not merged: your checkout is on ${where}, the run started from ${o.wt.baseBranch} (git checkout ${o.wt.baseBranch}, then prodigy worktree merge)`;
  }
  const touched = new Set(o.touched);
  const both = o.dirty.filter((f) => touched.has(f));
  if (both.length > 0) {
    const shown = both.slice(0, 3).join(', ') + (both.length > 3 ? `, +${both.length - 3} more` : '');
    return `not merged: you have uncommitted changes to ${shown}, which the run changed too (commit or stash them, then prodigy worktree merge)`;
  }
  return null;
}

/** How many commits the run's branch holds beyond where it started. */
export async function runCommits(wt: SessionWorktree): Promise<number> {
  return commitsAhead(wt.repoTop, wt.baseCommit, wt.branch);
}

/** Removes the worktree and its branch (only call once its commits are merged, or there are none). */
export async function discardWorktree(wt: SessionWorktree): Promise<void> {
  await removeWorktree(wt.repoTop, wt.path);
  if (await branchExists(wt.repoTop, wt.branch)) await deleteBranch(wt.repoTop, wt.branch);
}

export type Preflight = MergeOutcome | { kind: 'go'; commits: number; touched: string[] };

/**
 * What every merge (the default one and a workflow's `merge:` block) checks first: the branch is there
 * and holds commits (none: the worktree is removed), the user is on the base branch, and has no
 * uncommitted changes to files the run changed.
 */
export async function mergePreflight(wt: SessionWorktree): Promise<Preflight> {
  if (!(await branchExists(wt.repoTop, wt.branch))) return { kind: 'nothing', message: `branch ${wt.branch} is gone: nothing to merge` };
  const n = await runCommits(wt);
  if (n === 0) {
    await discardWorktree(wt);
    return { kind: 'nothing', message: `No new commits in ${wt.branch}; worktree removed` };
  }
  const userBranch = await currentBranch(wt.repoTop);
  const dirty = await dirtyFiles(wt.repoTop);
  const touched = await filesChangedSince(wt.repoTop, wt.baseCommit, wt.branch);
  const baseExists = await branchExists(wt.repoTop, wt.baseBranch);
  const refusal = mergeRefusal({ wt, userBranch, dirty: dirty.changed, touched, baseExists });
  if (refusal) return { kind: 'refused', message: refusal };
  return { kind: 'go', commits: n, touched };
}

/**
 * Merges the run's branch into the user's base branch (fast-forward when possible, else a merge
 * commit), then removes the worktree and branch. Refuses when the user switched branch or has
 * uncommitted changes to files the run changed; a conflict is aborted and the worktree kept.
 */
export async function mergeBack(wt: SessionWorktree, sessionId: string): Promise<MergeOutcome> {
  const pre = await mergePreflight(wt);
  if (pre.kind !== 'go') return pre;
  const n = pre.commits;
  const tip = await revParse(wt.repoTop, wt.branch);
  const r = await mergeBranch(wt.repoTop, wt.branch, `Merge ${wt.branch} (prodigy session ${sessionId})`);
  if (r.kind === 'conflict') {
    return {
      kind: 'refused',
      message: `not merged: ${wt.branch} conflicts with ${wt.baseBranch} in ${r.files.join(', ') || 'some files'}; merge aborted, your tree is as it was. Worktree kept at ${wt.path}: resolve there or run git merge ${wt.branch} yourself`,
    };
  }
  await discardWorktree(wt);
  return { kind: 'merged', message: `Merged ${n} commit(s) from ${wt.branch} into ${wt.baseBranch} (${r.kind}); worktree removed`, tip };
}
