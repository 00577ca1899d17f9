/** Pure: the sessions table's columns and rows (CLI listing and the dashboard's plain, non-TTY output). */
import type { UnifiedSession } from '../session/types.js';
import { summarize } from '../session/manager.js';
import { type Column, renderTable } from './table.js';
import { shortIds } from './short-id.js';
import { displayWidth } from './text.js';
import {
  STATUS_SYMBOL,
  displayStatus,
  elapsedMs,
  formatDurationMs,
  formatRelative,
  progressLabel,
  sessionName,
  typeLabel,
} from './format.js';

/** The ID column is never cut (a cut id cannot be pasted): whole ids when they fit, else short ids. */
export const SESSION_COLUMNS: Column[] = [
  { header: 'ID' },
  { header: 'TYPE', dropOrder: 2 },
  { header: 'STATUS' },
  { header: 'NAME', flex: true, min: 8 },
  { header: 'PROGRESS', dropOrder: 1 },
  { header: 'STARTED', dropOrder: 3 },
  { header: 'DURATION', align: 'right', dropOrder: 4 },
];

export function sessionRows(
  sessions: UnifiedSession[],
  interrupted: (s: UnifiedSession) => boolean,
  now: number,
): string[][] {
  return sessions.map((s) => {
    const stopped = interrupted(s);
    const status = displayStatus(s, stopped);
    const d = summarize(s).duration;
    return [
      s.id,
      typeLabel(s),
      `${STATUS_SYMBOL[status]} ${status}`,
      sessionName(s),
      progressLabel(s),
      formatRelative(s.started_at, now),
      d ? formatDurationMs(d.secs * 1000 + d.nanos / 1e6) : formatDurationMs(elapsedMs(s, stopped ? Date.parse(s.updated_at) : now)),
    ];
  });
}

/**
 * The sessions table fitted to `width`: whole ids when the table fits with them (always, when piped: the
 * width is unlimited), else every id as its git-style short id, unique among `allIds`. Never a cut id.
 */
export function sessionTable(
  sessions: UnifiedSession[],
  interrupted: (s: UnifiedSession) => boolean,
  now: number,
  width: number,
  allIds: readonly string[],
): string[] {
  const rows = sessionRows(sessions, interrupted, now);
  const whole = renderTable(SESSION_COLUMNS, rows, Number.POSITIVE_INFINITY);
  if (whole.every((l) => displayWidth(l) <= width)) return whole;
  const short = shortIds([...allIds, ...sessions.map((s) => s.id)]);
  return renderTable(SESSION_COLUMNS, rows.map((r, i) => [short.get(sessions[i]!.id)!, ...r.slice(1)]), width);
}
