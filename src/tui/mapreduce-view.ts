/**
 * Pure: the MapReduce detail view's model — phase line, counts, throughput/ETA and the agent table's
 * visible window. Works from the job file when it has been read, and from the session's mapreduce_data
 * (all Prodigy's own files have) when it has not.
 */
import type { JobEvent, JobPhase, JobState, ReduceResult, WorkItemState } from '../mapreduce/job-types.js';
import type { UnifiedSession } from '../session/types.js';
import { META } from '../session/types.js';
import { formatDurationMs, formatRelative } from '../view/format.js';
import { countItems as countJobItems } from '../mapreduce/progress.js';
import { type ItemCounts, etaMs, formatRate, itemsPerMinute } from './progress.js';

/** The job id a session runs: mapreduce_data, else metadata (Prodigy's MapReduce runs saved as Workflow). */
export function jobIdOf(s: UnifiedSession): string | null {
  const id = s.mapreduce_data?.job_id ?? s.metadata[META.jobId];
  return typeof id === 'string' && id.length > 0 ? id : null;
}

export const PHASES: readonly JobPhase[] = ['Setup', 'Map', 'Reduce', 'Complete'];

/** "✓ setup → ▸ map → reduce → done": the current phase marked by a glyph, not only by colour. */
export function phaseLine(phase: JobPhase | null, finished: boolean): string {
  const at = phase === null ? -1 : PHASES.indexOf(phase);
  return PHASES.map((p, i) => {
    const name = p === 'Complete' ? 'done' : p.toLowerCase();
    if (i < at || (finished && i === at) || (p === 'Complete' && at === i)) return `✓ ${name}`;
    if (i === at) return `▸ ${name}`;
    return name;
  }).join(' → ');
}

/**
 * The bar's four parts from the runner's counts: `failed` on screen means given up on (dead, in the DLQ);
 * an item whose attempt failed with a retry due is still to run, so it counts as pending.
 */
export function countItems(items: readonly WorkItemState[]): ItemCounts {
  const c = countJobItems(items);
  return { total: c.total, completed: c.completed, failed: c.dead, running: c.running, pending: c.pending + c.failed };
}

/** Counts from the session alone (Prodigy writes no per-item state we can read). */
export function countsFromSession(s: UnifiedSession): ItemCounts {
  const m = s.mapreduce_data;
  if (!m) return { total: 0, completed: 0, failed: 0, running: 0, pending: 0 };
  const completed = Math.max(0, m.processed_items - m.failed_items);
  const running = s.status === 'Running' && m.phase === 'Map' ? Math.min(m.agent_count, Math.max(0, m.total_items - m.processed_items)) : 0;
  return {
    total: m.total_items,
    completed,
    failed: m.failed_items,
    running,
    pending: Math.max(0, m.total_items - m.processed_items - running),
  };
}

export interface JobSummary {
  phase: JobPhase | null;
  counts: ItemCounts;
  perMinute: number | null;
  eta: number | null;
}

/**
 * What the last summary saw, item by item: its object, and its end (ms) when finished (NaN otherwise),
 * with the counts kept in step. A followed job keeps the objects of the items that did not change
 * (src/mapreduce/job-tail.ts), so a summary compares 20,000 pointers and parses only the new ends,
 * instead of counting and parsing every item on every frame.
 */
let seen: { items: WorkItemState[]; ends: Float64Array; counts: Record<WorkItemState['status'], number> } | null = null;

const finishedEnd = (it: WorkItemState): number =>
  it.ended_at && (it.status === 'completed' || it.status === 'dead') ? Date.parse(it.ended_at) : Number.NaN;

function itemTotals(items: readonly WorkItemState[]): { counts: ItemCounts; ends: Float64Array } {
  if (!seen || seen.items.length !== items.length) {
    const counts = { pending: 0, running: 0, completed: 0, failed: 0, dead: 0 };
    const ends = new Float64Array(items.length);
    items.forEach((it, i) => {
      counts[it.status] += 1;
      ends[i] = finishedEnd(it);
    });
    seen = { items: [...items], ends, counts };
  } else {
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      const was = seen.items[i]!;
      if (it === was) continue;
      seen.counts[was.status] -= 1;
      seen.counts[it.status] += 1;
      seen.ends[i] = finishedEnd(it);
      seen.items[i] = it;
    }
  }
  const c = seen.counts;
  return {
    counts: { total: items.length, completed: c.completed, failed: c.dead, running: c.running, pending: c.pending + c.failed },
    ends: seen.ends,
  };
}

export function jobSummary(s: UnifiedSession, job: JobState | null, now: number): JobSummary {
  if (!job) {
    const counts = countsFromSession(s);
    const started = Date.parse(s.started_at);
    const end = s.completed_at ? Date.parse(s.completed_at) : now;
    const done = counts.completed + counts.failed;
    const perMinute = done > 0 && end > started ? (done / (end - started)) * 60_000 : null;
    return { phase: s.mapreduce_data?.phase ?? null, counts, perMinute, eta: etaMs(counts.pending + counts.running, perMinute) };
  }
  const { counts, ends } = itemTotals(job.items);
  const perMinute = itemsPerMinute(ends, Date.parse(job.created_at), now);
  return { phase: job.phase, counts, perMinute, eta: etaMs(counts.pending + counts.running, perMinute) };
}

const ORDER: Record<WorkItemState['status'], number> = { running: 0, dead: 1, failed: 2, pending: 3, completed: 4 };

/**
 * The agent table's row order: running first (what is moving), then dead and retrying items, pending and
 * completed; by
 * index inside each group so rows keep their place between frames. Computed once per job file change.
 */
export function orderItems(items: readonly WorkItemState[]): WorkItemState[] {
  // Items are kept in index order: a counting sort into the five groups gives the same order as the
  // sort, in O(items) (a sort of 20,000 items ~10 times a second was a good part of the detail view's CPU).
  let inOrder = true;
  for (let i = 1; i < items.length && inOrder; i++) inOrder = items[i - 1]!.index < items[i]!.index;
  if (!inOrder) return [...items].sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.index - b.index);
  // Counting sort: how many of each group, then each item straight into its place (one array allocated).
  const start = [0, 0, 0, 0, 0, 0];
  for (const it of items) start[ORDER[it.status] + 1]! += 1;
  for (let g = 1; g < start.length; g++) start[g]! += start[g - 1]!;
  const out = new Array<WorkItemState>(items.length);
  for (const it of items) out[start[ORDER[it.status]]!++] = it;
  return out;
}

export interface AgentRow {
  id: string;
  status: WorkItemState['status'];
  /** The status word shown: the item's status, or "paused" for one cut short by a pause or a crash. */
  label: string;
  attempt: string;
  elapsed: string;
  last: string;
  /** With agent worktrees: the item's commits, and how its merge into the session worktree went. */
  commits: string;
  merge: string;
}

const MERGE_WORD: Record<NonNullable<WorkItemState['merge']>, string> = { queued: '… queued', merged: '✓ merged', conflict: '✗ conflict', none: 'no commits' };

/** The MERGE column: the merge state, or "working" while an item in a worktree has not reached the queue. */
export function mergeText(it: Pick<WorkItemState, 'branch' | 'merge' | 'status'>): string {
  if (!it.branch) return '';
  if (it.merge) return MERGE_WORD[it.merge];
  return it.status === 'running' ? 'working' : '';
}

/**
 * Only the rows in [top, top + height): the table never formats what it cannot show. `live`: the job's
 * runner is running it; when it is not, an item that was started and not finished reads "paused" (it goes
 * back to the queue on resume), and no item counts time it is not running.
 */
export function agentRows(ordered: readonly WorkItemState[], top: number, height: number, now: number, live = true, maxAttempts: number | null = null): AgentRow[] {
  return ordered.slice(Math.max(0, top), Math.max(0, top) + Math.max(0, height)).map((it) => {
    const unfinished = it.status === 'running' || it.status === 'pending';
    const paused = !live && unfinished && it.started_at !== null;
    const start = it.started_at ? Date.parse(it.started_at) : Number.NaN;
    const end = it.ended_at ? Date.parse(it.ended_at) : now;
    const timed = it.status !== 'pending' && !paused;
    return {
      id: it.id,
      status: it.status,
      label: paused ? 'paused' : it.status,
      attempt: tryText(it.attempts, maxAttempts),
      elapsed: !timed || Number.isNaN(start) ? '' : formatDurationMs(Math.max(0, end - start)),
      last: it.error && it.status !== 'completed' ? it.error : (it.output_tail.at(-1) ?? ''),
      commits: it.branch ? String(it.commits ?? 0) : '',
      merge: mergeText(it),
    };
  });
}

/** "2/3": the try and the tries an item gets; just "4" past them (a dlq retry gives dead items more). */
export function tryText(attempts: number, maxAttempts: number | null): string {
  return maxAttempts && attempts > 0 && attempts <= maxAttempts ? `${attempts}/${maxAttempts}` : String(attempts);
}

/** "12:01:03 AgentCompleted item-12 (agent-3) message" */
export function eventLine(e: JobEvent): string {
  const t = e.timestamp.length >= 19 ? e.timestamp.slice(11, 19) : e.timestamp;
  const parts = [t, e.type];
  if (e.item_id) parts.push(e.item_id);
  if (e.agent_id) parts.push(`(${e.agent_id})`);
  if (e.phase && e.type === 'PhaseChanged') parts.push(e.phase);
  if (e.message) parts.push(e.message);
  return parts.join(' ');
}

/**
 * The right side of the counts line: items/minute and ETA only while the job runs and items are in flight
 * (a paused or finished job moves at no rate, and "ETA 0ms" says nothing); the DLQ count always.
 */
export function jobRates(sum: JobSummary, o: { live: boolean; dlq: number; wide: boolean }): string {
  const moving = o.live && sum.counts.running > 0;
  if (!moving) return `DLQ ${o.dlq}`;
  const eta = sum.eta === null ? '-' : formatDurationMs(sum.eta);
  return o.wide ? `${formatRate(sum.perMinute)}  ETA ${eta}  DLQ ${o.dlq}` : `${formatRate(sum.perMinute).replace('/min', '/m')} ETA ${eta} DLQ ${o.dlq}`;
}

/** The job header's right side, long and short: job id, when it started, how long it has run (or ran). */
export function jobHeader(jobId: string | null, startedIso: string, elapsed: number, now: number): { long: string; short: string } {
  const took = formatDurationMs(Math.max(0, elapsed));
  const started = formatRelative(startedIso, now);
  const job = jobId ? `job ${jobId} · ` : '';
  return { long: `${job}started ${started} · ${took}`, short: took };
}

/**
 * The job header's reduce line: how reduce went, how long it took, and its last line of output (its
 * result) or its error. null before reduce starts (and for Prodigy's jobs, which record none).
 */
export function reduceLine(r: ReduceResult | null | undefined, now: number): string | null {
  if (!r) return null;
  const end = r.ended_at ? Date.parse(r.ended_at) : now;
  const took = formatDurationMs(Math.max(0, end - Date.parse(r.started_at)));
  const last = r.output_tail.at(-1)?.trim() || '(no output)';
  switch (r.status) {
    case 'running':
      return `reduce ▸ running ${took}: ${last}`;
    case 'completed':
      return `reduce ✓ ${took}: ${last}`;
    case 'interrupted':
      return `reduce ‖ interrupted after ${took} (runs again on resume)`;
    default:
      return `reduce ✗ failed after ${took}: ${(r.error ?? 'failed').replace(/^reduce /, '')}`;
  }
}

/** True when the job's items run in worktrees of their own (the agent table then shows COMMITS and MERGE). */
export function hasAgentWorktrees(items: readonly WorkItemState[]): boolean {
  return items.some((it) => typeof it.branch === 'string' && it.branch.length > 0);
}
