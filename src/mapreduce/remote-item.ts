/**
 * The job runner's `runItem` when agents are queue workers on other machines: the item goes out through
 * the dispatcher, its result comes back, and a pushed branch is fetched and merged through the same
 * serial merge queue as a local agent's. What is recorded (events, job.json, DLQ) stays the runner's.
 */
import path from 'node:path';
import { TailBuffer } from '../exec/output-tail.js';
import type { JsonValue } from '../session/types.js';
import type { WorkflowCommand } from '../workflow/types.js';
import { type AgentWorktree, type AgentWorktrees, agentBranch } from './agent-worktrees.js';
import type { JobEvent, WorkItemState } from './job-types.js';
import type { AgentContext, AttemptOutcome } from './pool.js';
import type { RemoteDispatch } from './remote.js';

export interface RemoteItemDeps {
  dispatch: RemoteDispatch;
  agents: AgentWorktrees | null;
  jobId: string;
  total: number;
  template: WorkflowCommand[];
  variables: Record<string, string>;
  env: Record<string, string>;
  secrets: Record<string, string>;
  strict: boolean;
  workflowName: string;
  checkouts: Map<string, AgentWorktree>;
  tails: Map<string, TailBuffer>;
  emit(e: Omit<JobEvent, 'timestamp' | 'job_id'>): void;
  /** The item changed (its record goes to the journal with the next line). */
  changed(it: WorkItemState): void;
}

export function remoteRunItem(d: RemoteItemDeps): (it: WorkItemState, ctx: AgentContext) => Promise<AttemptOutcome<JsonValue>> {
  return async (it, ctx) => {
    if (d.agents && (await d.agents.alreadyMerged(it.id))) {
      // A crash after the merge but before the completion was recorded: the work is in, do not redo it.
      const branch = agentBranch(d.jobId, it.id);
      d.checkouts.set(it.id, { itemId: it.id, path: path.join(d.agents.dir, `${it.id}.gone`), branch, base: '' });
      Object.assign(it, { merge: 'merged', branch });
      return { ok: true, result: { item_id: it.id, status: 'success', output: '', duration_ms: 0 } };
    }
    const out = await d.dispatch.run(
      { item: { id: it.id, index: it.index, item: it.item }, total: d.total, attempt: ctx.attempt, commands: d.template, variables: d.variables, env: d.env, secrets: d.secrets, strict: d.strict, workflowName: d.workflowName },
      ctx.signal,
      (worker) => {
        if (it.worker === worker) return;
        Object.assign(it, { worker, agent_id: worker });
        d.changed(it);
      },
    );
    if (out.kind === 'interrupted') return { ok: false, error: 'interrupted' };
    if (out.kind === 'failed') return { ok: false, error: out.error };
    const r = out.result;
    const tail = new TailBuffer(5);
    for (const l of r.output_tail) tail.push(`${l}\n`);
    d.tails.set(it.id, tail);
    Object.assign(it, { worker: r.worker, agent_id: r.worker, exit_code: r.exit_code, output_tail: r.output_tail });
    if (r.status !== 'success') return { ok: false, error: r.error ?? r.status };
    if (r.branch && d.agents && d.dispatch.base) {
      const wt = await d.agents.adopt(it.id, d.dispatch.base);
      try {
        await d.dispatch.fetch(r, wt.branch, d.agents.parent);
      } catch (err) {
        return { ok: false, error: `FetchError: ${(err as Error).message.split('\n')[0]}` };
      }
      d.checkouts.set(it.id, wt);
      Object.assign(it, { branch: wt.branch, commits: r.commits, merge: 'queued' });
      d.changed(it);
      const m = await d.agents.merge(wt);
      if (m.kind === 'conflict') {
        Object.assign(it, { merge: 'conflict', commits: m.commits });
        return { ok: false, error: `MergeConflict: ${wt.branch} conflicts with the session worktree in ${m.files.join(', ') || 'some files'}` };
      }
      Object.assign(it, { merge: m.kind === 'merged' ? 'merged' : 'none', commits: m.kind === 'merged' ? m.commits : 0 });
      if (m.kind === 'merged') d.emit({ type: 'worktree_merged', item_id: it.id, agent_id: r.worker, branch: wt.branch, commits: m.commits });
    } else {
      Object.assign(it, { merge: 'none', commits: 0 });
    }
    return { ok: true, result: { item_id: it.id, status: 'success', output: r.output, duration_ms: r.duration_ms } };
  };
}
