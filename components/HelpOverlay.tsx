/** `?`: every key of the current view, generated from the same table the input handler uses. */
import { Box } from 'ink';
import { helpRows, type ViewKind } from '../src/tui/keys.js';
import { fitLine } from '../src/tui/layout.js';
import { displayWidth, truncate } from '../src/view/text.js';
import { Line } from './Line.js';

const VIEW_NAME: Record<ViewKind, string> = { list: 'sessions', detail: 'detail', dlq: 'DLQ', log: 'log', changes: 'changes' };

export function HelpOverlay({ view, width, height }: { view: ViewKind; width: number; height: number }) {
  const rows = helpRows(view);
  const labelW = Math.max(...rows.map((r) => displayWidth(r.label)));
  const cells = rows.map((r) => `${r.label}${' '.repeat(labelW - displayWidth(r.label))}  ${r.description}`);
  // Short terminals get two columns so every key still shows.
  const perColumn = height - 1 >= cells.length ? cells.length : Math.ceil(cells.length / 2);
  const colW = perColumn === cells.length ? width - 2 : Math.floor((width - 3) / 2);
  const lines: string[] = [];
  for (let i = 0; i < perColumn; i++) {
    const left = truncate(cells[i]!, colW);
    const right = cells[i + perColumn];
    lines.push(right === undefined ? `  ${left}` : `  ${left}${' '.repeat(colW - displayWidth(left) + 1)}${truncate(right, colW)}`);
  }
  return (
    <Box flexDirection="column">
      <Line bold text={fitLine(`Keys — ${VIEW_NAME[view]} view`, 'any key closes', width)} />
      {lines.slice(0, Math.max(0, height - 1)).map((l, i) => (
        <Line key={i} text={l} />
      ))}
    </Box>
  );
}
