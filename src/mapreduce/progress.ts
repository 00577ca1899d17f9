/** Progress counts of a job's items and the one-line progress text `prodigy run` prints. Pure. */
import type { JobPhase, WorkItemState, WorkItemStatus } from './job-types.js';

export interface ProgressCounts {
  total: number;
  pending: number;
  running: number;
  completed: number;
  /** Attempt failed, a retry is due. */
  failed: number;
  /** Given up on (in the DLQ). */
  dead: number;
}

export function countItems(items: readonly Pick<WorkItemState, 'status'>[]): ProgressCounts {
  const c: ProgressCounts = { total: items.length, pending: 0, running: 0, completed: 0, failed: 0, dead: 0 };
  for (const it of items) c[it.status satisfies WorkItemStatus] += 1;
  return c;
}

/** Items that will not run again in this job: completed or dead. */
export function finishedCount(c: ProgressCounts): number {
  return c.completed + c.dead;
}

export function isMapDone(c: ProgressCounts): boolean {
  return finishedCount(c) === c.total;
}

export function progressLine(phase: JobPhase, c: ProgressCounts): string {
  const pct = c.total === 0 ? 100 : Math.floor((finishedCount(c) / c.total) * 100);
  return `${phase.toLowerCase()}: ${c.completed} completed, ${c.dead} failed, ${c.total} total (${pct}%), ${c.running} running`;
}
