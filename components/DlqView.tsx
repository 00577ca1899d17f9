/** `D`: the open job's dead items — item, attempts, error, the failing command's output tail. */
import { Box } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { fitTitle } from '../src/tui/layout.js';
import { positionText } from '../src/tui/selection.js';
import { firstLine, tailText } from '../src/view/dlq-text.js';
import { formatRelative } from '../src/view/format.js';
import { type Column, renderTable } from '../src/view/table.js';
import { Line } from './Line.js';
import { useDashboard } from './store-context.js';
import { tint } from './theme.js';
import { useWindowTop } from './use-window.js';

const COLUMNS: Column[] = [
  { header: 'ITEM', flex: true, min: 8 },
  { header: 'TRIES', align: 'right' },
  { header: 'FAILED', dropOrder: 2 },
  { header: 'FAILURE', flex: true, min: 10 },
  { header: 'OUTPUT (LAST LINES)', flex: true, min: 10, dropOrder: 1 },
];

export function DlqView({ width, height }: { width: number; height: number }) {
  const { dlq, now, color } = useDashboard(useShallow((s) => ({ dlq: s.dlq, now: s.now, color: s.color })));
  const rows = Math.max(1, height - 2);
  const top = useWindowTop(dlq?.cursor ?? 0, rows, dlq?.items.length ?? 0);
  if (!dlq) return null;
  const window = dlq.items.slice(top, top + rows);
  const lines = renderTable(COLUMNS, window.map((d) => [d.item_id, String(d.attempts), formatRelative(d.failed_at, now), firstLine(d.error), tailText(d.output_tail)]), width - 2);
  const n = dlq.items.length;
  return (
    <Box flexDirection="column">
      <Line bold color={tint(color, n ? 'red' : 'green')} text={fitTitle(`‹ DLQ of job ${dlq.jobId} · ${n} dead item${n === 1 ? '' : 's'}`, [`Enter whole · R retry  ${positionText(dlq.cursor, n)}`, positionText(dlq.cursor, n)], width, 'right')} />
      <Line dim text={`  ${lines[0]}`} />
      {!dlq.loaded ? (
        <Line dim text="  reading the DLQ…" />
      ) : n === 0 ? (
        <Line text={`  ${dlq.problem ?? 'No dead items: the DLQ is empty.'}`} />
      ) : (
        window.map((d, i) => {
          const selected = top + i === dlq.cursor;
          return <Line key={d.item_id} bold={selected} inverse={selected && color} text={`${selected ? '›' : ' '} ${lines[i + 1]}`} />;
        })
      )}
    </Box>
  );
}
