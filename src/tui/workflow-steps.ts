/**
 * Pure: the workflow detail view's rows. Built from the runner's metadata (`steps`, `current_command`,
 * `step_started_at`, `failed_step`, `output_tail`) when present; sessions written by Prodigy itself carry
 * only workflow_data and timings, so every field falls back to what those give.
 */
import { durationToMs } from '../session/time.js';
import type { UnifiedSession } from '../session/types.js';
import { META } from '../session/types.js';
import { formatDurationMs } from '../view/format.js';
import { progressText } from '../view/progress-text.js';

export type StepState = 'done' | 'running' | 'failed' | 'stopped' | 'pending';

export const STEP_SYMBOL: Record<StepState, string> = {
  done: '✓',
  running: '●',
  failed: '✗',
  stopped: '‖',
  pending: '·',
};

export interface StepRow {
  index: number;
  state: StepState;
  summary: string;
  /** Recorded duration, elapsed so far for the running step, '' when not started. */
  duration: string;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * One row per step. `stopped` marks the step that was in flight when the run was paused or crashed
 * (`interrupted` is the read side's crash verdict, passed in because a pure function cannot look at pids).
 */
export function workflowSteps(s: UnifiedSession, interrupted: boolean, now: number): StepRow[] {
  const wf = s.workflow_data;
  const summaries = strings(s.metadata[META.steps]);
  const total = Math.max(wf?.total_steps ?? 0, summaries.length);
  const completed = new Set(wf?.completed_steps ?? []);
  const current = wf?.current_step ?? 0;
  const failedMeta = s.metadata[META.failedStep];
  const failedStep = typeof failedMeta === 'number' ? failedMeta : s.status === 'Failed' ? current : -1;
  const live = (s.status === 'Running' || s.status === 'Initializing') && !interrupted;
  const rows: StepRow[] = [];
  for (let i = 0; i < total; i++) {
    let state: StepState = 'pending';
    if (completed.has(i) || s.status === 'Completed') state = 'done';
    else if (i === failedStep) state = 'failed';
    else if (i === current && live) state = 'running';
    else if (i === current && (interrupted || s.status === 'Paused')) state = 'stopped';
    const timing = s.timings[`step_${i}`];
    let duration = timing ? formatDurationMs(durationToMs(timing)) : '';
    if (state === 'running' && !timing) {
      const since = Date.parse(String(s.metadata[META.stepStartedAt] ?? ''));
      duration = Number.isNaN(since) ? '' : formatDurationMs(Math.max(0, now - since));
    }
    const summary = summaries[i] ?? (i === current && typeof s.metadata[META.currentCommand] === 'string' ? String(s.metadata[META.currentCommand]) : `step ${i + 1}`);
    rows.push({ index: i, state, summary, duration });
  }
  return rows;
}

/** The running (or last) step's output tail, as the runner recorded it. */
export function outputTail(s: UnifiedSession): string[] {
  return strings(s.metadata[META.outputTail]);
}

/** The line under the title: what runs now, or how the run ended. */
export function currentLine(s: UnifiedSession, rows: readonly StepRow[]): string {
  const running = rows.find((r) => r.state === 'running');
  if (running) return `running step ${running.index + 1}/${rows.length}: ${running.summary}`;
  if (rows.length === 0) return 'no steps recorded';
  if (s.status === 'Completed') return `step ${rows.length}/${rows.length}, all done`;
  return `at ${progressText(s)}`;
}
