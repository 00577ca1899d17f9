/**
 * Pure: the dashboard's one key table. The input handler and the help overlay are both generated from
 * it, so help can never drift from behaviour; a new key is one row here plus its action in the store.
 */

/**
 * Where a key applies. `list` is the sessions view, `detail` either detail view, `dlq` the dead items
 * view, `log` the log view, `changes` the commits view (`d`); `any` everywhere.
 */
export type KeyScope = 'any' | 'list' | 'detail' | 'dlq' | 'log' | 'changes';

/** Names of the actions the store performs (store/dashboard.ts `perform`). */
export type ActionName =
  | 'up'
  | 'down'
  | 'top'
  | 'bottom'
  | 'pageUp'
  | 'pageDown'
  | 'open'
  | 'back'
  | 'switchPane'
  | 'filter'
  | 'cycleStatus'
  | 'cycleSort'
  | 'reverseSort'
  | 'copyId'
  | 'copyResume'
  | 'help'
  | 'resume'
  | 'interrupt'
  | 'quit'
  | 'log'
  | 'dlq'
  | 'retryDlq'
  | 'logSearch'
  | 'nextMatch'
  | 'prevMatch'
  | 'pager'
  | 'changes';

export interface KeyBinding {
  action: ActionName;
  /** Key names as produced by `keyName` (a printable character, or a name such as `down`, `ctrl-c`). */
  keys: string[];
  /** What the help overlay shows in the key column. */
  label: string;
  description: string;
  scope: KeyScope;
}

export const KEY_TABLE: readonly KeyBinding[] = [
  { action: 'up', keys: ['up', 'k'], label: '↑ k', description: 'move up', scope: 'any' },
  { action: 'down', keys: ['down', 'j'], label: '↓ j', description: 'move down', scope: 'any' },
  { action: 'top', keys: ['g', 'home'], label: 'g Home', description: 'go to the first row', scope: 'any' },
  { action: 'bottom', keys: ['G', 'end'], label: 'G End', description: 'go to the last row (in a log: follow it as it grows)', scope: 'any' },
  { action: 'pageUp', keys: ['pageup'], label: 'PgUp', description: 'one page up', scope: 'any' },
  { action: 'pageDown', keys: ['pagedown'], label: 'PgDn', description: 'one page down', scope: 'any' },
  { action: 'open', keys: ['return'], label: 'Enter', description: 'open the selected session', scope: 'list' },
  { action: 'back', keys: ['escape', 'backspace'], label: 'Esc ⌫', description: 'back to the sessions list', scope: 'detail' },
  { action: 'back', keys: ['escape'], label: 'Esc', description: 'clear the text and status filters', scope: 'list' },
  { action: 'switchPane', keys: ['tab', 'shift-tab'], label: 'Tab', description: 'switch pane', scope: 'detail' },
  { action: 'filter', keys: ['/'], label: '/', description: 'search name, id, status, repository, workflow, error (words in any order)', scope: 'list' },
  { action: 'cycleStatus', keys: ['f'], label: 'f', description: 'cycle the status filter', scope: 'list' },
  { action: 'cycleSort', keys: ['s'], label: 's', description: 'cycle the sort column (the header marks it)', scope: 'list' },
  { action: 'reverseSort', keys: ['S'], label: 'S', description: 'reverse the sort order', scope: 'list' },
  { action: 'copyId', keys: ['y'], label: 'y', description: 'copy the selected id (OSC 52: works over ssh and in tmux)', scope: 'any' },
  { action: 'copyResume', keys: ['Y'], label: 'Y', description: 'copy the resume command of the selected session', scope: 'any' },
  { action: 'resume', keys: ['r'], label: 'r', description: 'resume the selected (or last interrupted) session', scope: 'any' },
  { action: 'interrupt', keys: ['x'], label: 'x', description: 'interrupt the selected running session (it pauses)', scope: 'any' },
  { action: 'log', keys: ['l'], label: 'l', description: 'the full log of the selected session, step or item', scope: 'list' },
  { action: 'log', keys: ['l'], label: 'l', description: 'the full log of the selected step or item (attempts shown)', scope: 'detail' },
  { action: 'changes', keys: ['d'], label: 'd', description: "what the selected run changed: its commits and diffstat", scope: 'list' },
  { action: 'changes', keys: ['d'], label: 'd', description: 'what the selected item (agent table) or this run changed: commits, diffstat', scope: 'detail' },
  { action: 'open', keys: ['return'], label: 'Enter', description: "the selected commit's diff (coloured unless NO_COLOR; o pages it)", scope: 'changes' },
  { action: 'back', keys: ['escape', 'backspace'], label: 'Esc ⌫', description: 'back', scope: 'changes' },
  { action: 'dlq', keys: ['D'], label: 'D', description: "a MapReduce job's dead items (DLQ)", scope: 'list' },
  { action: 'dlq', keys: ['D'], label: 'D', description: "this job's dead items (DLQ)", scope: 'detail' },
  { action: 'open', keys: ['return'], label: 'Enter', description: 'show the selected dead item whole', scope: 'dlq' },
  { action: 'retryDlq', keys: ['R'], label: 'R', description: 'retry the dead items (asks first; same as prodigy dlq retry)', scope: 'dlq' },
  { action: 'back', keys: ['escape', 'backspace'], label: 'Esc ⌫', description: 'back', scope: 'dlq' },
  { action: 'back', keys: ['escape', 'backspace'], label: 'Esc ⌫', description: 'back', scope: 'log' },
  { action: 'logSearch', keys: ['/'], label: '/', description: 'search the log (Enter finds, words in any order)', scope: 'log' },
  { action: 'nextMatch', keys: ['n'], label: 'n', description: 'next match', scope: 'log' },
  { action: 'prevMatch', keys: ['N'], label: 'N', description: 'previous match', scope: 'log' },
  { action: 'pager', keys: ['o'], label: 'o', description: 'open the log in $PAGER (the dashboard comes back after)', scope: 'log' },
  { action: 'help', keys: ['?'], label: '?', description: 'show or hide this help', scope: 'any' },
  { action: 'quit', keys: ['q', 'ctrl-c'], label: 'q ^C', description: 'quit', scope: 'any' },
];

/** The parts of Ink's `Key` that name a key (kept structural so this module does not import Ink). */
export interface KeyFlags {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  shift?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

/**
 * One name per key press. Ink 6 reports Backspace (\x7f) as `delete`, so both count as backspace.
 * Multi-character input (a paste, or keys arriving in one chunk) is split by the caller.
 */
export function keyName(input: string, key: KeyFlags): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'return';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl-${input.toLowerCase()}`;
  if (key.escape) return 'escape';
  return input;
}

export type ViewKind = 'list' | 'detail' | 'dlq' | 'log' | 'changes';

function inScope(scope: KeyScope, view: ViewKind): boolean {
  return scope === 'any' || scope === view;
}

/** The action a key performs in a view, or null. */
export function actionFor(name: string, view: ViewKind, table: readonly KeyBinding[] = KEY_TABLE): ActionName | null {
  for (const b of table) if (inScope(b.scope, view) && b.keys.includes(name)) return b.action;
  return null;
}

/** The help overlay's rows for a view: key label and description, straight from the table. */
export function helpRows(view: ViewKind, table: readonly KeyBinding[] = KEY_TABLE): Array<{ label: string; description: string }> {
  return table.filter((b) => inScope(b.scope, view)).map((b) => ({ label: b.label, description: b.description }));
}
