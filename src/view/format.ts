/**
 * Pure text formatting shared by the CLI listings and the dashboard: durations, relative times,
 * status words and symbols, progress text. Status is always a word and a symbol, never colour alone.
 */
import { durationToMs } from '../session/time.js';
import type { Duration, SessionStatus, UnifiedSession } from '../session/types.js';

/**
 * What every view shows as status: the stored status, or Interrupted for a Running session whose owner is
 * gone (killed, crashed). One word everywhere — CLI listings, `sessions show`, the dashboard — and always
 * resumable, like Paused.
 */
export type DisplayStatus = SessionStatus | 'Interrupted';

export const STATUS_SYMBOL: Record<DisplayStatus, string> = {
  Initializing: '…',
  Running: '●',
  Paused: '‖',
  Interrupted: '!',
  Completed: '✓',
  Failed: '✗',
  Cancelled: '⊘',
};

export function displayStatus(s: UnifiedSession, interrupted: boolean): DisplayStatus {
  return interrupted && (s.status === 'Running' || s.status === 'Initializing') ? 'Interrupted' : s.status;
}

/** 950ms, 12s, 3m 05s, 2h 07m, 3d 04h */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, '0')}h`;
}

export function formatDuration(d: Duration | null): string {
  return d ? formatDurationMs(durationToMs(d)) : '-';
}

/** "just now", "42s ago", "5m ago", "3h ago", "2d ago"; a date past a week. */
export function formatRelative(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '-';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  if (s < 7 * 86400) return `${Math.floor(s / 86400)}d ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** The workflow's name: workflow_data, else metadata (Prodigy MapReduce sessions), else the file name. */
export function sessionName(s: UnifiedSession): string {
  const fromMeta = s.metadata.workflow_name;
  if (s.workflow_data?.workflow_name) return s.workflow_data.workflow_name;
  if (typeof fromMeta === 'string') return fromMeta;
  const p = s.metadata.workflow_path;
  if (typeof p === 'string') return p.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  const job = s.mapreduce_data?.job_id ?? s.metadata.job_id;
  return typeof job === 'string' ? job : '-';
}

/** Prodigy saves MapReduce runs as Workflow sessions with no mapreduce_data; metadata still says so. */
export function isMapReduce(s: UnifiedSession): boolean {
  return s.session_type === 'MapReduce' || s.mapreduce_data !== null || s.metadata.mode === 'mapreduce' || typeof s.metadata.job_id === 'string';
}

export function typeLabel(s: UnifiedSession): string {
  return isMapReduce(s) ? 'mapreduce' : 'workflow';
}

/** The one progress formatter (src/view/progress-text.ts), under the name the listings use. */
export { progressText as progressLabel } from './progress-text.js';

/** Elapsed run time: start to completion, or to `now` while it is still live. */
export function elapsedMs(s: UnifiedSession, now: number): number {
  const end = s.completed_at ? Date.parse(s.completed_at) : s.status === 'Running' ? now : Date.parse(s.updated_at);
  return end - Date.parse(s.started_at);
}
