/**
 * Pure: the log view's text. What `l` shows for a session (its whole log file), for one step (that step's
 * part of the log, once per run of it: a resume runs the step in flight again), for one MapReduce item
 * (each attempt with its output, from the job's events) and for one dead item (`Enter` in the DLQ view);
 * and the search and scrolling rules over those lines.
 */
import type { DlqItem, JobEvent, WorkItemState } from '../mapreduce/job-types.js';
import { safeLine, safeText } from '../view/safe-text.js';

/** Lines of a log text, without the empty line after a final newline, each safe to print (logs hold commands' output). */
export function splitLines(text: string): string[] {
  const lines = safeText(text).split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The executor marks a step's start `[time] step 3/7: summary` and its end `[time] step 3/7 completed …`. */
const STEP_START = /^\[[^\]]*\] step (\d+)\/(\d+): /;
const RUN_LINE = /^\[[^\]]*\] (run|resume) /;

/**
 * Step `index` (0-based) of a session log: every stretch from its start marker to the next step's start
 * (or the next run/resume line), headed "── run n of m ──" when the step ran more than once.
 */
export function stepLines(log: readonly string[], index: number): string[] {
  const runs: string[][] = [];
  let current: string[] | null = null;
  for (const line of log) {
    const start = STEP_START.exec(line);
    if (start || RUN_LINE.test(line)) {
      current = start && Number(start[1]) === index + 1 ? [] : null;
      if (current) runs.push(current);
    }
    current?.push(line);
  }
  if (runs.length === 0) return [`(step ${index + 1} has no output in the log yet)`];
  if (runs.length === 1) return runs[0]!;
  return runs.flatMap((r, i) => [`── run ${i + 1} of ${runs.length} ──`, ...r]);
}

/**
 * One work item: each attempt ("attempt 2 of 3 · failed: exit 1") with the output its event kept, then
 * the running attempt's live output from the job file. `maxAttempts` is unknown for Prodigy's own jobs.
 */
export function itemLines(item: WorkItemState | null, events: readonly JobEvent[], itemId: string, maxAttempts: number | null): string[] {
  return rawItemLines(item, events, itemId, maxAttempts).map(safeLine);
}

function rawItemLines(item: WorkItemState | null, events: readonly JobEvent[], itemId: string, maxAttempts: number | null): string[] {
  const mine = events.filter((e) => e.item_id === itemId);
  const out: string[] = [];
  const of = (n: number) => (maxAttempts ? `attempt ${n} of ${maxAttempts}` : `attempt ${n}`);
  for (const e of mine) {
    const n = e.attempt ?? 0;
    if (e.type === 'AgentStarted') out.push(`── ${of(n)} · started ${e.timestamp} on ${e.agent_id ?? '?'} ──`);
    else if (e.type === 'AgentCompleted' || e.type === 'AgentFailed') {
      out.push(...(e.output_tail ?? []));
      out.push(e.type === 'AgentCompleted' ? `── ${of(n)} · completed ${e.timestamp} ──` : `── ${of(n)} · failed ${e.timestamp}: ${e.message ?? ''} ──`);
    } else if (e.type === 'AgentInterrupted') out.push(...(e.output_tail ?? []), `── ${of(n)} · interrupted ${e.timestamp}: back to pending ──`);
    else if (e.type === 'ItemRequeued') out.push(`── requeued ${e.timestamp}${e.message ? `: ${e.message}` : ''} ──`);
    else if (e.type === 'ItemDeadLettered') out.push(`── dead after ${n} attempt(s): in the DLQ ──`);
  }
  if (item && item.status === 'running') out.push(...item.output_tail, `── ${of(item.attempts)} · running ──`);
  if (out.length === 0) out.push(item?.status === 'pending' ? `(${itemId} has not run yet)` : `(no output recorded for ${itemId})`);
  out.push('(each attempt keeps the last 20 lines of its output)');
  return out;
}

/** One dead item whole: error, attempts, when, the item's data and its output. */
export function dlqItemLines(d: DlqItem): string[] {
  return rawDlqLines(d).map(safeLine);
}

function rawDlqLines(d: DlqItem): string[] {
  return [
    `item      ${d.item_id}`,
    `attempts  ${d.attempts}`,
    `failed    ${d.failed_at}`,
    'error',
    ...d.error.split(/\r?\n/).map((l) => `  ${l}`),
    'data',
    ...JSON.stringify(d.item, null, 2).split('\n').map((l) => `  ${l}`),
    'output (last lines: stdout, then stderr)',
    ...(d.output_tail.length ? d.output_tail.map((l) => `  ${l}`) : ['  (none)']),
  ];
}

/** The next line (from `from`, going `dir`, wrapping) holding every word of `query`, or null. */
export function findLine(lines: readonly string[], query: string, from: number, dir: 1 | -1 = 1): number | null {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0 || lines.length === 0) return null;
  for (let k = 0; k < lines.length; k++) {
    const i = (((from + dir * k) % lines.length) + lines.length) % lines.length;
    const l = lines[i]!.toLowerCase();
    if (words.every((w) => l.includes(w))) return i;
  }
  return null;
}

/** The first line shown: following, the end; else `top` kept in range. */
export function logTop(top: number, height: number, count: number, follow: boolean): number {
  const maxTop = Math.max(0, count - height);
  return follow ? maxTop : Math.min(Math.max(0, top), maxTop);
}
