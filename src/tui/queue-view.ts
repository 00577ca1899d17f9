/** Pure: what the dashboard shows of a job on queue workers (job.json's `queue`, written by the coordinator). */
import type { JobState, WorkItemState } from '../mapreduce/job-types.js';
import { formatDurationMs } from '../view/format.js';
import { windowTop } from './layout.js';
import { positionText } from './selection.js';

type Snapshot = NonNullable<JobState['queue']>;

/** The job header's queue part, long and short: "queue 12 waiting · 4 active · 0 delayed · 2 workers". */
export function queueText(q: Snapshot | null | undefined): { long: string; short: string } | null {
  if (!q) return null;
  return {
    long: `queue ${q.waiting} waiting · ${q.active} active · ${q.delayed} delayed · ${q.workers} worker${q.workers === 1 ? '' : 's'}`,
    short: `q ${q.waiting}/${q.active}/${q.delayed} w${q.workers}`,
  };
}

/** The agent table's worker cell: host:pid of the queue worker, else the local slot. */
export function workerCell(it: Pick<WorkItemState, 'worker' | 'agent_id'>): string {
  return it.worker ?? it.agent_id ?? '';
}

export interface WorkerPaneRow {
  worker: string;
  running: string;
  done: string;
  perMin: string;
  heartbeat: string;
  state: string;
}

type Worker = NonNullable<Snapshot['list']>[number];

/** One row of the workers pane: a live worker with its heartbeat age at `now`. */
function workerRow(w: Worker, now: number): WorkerPaneRow {
  return {
    worker: w.worker,
    running: `${w.running}/${w.concurrency}`,
    done: String(w.completed),
    perMin: `${w.per_min}/min`,
    heartbeat: `${formatDurationMs(Math.max(0, now - Date.parse(w.heartbeat_at)))} ago`,
    state: w.draining ? 'draining' : 'ready',
  };
}

/** The workers' ids in the pane's order: what its cursor moves over and follows. */
export function workerIds(q: Snapshot | null | undefined): string[] {
  return (q?.list ?? []).map((w) => w.worker);
}

export interface WorkerPaneWindow {
  /** First visible row, and the cursor (both clamped to the list). */
  top: number;
  cursor: number;
  /** Only the visible rows, formatted: a pane over hundreds of workers costs what fits on screen. */
  rows: WorkerPaneRow[];
  /** "3/40 · 40 connected", for the pane's heading. */
  heading: string;
}

/**
 * The workers pane's window of `height` rows that keeps `cursor` visible, moving as little as possible
 * from `top` (the window it showed before).
 */
export function workerPaneWindow(q: Snapshot | null | undefined, now: number, cursor: number, top: number, height: number): WorkerPaneWindow {
  const list = q?.list ?? [];
  const c = list.length === 0 ? 0 : Math.min(list.length - 1, Math.max(0, cursor));
  const h = Math.max(0, height);
  const t = h === 0 ? 0 : windowTop(c, top, h, list.length);
  const position = positionText(c, list.length);
  return { top: t, cursor: c, rows: list.slice(t, t + h).map((w) => workerRow(w, now)), heading: `${position ? `${position} · ` : ''}${list.length} connected` };
}

/** Tab's next pane in a MapReduce job: agents, events, and workers when the job runs on a queue. */
export function nextPane(pane: 0 | 1 | 2, onQueue: boolean): 0 | 1 | 2 {
  if (!onQueue) return pane === 0 ? 1 : 0;
  return ((pane + 1) % 3) as 0 | 1 | 2;
}
