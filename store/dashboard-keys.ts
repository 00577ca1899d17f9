/**
 * Routes one key press: a pending yes/no question takes it first, then the filter line while it is being
 * edited, then the help overlay, and only then the key table (src/tui/keys.ts) for the current view.
 */
import { actionFor } from '../src/tui/keys.js';
import { ctrlC } from './dashboard-control-flow.js';
import { logSearchKey } from './dashboard-views.js';
import type { DashboardState } from './dashboard-types.js';

/** A key name that is text to type (one printable character), not a named key like `down`. */
function isText(name: string): boolean {
  return [...name].length === 1 && name >= ' ' && name !== '\x7f';
}

export function routeKey(s: DashboardState, name: string): void {
  if (name === 'ctrl-c') return ctrlC(s);
  if (s.confirm) {
    const extra = s.confirm.keys?.[name];
    if (extra) {
      s.ask(null);
      return extra();
    }
    if (name === 'return') return s.answer(true);
    if (name === 'y' || name === 'Y') s.answer(true);
    else if (name === 'n' || name === 'N' || name === 'escape') s.answer(false);
    return;
  }
  if (s.view === 'log' && s.log?.searchEditing) return logSearchKey(s, name, isText);
  if (s.filterEditing) {
    if (name === 'return') return s.setFilterEditing(false);
    if (name === 'escape') {
      s.setFilterText('');
      return s.setFilterEditing(false);
    }
    if (name === 'backspace') return s.setFilterText([...s.filterText].slice(0, -1).join(''));
    if (isText(name)) return s.setFilterText(s.filterText + name);
    // Arrows and paging still move through the narrowed list while typing.
    const a = actionFor(name, 'list');
    if (a === 'up' || a === 'down' || a === 'pageUp' || a === 'pageDown') s.perform(a);
    return;
  }
  if (s.help) {
    // Any key closes help; quitting still quits.
    const a = actionFor(name, s.view);
    if (a === 'quit') return s.perform('quit');
    return s.perform(a === 'help' ? 'help' : 'back');
  }
  const action = actionFor(name, s.view);
  if (action) s.perform(action);
}
