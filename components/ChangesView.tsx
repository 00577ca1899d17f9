/** `d`: the commits a run or an agent made (Enter shows one's diff) and the whole range's diffstat. */
import { Box } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { changesSummary, commitCells, statLines } from '../src/tui/changes-view.js';
import { fitLine, fitTitle, splitRows } from '../src/tui/layout.js';
import { positionText } from '../src/tui/selection.js';
import { type Column, renderTable } from '../src/view/table.js';
import { PaneHeading } from './DetailTitle.js';
import { Line } from './Line.js';
import { useDashboard } from './store-context.js';
import { tint } from './theme.js';
import { useWindowTop } from './use-window.js';

const COLUMNS: Column[] = [
  { header: 'COMMIT' },
  { header: 'SUBJECT', flex: true, min: 12 },
  { header: 'AUTHOR', flex: true, min: 6, dropOrder: 2 },
  { header: 'WHEN', dropOrder: 3 },
  { header: 'FILES', align: 'right', dropOrder: 1 },
  { header: 'LINES', align: 'right', dropOrder: 4 },
];

export function ChangesView({ width, height }: { width: number; height: number }) {
  const { changes, now, color } = useDashboard(useShallow((s) => ({ changes: s.changes, now: s.now, color: s.color })));
  // Title, where line, commits heading + header, files heading, a "more" line.
  const [commitRows, fileRows] = splitRows(Math.max(2, height - 6), [Math.max(1, changes?.commits.length ?? 1), Math.max(1, changes?.files.length ?? 1)]);
  const top = useWindowTop(changes?.cursor ?? 0, commitRows!, changes?.commits.length ?? 0);
  if (!changes) return null;
  const n = changes.commits.length;
  const window = changes.commits.slice(top, top + commitRows!);
  const table = renderTable(COLUMNS, window.map((c) => commitCells(c, now)), width - 2);
  const summary = changes.loaded && !changes.problem ? changesSummary(n, changes.more, changes.files) : '';
  const stat = statLines(changes.files, width - 1);
  return (
    <Box flexDirection="column">
      <Line bold text={fitTitle(`‹ ${changes.title}`, [summary], width, 'right')} />
      <Line dim text={fitLine(`  ${changes.range ? `${changes.range.label} · ${changes.range.cwd}` : ''}`, '', width)} />
      <PaneHeading title="Commits" focused width={width} color={color} right={n ? `Enter diff  ${positionText(changes.cursor, n)}` : ''} />
      {!changes.loaded ? (
        <Line dim text="  reading git…" />
      ) : changes.problem ? (
        <Line color={tint(color, 'yellow')} text={fitLine(`  ${changes.problem}`, '', width)} />
      ) : n === 0 ? (
        <Line text="  No commits yet." />
      ) : (
        <>
          <Line dim text={`  ${table[0]}`} />
          {window.map((c, i) => {
            const selected = top + i === changes.cursor;
            return <Line key={c.sha} bold={selected} inverse={selected && color} text={`${selected ? '›' : ' '} ${table[i + 1]}`} />;
          })}
        </>
      )}
      <PaneHeading title="Files changed" focused={false} width={width} color={color} />
      {stat.slice(0, fileRows!).map((l, i) => (
        <Line key={i} text={l} />
      ))}
      {stat.length > fileRows! ? <Line dim text={`  … ${stat.length - fileRows!} more (Enter on a commit shows its files)`} /> : null}
    </Box>
  );
}
