/**
 * A finished run whose workflow has a `merge:` block: the block's steps run in the session worktree
 * instead of the default merge, after the same checks (commits to merge, the user on the base branch,
 * no uncommitted changes to the files the run changed). Afterwards the worktree and branch are removed
 * only when the branch's commits really are in the base branch; a merge the steps left half-done in
 * the user's tree is aborted, so their tree is never left conflicted.
 */
import { abortMergeInProgress, commitIdsAhead, isMerged, revParse } from '../git/repo.js';
import { discardWorktree, type MergeOutcome, mergePreflight, type SessionWorktree } from '../git/session-worktree.js';
import type { JsonValue } from '../session/types.js';
import { type MergeBlock, type MergeBlockResult, runMergeBlock } from '../workflow/merge-block.js';
import type { WorkflowCommand } from '../workflow/types.js';
import type { MergeEnvironment } from './merge-env.js';

/** The session metadata key holding the workflow's `merge:` block, recorded when the run starts. */
export const MERGE_BLOCK_KEY = 'merge_block';

export function mergeBlockRecord(block: MergeBlock | undefined): Record<string, JsonValue> {
  return block ? { [MERGE_BLOCK_KEY]: JSON.parse(JSON.stringify(block)) as JsonValue } : {};
}

/** The recorded block, null when there is none, or 'corrupt' when what the session holds is not one. */
export function recordedMergeBlock(metadata: Record<string, JsonValue>): MergeBlock | null | 'corrupt' {
  const v = metadata[MERGE_BLOCK_KEY];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) return 'corrupt';
  const commands = (v as { commands?: unknown }).commands;
  const timeout = (v as { timeout?: unknown }).timeout;
  if (!Array.isArray(commands) || commands.length === 0) return 'corrupt';
  const ok = commands.every((c) => c !== null && typeof c === 'object' && typeof (c as WorkflowCommand).kind === 'string' && typeof (c as WorkflowCommand).text === 'string');
  if (!ok || (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0)))) return 'corrupt';
  return { commands: commands as WorkflowCommand[], ...(timeout !== undefined ? { timeout } : {}) };
}

/** Pure: the one line for a block that did not finish. */
export function blockFailureLine(r: Exclude<MergeBlockResult, { status: 'ok' }>, wt: SessionWorktree, sessionId: string): string {
  const why =
    r.status === 'failed'
      ? `step ${r.step} (${r.summary}) failed: ${r.outcome.error ?? `exit ${r.outcome.exitCode}`}`
      : r.status === 'timeout'
        ? `it ran past its timeout of ${r.seconds}s`
        : 'it was interrupted';
  return `not merged: the workflow's merge: block stopped, ${why}. Worktree kept at ${wt.path}; to try again: prodigy worktree merge ${sessionId}`;
}

/** Ctrl+C (or SIGTERM/SIGHUP) stops the block's running step. */
function interruptOnSignal(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const on = () => ac.abort();
  for (const s of signals) process.on(s, on);
  return { signal: ac.signal, dispose: () => signals.forEach((s) => process.off(s, on)) };
}

/** `env`: the run's variables and secrets; everything printed (steps' output, step lines, the failure) is masked. */
export async function runCustomMerge(wt: SessionWorktree, sessionId: string, block: MergeBlock, workflowName: string, env: Pick<MergeEnvironment, 'env' | 'mask'>): Promise<MergeOutcome & { interrupted?: boolean }> {
  const { mask } = env;
  const pre = await mergePreflight(wt);
  if (pre.kind !== 'go') return pre;
  const commitIds = await commitIdsAhead(wt.repoTop, wt.baseCommit, wt.branch);
  const total = block.commands.length;
  process.stdout.write(`Running the workflow's merge: block (${total} step(s)) in ${wt.path}\n`);
  const interrupt = interruptOnSignal();
  let r: MergeBlockResult;
  try {
    r = await runMergeBlock(block, {
      cwd: wt.path,
      env: process.env,
      workflowEnv: env.env,
      mask,
      workflowName,
      signal: interrupt.signal,
      facts: {
        worktree: sessionId,
        worktreePath: wt.path,
        repoPath: wt.repoTop,
        sourceBranch: wt.branch,
        targetBranch: wt.baseBranch,
        sessionId,
        commitIds,
        modifiedFiles: pre.touched,
      },
      onStep: (n, summary) => process.stdout.write(mask(`merge: [${n}/${total}] ${summary}\n`)),
      hooks: { onOutput: (text) => process.stdout.write(text) },
    });
  } finally {
    interrupt.dispose();
  }
  if (r.status !== 'ok') {
    // A `git merge` the steps began in the user's tree and left conflicted is undone.
    const aborted = await abortMergeInProgress(wt.repoTop);
    const line = mask(blockFailureLine(r, wt, sessionId)) + (aborted ? ` (the merge it left unfinished in ${wt.repoTop} was aborted)` : '');
    return { kind: 'refused', message: line, interrupted: r.status === 'interrupted' };
  }
  if (await isMerged(wt.repoTop, wt.branch, wt.baseBranch)) {
    const tip = await revParse(wt.repoTop, wt.branch);
    await discardWorktree(wt);
    return { kind: 'merged', message: `merge: block done; ${commitIds.length} commit(s) of ${wt.branch} are in ${wt.baseBranch}; worktree removed`, tip };
  }
  return {
    kind: 'nothing',
    message: `merge: block done, but ${wt.branch} is not merged into ${wt.baseBranch}: worktree and branch kept at ${wt.path} (prodigy worktree clean ${sessionId} removes them once merged)`,
  };
}
