/** Pure: the workers table (`prodigy workers`, the dashboard's workers pane) from their heartbeat records. */
import type { WorkerRecord } from './protocol.js';

export interface WorkerRow {
  worker: string;
  concurrency: number;
  running: number;
  current: string[];
  completed: number;
  failed: number;
  per_min: number;
  heartbeat_age_ms: number;
  draining: boolean;
  version: string;
  repo: string;
}

/** Records parsed from Redis; anything that is not a worker record is skipped (Redis is not trusted). */
export function parseWorkerRecord(text: string | null): WorkerRecord | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<WorkerRecord>;
    if (typeof v.id !== 'string' || typeof v.heartbeat_at !== 'string' || !Array.isArray(v.current)) return null;
    return v as WorkerRecord;
  } catch {
    return null;
  }
}

export function workerRows(records: readonly WorkerRecord[], now: number): WorkerRow[] {
  return records
    .map((r) => ({
      worker: r.id,
      concurrency: Number(r.concurrency) || 0,
      running: r.current.length,
      current: r.current.map(String),
      completed: Number(r.completed) || 0,
      failed: Number(r.failed) || 0,
      per_min: Number(r.per_min) || 0,
      heartbeat_age_ms: Math.max(0, now - Date.parse(r.heartbeat_at)),
      draining: Boolean(r.draining),
      version: String(r.version ?? ''),
      repo: String(r.repo ?? ''),
    }))
    .sort((a, b) => a.worker.localeCompare(b.worker));
}
