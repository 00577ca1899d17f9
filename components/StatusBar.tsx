/** The bottom line: a question waiting for y/n, the filter being typed, a message, or the key hints. */
import { fitLine } from '../src/tui/layout.js';
import { Line } from './Line.js';
import { useDashboard } from './store-context.js';
import { tint } from './theme.js';

export function StatusBar({ width }: { width: number }) {
  const confirm = useDashboard((s) => s.confirm);
  const editing = useDashboard((s) => s.filterEditing);
  const filterText = useDashboard((s) => s.filterText);
  const message = useDashboard((s) => s.message);
  const view = useDashboard((s) => s.view);
  const color = useDashboard((s) => s.color);
  if (confirm) return <Line text={fitLine(`${confirm.prompt} (y/n)`, '', width)} bold color={tint(color, 'yellow')} />;
  if (editing) return <Line text={fitLine(`/${filterText}▏`, 'Enter keep · Esc clear', width)} />;
  const hints = view === 'list' ? 'Enter open · / filter · ? help · q quit' : 'Esc back · Tab pane · ? help · q quit';
  return <Line text={fitLine(message ?? '', hints, width)} dim={!message} />;
}
