/**
 * A worker runs one item: in a worktree of its clone checked out at the job's base commit (or in place
 * in the clone when the job has no git), the agent template through the same step runner as a
 * local agent, then the item's commits pushed to the shared remote as a branch of this attempt's own.
 * Everything it returns or prints passes through the job's secret mask.
 *
 * Slot reuse, as for local agents (agent-worktrees.ts): each concurrency slot keeps its worktree and
 * resets it for the next item (`checkout -f --detach <base>`, `clean -ffdx`) instead of a `worktree add`
 * and `remove` per item, which all wait on the clone's one admin queue (with `--concurrency 8` that queue,
 * not the items, set the pace). A slot whose reset fails, or with a half-done merge/rebase, gets a fresh
 * worktree. `PRODIGY_AGENT_WORKTREE_REUSE=0` turns reuse off here too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git, runGit } from '../git/git.js';
import { resetWorktreeTo } from '../git/repo.js';
import { TailBuffer } from '../exec/output-tail.js';
import { SerialQueue } from '../exec/serial-queue.js';
import type { ShellLauncher } from '../exec/process.js';
import { itemScope } from '../mapreduce/runner.js';
import { type Mask, makeMask } from '../workflow/mask.js';
import { runSteps } from '../workflow/step-runner.js';
import type { ItemPayload, ItemResult } from './protocol.js';

const MAX_RESULT_OUTPUT = 4096;
const OUTPUT_TAIL_LINES = 5;

export interface ItemHost {
  /** The worker's clone (--repo). */
  repo: string;
  /** `host:pid`. */
  tag: string;
  /** Where this worker's item worktrees go (removed when it stops). */
  scratch: string;
  /** git worktree add/remove and fetches on one clone must not overlap. */
  admin: SerialQueue;
  processEnv: NodeJS.ProcessEnv;
  /** Slot -> the worktree it keeps between items (slot reuse); absent: a worktree per item. */
  slots?: Map<string, string>;
}

let seq = 0;

/** The remote branch of one attempt: unique, so a late duplicate can never overwrite the real one. */
export function remoteBranch(p: Pick<ItemPayload, 'job_id' | 'item_id' | 'attempt'>, tag: string): string {
  return `prodigy-agent-${p.job_id}-${p.item_id}-${tag.replace(/[^A-Za-z0-9_.-]/g, '_')}-${p.attempt}-${++seq}`;
}

async function ensureBase(h: ItemHost, g: NonNullable<ItemPayload['git']>): Promise<void> {
  const have = await runGit(h.repo, ['cat-file', '-e', `${g.base_commit}^{commit}`]);
  if (have.code === 0) return;
  await git(h.repo, ['fetch', '-q', '--no-tags', g.remote, `+refs/heads/${g.base_ref}:refs/prodigy/base/${g.base_ref}`]);
  const now = await runGit(h.repo, ['cat-file', '-e', `${g.base_commit}^{commit}`]);
  if (now.code !== 0) throw new Error(`base commit ${g.base_commit.slice(0, 12)} is not on ${g.base_ref} of the remote`);
}

/** A clean worktree at the base commit: the slot's own, reset, when it has one; else a new one. */
async function checkout(h: ItemHost, g: NonNullable<ItemPayload['git']>, name: string, slot: string | undefined): Promise<string> {
  const kept = slot === undefined ? undefined : h.slots?.get(slot);
  if (kept !== undefined) {
    const ok = fs.existsSync(kept) && (await h.admin.run(() => ensureBase(h, g)).then(() => resetWorktreeTo(kept, null, g.base_commit)));
    if (ok) return kept;
    h.slots!.delete(slot!);
    await removeWorktree(h, kept);
  }
  const where = path.join(h.scratch, `${slot !== undefined && h.slots ? slot : name}-${++seq}`);
  await h.admin.run(async () => {
    await ensureBase(h, g);
    await git(h.repo, ['worktree', 'add', '-q', '--detach', where, g.base_commit]);
  });
  if (slot !== undefined && h.slots) h.slots.set(slot, where);
  return where;
}

function removeWorktree(h: ItemHost, where: string): Promise<void> {
  return h.admin.run(async () => {
    const r = await runGit(h.repo, ['worktree', 'remove', '--force', '--force', where]);
    if (r.code !== 0) fs.rmSync(where, { recursive: true, force: true });
  });
}

/**
 * `launcher`: the worker slot's long-lived shell (exec/slot-host.ts), as for local agents: no fork of Node
 * per command. `slot`: the concurrency slot running it, whose worktree is reused when `h.slots` is set.
 */
export async function runItemOnWorker(h: ItemHost, p: ItemPayload, signal: AbortSignal, launcher?: ShellLauncher, onOutput?: (text: string) => void, slot?: string): Promise<ItemResult> {
  const mask: Mask = makeMask(p.secrets);
  const started = new Date();
  const t0 = performance.now();
  const tail = new TailBuffer(OUTPUT_TAIL_LINES);
  const base = {
    item_id: p.item_id,
    attempt: p.attempt,
    worker: h.tag,
    started_at: started.toISOString(),
    branch: null as string | null,
    head: null as string | null,
    commits: 0,
  };
  const finish = (r: Pick<ItemResult, 'status' | 'error' | 'output' | 'exit_code'> & Partial<ItemResult>): ItemResult => ({
    ...base,
    ...r,
    error: r.error === null ? null : mask(r.error),
    output: mask(r.output),
    output_tail: tail.snapshot().map(mask),
    duration_ms: Math.round(performance.now() - t0),
    ended_at: new Date().toISOString(),
  });
  let cwd = h.repo;
  let wt: string | null = null;
  try {
    if (p.git) {
      try {
        wt = await checkout(h, p.git, p.item_id, slot);
        cwd = wt;
      } catch (err) {
        wt = null;
        return finish({ status: 'failed', error: `WorktreeError: ${(err as Error).message.split('\n')[0]}`, output: '', exit_code: null });
      }
    }
    const env = { ...h.processEnv, ...p.env, PRODIGY_SESSION_ID: p.session_id, PRODIGY_JOB_ID: p.job_id };
    const scope = itemScope({ variables: { ...p.variables }, env: { ...p.env }, processEnv: h.processEnv, workflowName: p.workflow_name, strict: p.strict }, { id: p.item_id, index: p.index, item: p.item }, p.total);
    const r = await runSteps(p.commands, { scope, cwd, env, signal, launcher, mask }, {
      onOutput: (text) => {
        tail.push(text);
        onOutput?.(text);
      },
    });
    const last = r.outcomes.at(-1);
    const exit = last?.exitCode ?? null;
    if (r.status === 'interrupted' || signal.aborted) return finish({ status: 'cancelled', error: 'interrupted', output: '', exit_code: exit });
    if (r.status !== 'ok') return finish({ status: 'failed', error: `command ${r.stoppedAt! + 1} failed: ${last?.error ?? 'failed'}`, output: '', exit_code: exit });
    const raw = (last?.output ?? '').replace(/\s+$/, '');
    const output = raw.length > MAX_RESULT_OUTPUT ? raw.slice(-MAX_RESULT_OUTPUT) : raw;
    if (p.git && wt) {
      const head = (await git(wt, ['rev-parse', 'HEAD'])).trim();
      const commits = Number((await git(wt, ['rev-list', '--count', `${p.git.base_commit}..HEAD`])).trim());
      if (commits > 0) {
        const branch = remoteBranch(p, h.tag);
        const push = await runGit(wt, ['push', '-q', p.git.remote, `HEAD:refs/heads/${branch}`]);
        if (push.code !== 0) return finish({ status: 'failed', error: `PushError: ${push.stderr.split('\n')[0]}`, output, exit_code: exit });
        Object.assign(base, { branch, head, commits });
      }
    }
    return finish({ status: 'success', error: null, output, exit_code: exit });
  } finally {
    // A slot's worktree stays for its next item (reset then); any other goes now.
    if (wt && !(slot !== undefined && h.slots?.get(slot) === wt)) await removeWorktree(h, wt);
  }
}

export function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `prodigy-worker-${process.pid}-`));
}
