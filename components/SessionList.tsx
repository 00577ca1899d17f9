/** The sessions view: counts per status, the filter line, and the visible window of the table. */
import { Box } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { fitTitle } from '../src/tui/layout.js';
import { positionText } from '../src/tui/selection.js';
import { LIST_SYMBOL, SORT_LABEL, listTable, statusCounts } from '../src/tui/session-list.js';
import { Line } from './Line.js';
import { useDashboard } from './store-context.js';
import { STATUS_COLOR, tint } from './theme.js';
import { useWindowTop } from './use-window.js';

/** Lines the view spends besides rows: title, filter line, table header. */
export const LIST_CHROME = 3;

function Title({ width }: { width: number }) {
  const sessions = useDashboard((s) => s.sessions);
  const alive = useDashboard((s) => s.alive);
  const problems = useDashboard((s) => Object.keys(s.problems).length);
  const loading = useDashboard((s) => s.loading);
  const per = statusCounts(sessions, alive);
  const counts = per.map(([st, n]) => `${LIST_SYMBOL[st]} ${n} ${st}`).join('  ');
  // Cut, the counts stay: words first, then the symbols alone, before the left side gives way.
  const compact = per.map(([st, n]) => `${LIST_SYMBOL[st]}${n}`).join(' ');
  const total = Object.keys(sessions).length;
  const warn = problems ? `  ⚠ ${problems} unreadable` : '';
  // While the rest of the store streams in (store/session-loader.ts), the title says how far it got.
  const what = loading ? `loading ${loading.done.toLocaleString('en-US')}/${loading.total.toLocaleString('en-US')} sessions` : `${total} session${total === 1 ? '' : 's'}`;
  return <Line bold text={fitTitle(`prodigy · ${what}${warn}`, [counts, compact], width, 'right')} />;
}

function FilterLine({ width, grouped }: { width: number; grouped: boolean }) {
  const { text, status, sort, reverse, shown, cursor } = useDashboard(
    useShallow((s) => ({ text: s.filterText, status: s.statusFilter, sort: s.sort, reverse: s.sortReverse, shown: s.ids.length, cursor: s.cursor })),
  );
  const parts = [`status: ${status}`, `sort: ${SORT_LABEL[sort]}${reverse ? ' (reversed)' : ''}`];
  if (text) parts.unshift(`search: "${text}" (${shown})`);
  // The position indicator ("34/2000") stays when the line is cut.
  const right = [grouped ? '◦ other repository' : '', positionText(cursor, shown)].filter(Boolean).join('  ');
  return <Line dim text={fitTitle(parts.join(' · '), [right, positionText(cursor, shown)], width, 'right')} />;
}

export function SessionList({ width, height }: { width: number; height: number }) {
  const { ids, cursor, sessions, alive, now, repoPath, all, color, loaded, loading, short, sort, reverse } = useDashboard(
    useShallow((s) => ({
      ids: s.ids,
      cursor: s.cursor,
      sessions: s.sessions,
      alive: s.alive,
      now: s.now,
      repoPath: s.repoPath,
      all: s.all,
      color: s.color,
      loaded: s.loaded,
      loading: s.loading !== null,
      short: s.short,
      sort: s.sort,
      reverse: s.sortReverse,
    })),
  );
  const rowsHeight = Math.max(1, height - LIST_CHROME);
  const top = useWindowTop(cursor, rowsHeight, ids.length);
  const table = listTable(ids.slice(top, top + rowsHeight), sessions, alive, { now, width: width - 2, repoPath, all, short, sort, reverse });
  const grouped = table.rows.some((r) => r.other);
  return (
    <Box flexDirection="column">
      <Title width={width} />
      <FilterLine width={width} grouped={grouped} />
      <Line dim text={`  ${table.header}`} />
      {ids.length === 0 ? (
        <Line text={loaded && !loading ? (Object.keys(sessions).length ? '  No session matches the filter (Esc clears it).' : '  No sessions yet. Run `prodigy run <workflow.yml>`.') : '  Loading…'} />
      ) : (
        table.rows.map((r, i) => {
          const selected = top + i === cursor;
          return (
            <Line
              key={r.id}
              text={`${selected ? '›' : ' '}${r.other ? '◦' : ' '}${r.text}`}
              color={tint(color, STATUS_COLOR[r.status])}
              inverse={selected && color}
              bold={selected}
            />
          );
        })
      )}
    </Box>
  );
}
