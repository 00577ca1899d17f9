/** `l`: a full log, scrolled by the same keys as every table; `/` search (the match is marked), `G` follows. */
import { Box } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import { fitLine, fitTitle } from '../src/tui/layout.js';
import { type DiffLineKind, diffLineKind } from '../src/tui/changes-view.js';
import { logTop } from '../src/tui/log-view.js';
import { Line } from './Line.js';
import { useDashboard } from './store-context.js';
import { tint } from './theme.js';

const DIFF_COLOR: Record<DiffLineKind, string | undefined> = { add: 'green', del: 'red', hunk: 'cyan', file: undefined, commit: 'yellow', plain: undefined };

export function LogViewer({ width, height }: { width: number; height: number }) {
  const { log, color } = useDashboard(useShallow((s) => ({ log: s.log, color: s.color })));
  if (!log) return null;
  const rows = Math.max(1, height - 1);
  const top = logTop(log.top, rows, log.lines.length, log.follow);
  const shown = log.lines.slice(top, top + rows);
  const last = Math.min(log.lines.length, top + rows);
  const where = log.lines.length ? `${last}/${log.lines.length}` : '';
  const mode = log.follow ? 'following' : '';
  // A commit's diff is coloured like git's (unless NO_COLOR); its +/- signs say it without colour.
  const diff = log.source.kind === 'diff';
  return (
    <Box flexDirection="column">
      <Line bold text={fitTitle(`‹ ${log.title}`, [[mode, where].filter(Boolean).join('  '), where], width, 'right')} />
      {!log.loaded ? (
        <Line dim text="  reading…" />
      ) : (
        shown.map((l, i) => {
          const hit = log.match === top + i;
          const kind = diff ? diffLineKind(l) : 'plain';
          return (
            <Line
              key={top + i}
              inverse={hit && color}
              bold={hit || kind === 'commit' || kind === 'file'}
              color={tint(color, hit ? 'yellow' : DIFF_COLOR[kind])}
              text={fitLine(`${hit ? '›' : ' '} ${l}`, '', width)}
            />
          );
        })
      )}
    </Box>
  );
}
