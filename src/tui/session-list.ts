/**
 * Pure: what the sessions view shows. Filtering by text and status, the sort orders, this repository's
 * sessions first, the per-status counts of the header and the table rows of the visible window.
 */
import path from 'node:path';
import type { UnifiedSession } from '../session/types.js';
import { META } from '../session/types.js';
import { summarize } from '../session/manager.js';
import {
  type DisplayStatus,
  STATUS_SYMBOL,
  displayStatus,
  elapsedMs,
  formatDurationMs,
  formatRelative,
  progressLabel,
  sessionName,
  typeLabel,
} from '../view/format.js';
import { type Column, renderTable } from '../view/table.js';
import { shortOf } from '../view/short-id.js';

export type SortKey = 'started' | 'updated' | 'status' | 'name';
export const SORT_KEYS: readonly SortKey[] = ['started', 'updated', 'status', 'name'];
export const SORT_LABEL: Record<SortKey, string> = {
  started: 'newest first',
  updated: 'last active',
  status: 'status',
  name: 'name',
};

export type StatusFilter = 'all' | 'active' | 'interrupted' | 'failed' | 'completed';
export const STATUS_FILTERS: readonly StatusFilter[] = ['all', 'active', 'interrupted', 'failed', 'completed'];

/** Whether the owner of each session is known to be alive (undefined: cannot be known, e.g. another host). */
export type AliveMap = Readonly<Record<string, boolean | undefined>>;

/** The dashboard's status words are the CLI's (src/view/format.ts): a dead owner reads Interrupted. */
export type ListStatus = DisplayStatus;

export const LIST_SYMBOL: Record<ListStatus, string> = {
  Initializing: STATUS_SYMBOL.Initializing,
  Running: STATUS_SYMBOL.Running,
  Paused: STATUS_SYMBOL.Paused,
  Interrupted: STATUS_SYMBOL.Interrupted,
  Completed: STATUS_SYMBOL.Completed,
  Failed: STATUS_SYMBOL.Failed,
  Cancelled: STATUS_SYMBOL.Cancelled,
};

export function listStatus(s: UnifiedSession, alive: boolean | undefined): ListStatus {
  const crashed = (s.status === 'Running' || s.status === 'Initializing') && alive === false;
  return displayStatus(s, crashed);
}

function statusMatches(filter: StatusFilter, st: ListStatus): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'active':
      return st === 'Running' || st === 'Initializing';
    case 'interrupted':
      return st === 'Interrupted' || st === 'Paused';
    case 'failed':
      return st === 'Failed' || st === 'Cancelled';
    case 'completed':
      return st === 'Completed';
  }
}

/** Where a session was started from: its repo_path, when it recorded one. */
function repoOf(s: UnifiedSession): string | null {
  const p = s.metadata[META.repoPath];
  return typeof p === 'string' ? path.resolve(p) : null;
}

/** True when the session was started inside `repoPath` (the folder itself or below it). */
export function inRepo(s: UnifiedSession, repoPath: string | null): boolean {
  if (repoPath === null) return true;
  const r = repoOf(s);
  return r !== null && (r === repoPath || r.startsWith(repoPath + path.sep));
}

const STATUS_RANK: Record<ListStatus, number> = {
  Running: 0,
  Initializing: 1,
  Interrupted: 2,
  Paused: 3,
  Failed: 4,
  Cancelled: 5,
  Completed: 6,
};

export interface ListQuery {
  text: string;
  status: StatusFilter;
  sort: SortKey;
  /** `S`: the order reversed (this repository's sessions still come first). */
  reverse?: boolean;
  /** This repository's root; its sessions come first unless `all` is set. null: no grouping. */
  repoPath: string | null;
  all: boolean;
}

/** What `/` searches: name, id, type, status word, job id, repository, workflow path and error text. */
function haystack(s: UnifiedSession, st: ListStatus): string {
  const job = s.mapreduce_data?.job_id ?? s.metadata[META.jobId];
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return [s.id, sessionName(s), typeLabel(s), st, text(job), text(s.metadata[META.repoPath]), text(s.metadata.repo_name), text(s.metadata.workflow_path), s.error ?? '']
    .join(' ')
    .toLowerCase();
}

/** Every word of the query must appear, in any order ("failed deploy" finds "deploy … Failed"). */
export function matchesWords(hay: string, words: readonly string[]): boolean {
  return words.every((w) => hay.includes(w));
}

/** The ids the list shows, in order. Sort keys are computed once per session, not per comparison. */
export function visibleIds(sessions: Readonly<Record<string, UnifiedSession>>, alive: AliveMap, q: ListQuery): string[] {
  const words = q.text.toLowerCase().split(/\s+/).filter((w) => w !== '');
  const grouped = !q.all && q.repoPath !== null;
  const rows = [];
  for (const s of Object.values(sessions)) {
    const st = listStatus(s, alive[s.id]);
    if (!statusMatches(q.status, st) || (words.length > 0 && !matchesWords(haystack(s, st), words))) continue;
    rows.push({
      id: s.id,
      started: Date.parse(s.started_at) || 0,
      updated: Date.parse(s.updated_at) || 0,
      rank: STATUS_RANK[st],
      name: q.sort === 'name' ? sessionName(s) : '',
      other: grouped && !inRepo(s, q.repoPath) ? 1 : 0,
    });
  }
  type Row = (typeof rows)[number];
  const byNewest = (a: Row, b: Row) => b.started - a.started || b.id.localeCompare(a.id);
  const cmp: Record<SortKey, (a: Row, b: Row) => number> = {
    started: byNewest,
    updated: (a, b) => b.updated - a.updated || byNewest(a, b),
    status: (a, b) => a.rank - b.rank || byNewest(a, b),
    name: (a, b) => a.name.localeCompare(b.name) || byNewest(a, b),
  };
  const dir = q.reverse ? -1 : 1;
  rows.sort((a, b) => a.other - b.other || dir * cmp[q.sort](a, b));
  return rows.map((r) => r.id);
}

/** Header counts per status, over every session (not just the filtered ones). */
export function statusCounts(sessions: Readonly<Record<string, UnifiedSession>>, alive: AliveMap): Array<[ListStatus, number]> {
  const counts = new Map<ListStatus, number>();
  for (const s of Object.values(sessions)) {
    const st = listStatus(s, alive[s.id]);
    counts.set(st, (counts.get(st) ?? 0) + 1);
  }
  return (Object.keys(STATUS_RANK) as ListStatus[]).filter((st) => counts.has(st)).map((st) => [st, counts.get(st)!]);
}

export const LIST_COLUMNS: Column[] = [
  { header: 'STATUS' },
  { header: 'TYPE', dropOrder: 3 },
  { header: 'NAME', flex: true, min: 8 },
  { header: 'PROGRESS', dropOrder: 1 },
  { header: 'STARTED', dropOrder: 4 },
  { header: 'DURATION', align: 'right', dropOrder: 2 },
  // The short id is never dropped: at any width a session can be named, copied and pasted.
  { header: 'ID' },
];

/** The column each sort order sorts by; "last active" has no column of its own (the filter line names it). */
const SORT_COLUMN: Record<SortKey, string> = { started: 'STARTED', updated: '', status: 'STATUS', name: 'NAME' };

/** The header marks the sorted column: ▼ in the default direction, ▲ reversed. */
export function markSorted(columns: readonly Column[], sort: SortKey | undefined, reverse = false): Column[] {
  if (!sort) return [...columns];
  return columns.map((c) => (c.header === SORT_COLUMN[sort] ? { ...c, header: `${c.header}${reverse ? '▲' : '▼'}` } : c));
}

export interface ListRow {
  id: string;
  status: ListStatus;
  /** Started from another repository (shown with a mark). */
  other: boolean;
  text: string;
}

/** Duration: finished runs their recorded span; live ones up to now; stopped ones up to their last update. */
function durationText(s: UnifiedSession, st: ListStatus, now: number): string {
  const d = summarize(s).duration;
  if (d) return formatDurationMs(d.secs * 1000 + d.nanos / 1e6);
  return formatDurationMs(elapsedMs(s, st === 'Running' || st === 'Initializing' ? now : Date.parse(s.updated_at)));
}

/** The row's texts that move with the clock (its age and duration), as the table shows them at `now`. */
export function rowClockText(s: UnifiedSession, alive: boolean | undefined, now: number): string {
  return `${formatRelative(s.started_at, now)}\u0000${durationText(s, listStatus(s, alive), now)}`;
}

/**
 * The table for the window of ids shown: a header line and one line per row, fitted to `width`
 * (flexible columns shrink first, then optional ones drop). Only the window is formatted, so a store of
 * thousands of sessions costs the same per frame as a store of twenty.
 */
export function listTable(
  ids: readonly string[],
  sessions: Readonly<Record<string, UnifiedSession>>,
  alive: AliveMap,
  opts: { now: number; width: number; repoPath: string | null; all: boolean; short?: ReadonlyMap<string, string>; sort?: SortKey; reverse?: boolean },
): { header: string; rows: ListRow[] } {
  const shown = ids.map((id) => sessions[id]).filter((s): s is UnifiedSession => s !== undefined);
  const statuses = shown.map((s) => listStatus(s, alive[s.id]));
  const cells = shown.map((s, i) => {
    const st = statuses[i]!;
    return [
      `${LIST_SYMBOL[st]} ${st}`,
      typeLabel(s),
      sessionName(s),
      progressLabel(s),
      formatRelative(s.started_at, opts.now),
      durationText(s, st, opts.now),
      opts.short ? shortOf(opts.short, s.id) : s.id,
    ];
  });
  // Pad the status column to its widest word so it does not jump as rows scroll by.
  const widest = ['Interrupted', ...statuses].reduce((w, st) => Math.max(w, st.length + 2), 0);
  const lines = renderTable(markSorted(LIST_COLUMNS, opts.sort, opts.reverse), [[''.padEnd(widest), '', '', '', '', '', ''], ...cells], opts.width);
  return {
    header: lines[0]!,
    rows: shown.map((s, i) => ({
      id: s.id,
      status: statuses[i]!,
      other: !opts.all && opts.repoPath !== null && !inRepo(s, opts.repoPath),
      text: lines[i + 2]!,
    })),
  };
}
