/** Pure: the sessions table's columns and rows (CLI listing and the dashboard's plain, non-TTY output). */
import type { UnifiedSession } from '../session/types.js';
import { summarize } from '../session/manager.js';
import type { Column } from './table.js';
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

export const SESSION_COLUMNS: Column[] = [
  { header: 'ID', flex: true, min: 16 },
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
