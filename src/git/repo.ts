/**
 * The repository operations a run needs: where the repository is, its branch and HEAD, what is dirty,
 * worktrees and branches, and merging a branch back. git's CLI underneath (src/git/git.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { git, runGit } from './git.js';
import { type DirtyFiles, outputLines, parseStatusZ } from './porcelain.js';

export interface RepoInfo {
  /** The top of the working tree. */
  top: string;
  /** The checked-out branch; null on a detached HEAD. */
  branch: string | null;
  /** HEAD's commit; null in a repository without commits. */
  head: string | null;
}

export type RepoProbe = { kind: 'repo'; info: RepoInfo } | { kind: 'none'; why: string };

/** What `dir` is, for git: a working tree (with branch and HEAD), or why it is not one. */
export async function probeRepo(dir: string): Promise<RepoProbe> {
  const inside = await runGit(dir, ['rev-parse', '--is-inside-work-tree', '--is-bare-repository']);
  if (inside.code !== 0) return { kind: 'none', why: 'not a git repository' };
  const [work, bare] = outputLines(inside.stdout);
  if (bare === 'true' || work !== 'true') return { kind: 'none', why: 'a bare git repository has no working tree' };
  const top = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
  const head = await runGit(dir, ['rev-parse', '-q', '--verify', 'HEAD']);
  const branch = await runGit(dir, ['symbolic-ref', '-q', '--short', 'HEAD']);
  return {
    kind: 'repo',
    info: { top, branch: branch.code === 0 ? branch.stdout.trim() : null, head: head.code === 0 ? head.stdout.trim() : null },
  };
}

export async function currentBranch(top: string): Promise<string | null> {
  const r = await runGit(top, ['symbolic-ref', '-q', '--short', 'HEAD']);
  return r.code === 0 ? r.stdout.trim() : null;
}

export async function dirtyFiles(top: string): Promise<DirtyFiles> {
  return parseStatusZ(await git(top, ['status', '--porcelain=v1', '-z', '--untracked-files=all']));
}

export async function branchExists(top: string, branch: string): Promise<boolean> {
  return (await runGit(top, ['rev-parse', '-q', '--verify', `refs/heads/${branch}`])).code === 0;
}

/** A new worktree at `dir` on a new branch `branch` from `base`. Refuses a path that exists. */
export async function addWorktree(top: string, dir: string, branch: string, base: string): Promise<void> {
  if (fs.existsSync(dir)) throw new Error(`worktree path ${dir} exists already`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  await git(top, ['worktree', 'add', '-q', '-b', branch, dir, base]);
}

/** Removes a worktree (and git's record of it); a folder already gone is pruned. */
export async function removeWorktree(top: string, dir: string): Promise<void> {
  if (fs.existsSync(dir)) {
    const r = await runGit(top, ['worktree', 'remove', '--force', '--force', dir]);
    if (r.code !== 0) fs.rmSync(dir, { recursive: true, force: true });
  }
  await runGit(top, ['worktree', 'prune']);
}

/** The git folder of a linked worktree, from its `.git` file ("gitdir: <path>"); null when unreadable. */
function worktreeGitDir(dir: string): string | null {
  try {
    const m = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(path.join(dir, '.git'), 'utf8'));
    return m ? path.resolve(dir, m[1]!.trim()) : null;
  } catch {
    return null;
  }
}

/** What an operation left half done in a worktree (a merge, rebase, cherry-pick...): reset cannot undo all of it. */
const IN_PROGRESS = ['MERGE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD', 'REVERT_HEAD', 'BISECT_LOG'];

/**
 * Puts an existing worktree on a new `branch` (null: a detached HEAD) at `base` as if freshly added:
 * tracked files reset, untracked and ignored files removed. False when it cannot be made clean that way (then add a new one).
 */
export async function resetWorktreeTo(dir: string, branch: string | null, base: string): Promise<boolean> {
  const gitDir = worktreeGitDir(dir);
  if (!gitDir || IN_PROGRESS.some((f) => fs.existsSync(path.join(gitDir, f)))) return false;
  if ((await runGit(dir, ['checkout', '-q', '-f', ...(branch === null ? ['--detach', base] : ['-B', branch, base])])).code !== 0) return false;
  return (await runGit(dir, ['clean', '-q', '-ffdx'])).code === 0;
}

/** Leaves a worktree on a detached HEAD, so the branch it was on can be deleted. */
export async function detachWorktree(dir: string): Promise<boolean> {
  return (await runGit(dir, ['checkout', '-q', '--detach'])).code === 0;
}

/** Moves a worktree (git keeps its record right). */
export async function moveWorktree(top: string, from: string, to: string): Promise<boolean> {
  return (await runGit(top, ['worktree', 'move', from, to])).code === 0;
}

export async function deleteBranch(top: string, branch: string): Promise<void> {
  await runGit(top, ['branch', '-D', branch]);
}

export async function revParse(cwd: string, rev: string): Promise<string | null> {
  const r = await runGit(cwd, ['rev-parse', '-q', '--verify', `${rev}^{commit}`]);
  return r.code === 0 ? r.stdout.trim() : null;
}

/** Commits on `branch` that `base` does not have. */
export async function commitsAhead(top: string, base: string, branch: string): Promise<number> {
  return Number((await git(top, ['rev-list', '--count', `${base}..${branch}`])).trim());
}

/** The ids of the commits on `branch` that `base` does not have, oldest first. */
export async function commitIdsAhead(top: string, base: string, branch: string): Promise<string[]> {
  return outputLines(await git(top, ['rev-list', '--reverse', `${base}..${branch}`]));
}

/** Aborts a merge left half-done in `top` (conflicted or stopped); true when there was one. */
export async function abortMergeInProgress(top: string): Promise<boolean> {
  if ((await runGit(top, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'])).code !== 0) return false;
  await runGit(top, ['merge', '--abort']);
  return true;
}

/** Files `branch` changed since it left `base`. */
export async function filesChangedSince(top: string, base: string, branch: string): Promise<string[]> {
  return outputLines(await git(top, ['diff', '--name-only', `${base}...${branch}`]));
}

/** True when every commit of `branch` is in `into` already. */
export async function isMerged(top: string, branch: string, into: string): Promise<boolean> {
  return (await runGit(top, ['merge-base', '--is-ancestor', branch, into])).code === 0;
}

export type MergeResult = { kind: 'fast-forward' | 'merge-commit' } | { kind: 'conflict'; files: string[] };

/**
 * Merges `branch` into what `top` has checked out: a fast-forward when possible, else a merge commit.
 * A conflict is aborted at once, so the tree is never left conflicted.
 */
export async function mergeBranch(top: string, branch: string, message: string): Promise<MergeResult> {
  if ((await runGit(top, ['merge', '--ff-only', '-q', branch])).code === 0) return { kind: 'fast-forward' };
  const r = await runGit(top, ['merge', '--no-ff', '--no-edit', '-q', '-m', message, branch]);
  if (r.code === 0) return { kind: 'merge-commit' };
  const files = outputLines((await runGit(top, ['diff', '--name-only', '--diff-filter=U'])).stdout);
  await runGit(top, ['merge', '--abort']);
  return { kind: 'conflict', files };
}

/** HEAD of the repository at `cwd`: undefined when it is not a git repository, null when it has no commit. */
export async function gitHead(cwd: string): Promise<string | null | undefined> {
  // Without git there is no repository to check a commit in (commit_required is then not checked).
  const probe = await runGit(cwd, ['rev-parse', '--git-dir']).catch(() => null);
  if (!probe || probe.code !== 0) return undefined;
  return revParse(cwd, 'HEAD');
}
