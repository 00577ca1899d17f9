/** First line of both detail views: name, status word and symbol, id. */
import type { UnifiedSession } from '../src/session/types.js';
import { fitLine, fitTitle } from '../src/tui/layout.js';
import { shortOf } from '../src/view/short-id.js';
import { useDashboard } from './store-context.js';
import { LIST_SYMBOL, listStatus } from '../src/tui/session-list.js';
import { sessionName } from '../src/view/format.js';
import { Line } from './Line.js';
import { STATUS_COLOR, tint } from './theme.js';

export function DetailTitle({ session, alive, width, color }: { session: UnifiedSession; alive: boolean | undefined; width: number; color: boolean }) {
  const st = listStatus(session, alive);
  const short = useDashboard((s) => shortOf(s.short, session.id));
  // Cut, it keeps the name and the status first: the full id gives way to the short one, then goes.
  return <Line bold color={tint(color, STATUS_COLOR[st])} text={fitTitle(`‹ ${sessionName(session)}  ${LIST_SYMBOL[st]} ${st}`, [session.id, short], width)} />;
}

/** A pane's heading; the focused pane is marked by a glyph (and by colour when there is colour). */
export function PaneHeading({ title, focused, width, color, right = '' }: { title: string; focused: boolean; width: number; color: boolean; right?: string }) {
  return <Line bold={focused} color={tint(color, focused ? 'blue' : undefined)} dim={!focused} text={fitLine(`${focused ? '▸' : ' '} ${title}`, right, width)} />;
}
