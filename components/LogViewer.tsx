/** `l`: a full log, scrolled by the same keys as every table; `/` search (the match is marked), `G` follows. */
import { Box } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { fitLine, fitTitle } from '../src/tui/layout.js';
import { logTop } from '../src/tui/log-view.js';
import { Line } from './Line.js';
import { useDashboard } from './store-context.js';
import { tint } from './theme.js';

export function LogViewer({ width, height }: { width: number; height: number }) {
  const { log, color } = useDashboard(useShallow((s) => ({ log: s.log, color: s.color })));
  if (!log) return null;
  const rows = Math.max(1, height - 1);
  const top = logTop(log.top, rows, log.lines.length, log.follow);
  const shown = log.lines.slice(top, top + rows);
  const last = Math.min(log.lines.length, top + rows);
  const where = log.lines.length ? `${last}/${log.lines.length}` : '';
  const mode = log.follow ? 'following' : '';
  return (
    <Box flexDirection="column">
      <Line bold text={fitTitle(`‹ ${log.title}`, [[mode, where].filter(Boolean).join('  '), where], width, 'right')} />
      {!log.loaded ? (
        <Line dim text="  reading…" />
      ) : (
        shown.map((l, i) => {
          const hit = log.match === top + i;
          return <Line key={top + i} inverse={hit && color} bold={hit} color={tint(color, hit ? 'yellow' : undefined)} text={fitLine(`${hit ? '›' : ' '} ${l}`, '', width)} />;
        })
      )}
    </Box>
  );
}
