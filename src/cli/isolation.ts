/**
 * The CLI side of worktree isolation: putting a new run in its own worktree (and saying so), finding a
 * session's worktree again from its metadata, and offering to merge a finished run back.
 */
import fs from 'node:fs';
import { type Isolation, type MergeOutcome, type SessionWorktree, mergeBack, prepareIsolation, runCommits } from '../git/session-worktree.js';
import { GitMissingError } from '../git/git.js';
import type { RunPlaceRecord } from '../session/cook-state.js';
import { UnifiedSessionManager } from '../session/manager.js';
import { type JsonValue, META, type UnifiedSession } from '../session/types.js';
import type { MergeBlock } from '../workflow/merge-block.js';
import { confirmYesOnTerminal } from './confirm.js';
import { mergeBlockRecord, recordedMergeBlock, runCustomMerge } from './custom-merge.js';
import { CliError, EXIT } from './errors.js';
import { type MergeEnvironment, mergeEnvironment } from './merge-env.js';

export interface RunPlace {
  /** Where the steps run. */
  cwd: string;
  /** The user's repository (or directory): what the session is listed under and resumed from. */
  repoPath: string;
  worktree: SessionWorktree | null;
  /** What the session records about it. */
  metadata: Record<string, JsonValue>;
  /** The lines that tell the user where the run happens (printed by the caller, after the ids). */
  notes: string[];
}

export function worktreeMetadata(wt: SessionWorktree): Record<string, JsonValue> {
  return {
    [META.worktreePath]: wt.path,
    [META.worktreeBranch]: wt.branch,
    [META.baseBranch]: wt.baseBranch,
    [META.baseCommit]: wt.baseCommit,
    worktree_repo: wt.repoTop,
  };
}

/** The worktree a session recorded, or null when it ran in place. */
export function worktreeOf(s: UnifiedSession): SessionWorktree | null {
  const m = s.metadata;
  const str = (k: string) => (typeof m[k] === 'string' && (m[k] as string).length > 0 ? (m[k] as string) : null);
  const p = str(META.worktreePath);
  const branch = str(META.worktreeBranch);
  const baseBranch = str(META.baseBranch);
  const baseCommit = str(META.baseCommit);
  const repoTop = str('worktree_repo') ?? str(META.repoPath);
  if (!p || !branch || !baseBranch || !baseCommit || !repoTop) return null;
  return { path: p, branch, baseBranch, baseCommit, repoTop };
}

/** Chooses where a new run happens, with one line (or two) saying so. */
export async function placeRun(o: { home: string; dir: string; sessionId: string; worktree: boolean }): Promise<RunPlace> {
  let iso: Isolation;
  try {
    iso = await prepareIsolation({ home: o.home, dir: o.dir, sessionId: o.sessionId, wanted: o.worktree });
  } catch (err) {
    if (err instanceof GitMissingError) iso = { kind: 'in-place', notes: [`Running in place: ${err.message}`] };
    else throw new CliError(`could not create the run's worktree: ${(err as Error).message.split('\n')[0]}`, EXIT.failed);
  }
  if (iso.kind === 'in-place') return { cwd: o.dir, repoPath: o.dir, worktree: null, metadata: {}, notes: iso.notes };
  const wt = iso.worktree;
  // Steps started in a subfolder of the repository run in the same subfolder of the worktree.
  const sub = o.dir.slice(wt.repoTop.length);
  return { cwd: `${wt.path}${sub}`, repoPath: o.dir, worktree: wt, metadata: worktreeMetadata(wt), notes: iso.notes };
}

/** What the new session records of where it runs (and the workflow's `merge:` block, run at the end). */
export function placeRecord(place: RunPlace, sessionId: string, merge?: MergeBlock): RunPlaceRecord | undefined {
  if (!place.worktree) return undefined;
  return { repoPath: place.repoPath, worktreeName: sessionId, metadata: { ...place.metadata, ...mergeBlockRecord(merge) } };
}

/** A resumed run continues in its worktree; a worktree that is gone is refused (its work may be lost). */
export function resumePlace(s: UnifiedSession): SessionWorktree | null {
  const wt = worktreeOf(s);
  if (wt && !fs.existsSync(wt.path)) {
    throw new CliError(`worktree not found for session ${s.id} (${wt.path}); it may have been cleaned up`, EXIT.failed);
  }
  return wt;
}

function say(r: MergeOutcome & { interrupted?: boolean }): number {
  if (r.kind === 'refused') {
    process.stderr.write(`prodigy: ${r.message}\n`);
    return r.interrupted ? EXIT.interrupted : EXIT.failed;
  }
  process.stdout.write(`${r.message}\n`);
  return EXIT.ok;
}

/**
 * After a completed run: merge its commits into the branch it started from — at once with `yes`, after
 * a question on a terminal, else not at all (one line says how to do it later). Returns the exit code.
 */
export async function offerMerge(home: string, sessionId: string, o: { yes?: boolean; env?: MergeEnvironment }): Promise<number> {
  const s = await new UnifiedSessionManager(home).load(sessionId);
  const wt = worktreeOf(s);
  if (!wt || !fs.existsSync(wt.path)) return EXIT.ok;
  const block = recordedMergeBlock(s.metadata);
  if (block === 'corrupt') {
    process.stderr.write(`prodigy: not merged: the merge: block recorded in session ${sessionId} is unreadable; worktree kept at ${wt.path}\n`);
    return EXIT.failed;
  }
  const n = await runCommits(wt);
  if (n > 0 && !o.yes) {
    const answer = await confirmYesOnTerminal(`Merge ${n} commit(s) from ${wt.branch} into ${wt.baseBranch}?`);
    if (answer === null) {
      process.stdout.write(`${n} commit(s) on ${wt.branch} not merged; to merge them: prodigy worktree merge ${sessionId}\n`);
      return EXIT.ok;
    }
    if (!answer) {
      process.stdout.write(`Not merged; the worktree stays at ${wt.path}. Later: prodigy worktree merge ${sessionId}\n`);
      return EXIT.ok;
    }
  }
  if (block) {
    // Handed over by the run that just ended, else resolved again as a resume would (merge-env.ts).
    const env = o.env ?? mergeEnvironment(s, wt.path, typeof s.metadata[META.repoPath] === 'string' ? (s.metadata[META.repoPath] as string) : undefined);
    for (const n of env.notes) process.stderr.write(`${n}\n`);
    return mergedBack(home, sessionId, await runCustomMerge(wt, sessionId, block, s.workflow_data?.workflow_name ?? sessionId, env));
  }
  return mergedBack(home, sessionId, await mergeBack(wt, sessionId));
}

/**
 * After a merge the run's branch is gone: the session keeps its last commit (`worktree_merged_head`), so
 * the dashboard can still list the run's commits (base_commit..that). Best effort: the merge stands anyway.
 */
async function mergedBack(home: string, sessionId: string, r: MergeOutcome): Promise<number> {
  if (r.kind === 'merged' && r.tip) {
    const manager = new UnifiedSessionManager(home);
    try {
      await manager.update(sessionId, { metadata: { [META.worktreeMergedHead]: r.tip } });
    } catch {
      // another process holds the session now: the commits are merged, only the dashboard's list is lost
    } finally {
      manager.release(sessionId);
    }
  }
  return say(r);
}

/** `prodigy worktree merge <id>`: the same merge, for a run that was not merged when it ended. */
export async function mergeSession(home: string, s: UnifiedSession, o: { yes?: boolean }): Promise<number> {
  const wt = worktreeOf(s);
  if (!wt) throw new CliError(`session ${s.id} ran in place: it has no worktree to merge`, EXIT.usage);
  if (!fs.existsSync(wt.path)) throw new CliError(`worktree of ${s.id} is gone (${wt.path}): nothing to merge`, EXIT.usage);
  if (s.status !== 'Completed' && !o.yes) {
    const answer = await confirmYesOnTerminal(`Session ${s.id} is ${s.status}, not Completed. Merge what it committed so far?`);
    if (answer !== true) throw new CliError(`session ${s.id} is ${s.status}; merge it with -y if you mean to`, EXIT.failed);
    return offerMerge(home, s.id, { yes: true });
  }
  // Asked for by name: merge without a question where nobody can answer one.
  return offerMerge(home, s.id, { yes: o.yes || !process.stdin.isTTY || !process.stdout.isTTY });
}
