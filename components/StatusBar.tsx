/**
 * The bottom line: a question waiting for y/n, the filter being typed, a message, an unreadable file, and
 * the key hints.
 */
import { fitLine } from '../src/tui/layout.js';
import { Line } from './Line.js';
import { useDashboard } from './store-context.js';
import { tint } from './theme.js';
import type { ViewName } from '../store/dashboard-types.js';

const HINTS: Record<ViewName, string> = {
  list: 'Enter open · l log · d changes · / search · y copy · ? help · q quit',
  detail: 'Esc back · Tab pane · l log · d changes · D dlq · r resume · y copy · ? help',
  changes: 'Esc back · Enter diff · y copy id · ? help · q quit',
  dlq: 'Esc back · Enter whole · R retry · ? help · q quit',
  log: 'Esc back · / search · n next · G follow · o pager · ? help',
};

export function StatusBar({ width }: { width: number }) {
  const confirm = useDashboard((s) => s.confirm);
  const logSearch = useDashboard((s) => (s.view === 'log' && s.log?.searchEditing ? s.log.search : null));
  const editing = useDashboard((s) => s.filterEditing);
  const filterText = useDashboard((s) => s.filterText);
  const message = useDashboard((s) => s.message);
  // A file that does not parse is named here (it is skipped and left exactly as it is).
  const problem = useDashboard((s) => {
    const file = Object.keys(s.problems)[0];
    if (file === undefined) return null;
    const shown = file.startsWith(`${s.home}/`) ? file.slice(s.home.length + 1) : file;
    return `⚠ ${shown}: ${s.problems[file]} (left unchanged)`;
  });
  const view = useDashboard((s) => s.view);
  const color = useDashboard((s) => s.color);
  if (confirm) return <Line text={fitLine(`${confirm.prompt} ${confirm.hint ?? 'y/Enter yes · n/Esc no'}`, '', width)} bold color={tint(color, 'yellow')} />;
  if (logSearch !== null) return <Line text={fitLine(`/${logSearch}▏`, 'Enter find · Esc cancel', width)} />;
  if (editing) return <Line text={fitLine(`/${filterText}▏`, 'Enter keep · Esc clear', width)} />;
  const hints = HINTS[view];
  if (!message && problem) return <Line text={fitLine(problem, '', width)} color={tint(color, 'yellow')} />;
  if (message) return <Line text={fitLine(message, '? help', width)} />;
  return <Line text={fitLine('', hints, width)} dim />;
}
