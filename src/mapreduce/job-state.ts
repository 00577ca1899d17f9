/** Pure rules over a job's state: building it, resuming it, and what a finished map phase means. */
import type { JsonValue } from '../session/types.js';
import type { JobEvent, JobPhase, JobState, WorkItemState } from './job-types.js';

export function newJobId(now = new Date(), rand: () => number = Math.random): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `mapreduce-${t}-${Math.floor(rand() * 0xffffff).toString(16).padStart(6, '0')}`;
}

export function itemId(index: number): string {
  return `item-${index}`;
}

export function newWorkItems(items: readonly JsonValue[]): WorkItemState[] {
  return items.map((item, index) => ({
    id: itemId(index),
    index,
    item,
    status: 'pending',
    attempts: 0,
    agent_id: null,
    started_at: null,
    ended_at: null,
    exit_code: null,
    output_tail: [],
    result: null,
    error: null,
  }));
}

export function newJobState(o: {
  job_id: string;
  session_id: string;
  workflow_name: string;
  workflow_path: string;
  repo: string;
  max_parallel: number;
  now?: Date;
}): JobState {
  const t = (o.now ?? new Date()).toISOString();
  return {
    job_id: o.job_id,
    session_id: o.session_id,
    workflow_name: o.workflow_name,
    workflow_path: o.workflow_path,
    repo: o.repo,
    phase: 'Setup',
    setup_completed: false,
    reduce_completed: false,
    max_parallel: o.max_parallel,
    created_at: t,
    updated_at: t,
    variables: {},
    items: [],
  };
}

/** The last event that settles each item's fate, in log order. */
const TERMINAL = new Set<JobEvent['type']>(['AgentCompleted', 'ItemDeadLettered', 'ItemRequeued']);

/**
 * The state a job resumes from: job.json (written coalesced, possibly a moment stale) corrected by the
 * event log (written before any agent slot is reused, so never behind on completions), with every item
 * that was in flight when the job stopped put back to pending. Finished attempts are kept; an attempt
 * cut short by the stop (the item was still running) does not count against the item's retries, as
 * with Ctrl+C, so a crash at an unlucky moment cannot make a retry-less item look tried.
 */
export function reconcileWithEvents(state: JobState, events: readonly JobEvent[]): JobState {
  const last = new Map<string, JobEvent>();
  for (const e of events) if (e.item_id && TERMINAL.has(e.type)) last.set(e.item_id, e);
  const items = state.items.map((it): WorkItemState => {
    const e = last.get(it.id);
    let next = it;
    if (e?.type === 'AgentCompleted' && it.status !== 'completed') {
      next = {
        ...it,
        status: 'completed',
        result: e.result ?? null,
        exit_code: e.exit_code ?? 0,
        ended_at: e.timestamp,
        attempts: Math.max(it.attempts, e.attempt ?? 1),
        output_tail: e.output_tail ?? it.output_tail,
        error: null,
      };
    } else if (e?.type === 'ItemDeadLettered' && it.status !== 'dead') {
      next = { ...it, status: 'dead', error: e.message ?? it.error, ended_at: e.timestamp, attempts: Math.max(it.attempts, e.attempt ?? 1) };
    } else if (e?.type === 'ItemRequeued' && it.status === 'dead') {
      next = { ...it, status: 'pending', error: null };
    }
    if (next.status === 'running') next = { ...next, status: 'pending', agent_id: null, attempts: Math.max(0, next.attempts - 1) };
    else if (next.status === 'failed') next = { ...next, status: 'pending', agent_id: null };
    return next;
  });
  return { ...state, items };
}

const NO_LINES: string[] = Object.freeze([]) as unknown as string[];

/**
 * Pure: what the runner keeps in memory of an item whose record is on disk (bounded memory): what the
 * pool, the counts, the error policy and worktree clean-up read; not its input, result, output or times.
 * Frozen: nothing may change a released item (its record would no longer be written).
 */
export function settledSummary(it: WorkItemState): WorkItemState {
  const s: WorkItemState = {
    id: it.id,
    index: it.index,
    item: null,
    status: it.status,
    attempts: it.attempts,
    agent_id: it.agent_id,
    started_at: null,
    ended_at: null,
    exit_code: it.exit_code,
    output_tail: NO_LINES,
    result: null,
    error: it.status === 'dead' ? it.error : null,
  };
  if (it.merge !== undefined) Object.assign(s, { merge: it.merge, branch: it.branch ?? null });
  if (it.worker !== undefined) s.worker = it.worker;
  return Object.freeze(s);
}

/** Whether the job's phase must still run on resume. */
export function phaseToResume(state: JobState): JobPhase {
  if (!state.setup_completed) return 'Setup';
  if (state.items.some((i) => i.status !== 'completed' && i.status !== 'dead')) return 'Map';
  if (!state.reduce_completed) return 'Reduce';
  return 'Complete';
}

/** `${map.results}`: each item's result, in item order (completed items only). */
export function mapResults(items: readonly WorkItemState[]): JsonValue[] {
  return items.filter((i) => i.status === 'completed').map((i) => i.result ?? null);
}

/** The error policy's verdict after a failure: keep going, or stop launching new items. */
export function exceedsFailureLimits(
  failed: number,
  total: number,
  policy: { max_failures?: number; failure_threshold?: number },
): boolean {
  if (policy.max_failures !== undefined && failed > policy.max_failures) return true;
  if (policy.failure_threshold !== undefined && total > 0 && failed / total > policy.failure_threshold) return true;
  return false;
}

/** Keeps the last `n` lines of output (the dashboard's tail). */
export function tailLines(text: string, n = 5): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-n);
}
