/** Pure: what the dashboard shows of a job on queue workers (job.json's `queue`, written by the coordinator). */
import type { JobState, WorkItemState } from '../mapreduce/job-types.js';
import { formatDurationMs } from '../view/format.js';

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

/** The workers pane: one row per live worker with its heartbeat age at `now`. */
export function workerPaneRows(q: Snapshot | null | undefined, now: number): WorkerPaneRow[] {
  return (q?.list ?? []).map((w) => ({
    worker: w.worker,
    running: `${w.running}/${w.concurrency}`,
    done: String(w.completed),
    perMin: `${w.per_min}/min`,
    heartbeat: `${formatDurationMs(Math.max(0, now - Date.parse(w.heartbeat_at)))} ago`,
    state: w.draining ? 'draining' : 'ready',
  }));
}

/** Tab's next pane in a MapReduce job: agents, events, and workers when the job runs on a queue. */
export function nextPane(pane: 0 | 1 | 2, onQueue: boolean): 0 | 1 | 2 {
  if (!onQueue) return pane === 0 ? 1 : 0;
  return ((pane + 1) % 3) as 0 | 1 | 2;
}
