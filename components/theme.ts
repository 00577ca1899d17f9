/**
 * Colours are a bonus on top of words and symbols: with colour off (NO_COLOR) every prop here is
 * undefined and the text still says everything.
 */
import type { ListStatus } from '../src/tui/session-list.js';
import type { StepState } from '../src/tui/workflow-steps.js';
import type { WorkItemStatus } from '../src/mapreduce/job-types.js';

export const STATUS_COLOR: Record<ListStatus, string> = {
  Initializing: 'cyan',
  Running: 'cyan',
  Paused: 'yellow',
  Interrupted: 'yellow',
  Completed: 'green',
  Failed: 'red',
  Cancelled: 'gray',
};

export const STEP_COLOR: Record<StepState, string> = {
  done: 'green',
  running: 'cyan',
  failed: 'red',
  stopped: 'yellow',
  pending: 'gray',
};

export const ITEM_COLOR: Record<WorkItemStatus, string> = {
  running: 'cyan',
  completed: 'green',
  failed: 'red',
  dead: 'red',
  pending: 'gray',
};

export const ITEM_SYMBOL: Record<WorkItemStatus, string> = {
  running: '●',
  completed: '✓',
  failed: '✗',
  dead: '☠',
  pending: '·',
};

/** Spinner frames for running things, advanced by the store's one slow tick (no per-spinner timers). */
const SPINNER = ['◐', '◓', '◑', '◒'];
export function spinnerFrame(now: number): string {
  return SPINNER[Math.floor(now / 1000) % SPINNER.length]!;
}

export function tint(color: boolean, c: string | undefined): string | undefined {
  return color ? c : undefined;
}
