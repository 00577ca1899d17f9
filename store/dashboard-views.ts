/**
 * The log view (`l`, `/`, `n`, `G`, `o`) and the DLQ view (`D`, Enter, `R`): their state changes. The
 * files behind them are read by store/view-feed.ts; nothing here touches the disk or the terminal.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { ActionName } from '../src/tui/keys.js';
import type { DlqItem } from '../src/mapreduce/job-types.js';
import { findLine } from '../src/tui/log-view.js';
import { follow, moveSelection, type Selection } from '../src/tui/selection.js';
import { sessionName } from '../src/view/format.js';
import { shortOf } from '../src/view/short-id.js';
import type { ChangeSource } from '../src/tui/changes-view.js';
import type { ChangesPatch, DashboardState, LogSource, LogView } from './dashboard-types.js';
import { isMapReduce } from '../src/view/format.js';
import { listHeight } from '../src/tui/layout.js';

type Set = StoreApi<DashboardState>['setState'];

export function viewsSlice(set: Set) {
  return {
    log: null,
    dlq: null,
    changes: null,
    pager: null,
    openChanges(source: ChangeSource, title: string) {
      set((s) => ({
        changes: { source, title, range: null, commits: [], more: false, files: [], problem: null, ids: [], cursor: 0, selectedId: null, loaded: false, back: s.view === 'changes' ? (s.changes?.back ?? 'list') : s.view },
        view: 'changes',
        help: false,
      }));
    },
    changesLoaded(source: ChangeSource, patch: ChangesPatch) {
      set((s) => {
        if (!s.changes || s.changes.source !== source) return {};
        const ids = patch.commits.map((c) => c.sha);
        return { changes: { ...s.changes, ...patch, ids, ...follow(ids, s.changes.selectedId, s.changes.cursor), loaded: true } };
      });
    },
    openLog(source: LogSource, title: string, file: string | null = null) {
      set((s) => ({
        log: { source, title, lines: [], top: 0, follow: false, search: '', searchEditing: false, match: null, file, back: s.view === 'log' ? (s.log?.back ?? 'list') : s.view, loaded: false },
        view: 'log',
        help: false,
      }));
    },
    logLoaded(lines: string[]) {
      set((s) => (s.log ? { log: { ...s.log, lines, loaded: true } } : {}));
    },
    dlqLoaded(items: DlqItem[], problem: string | null) {
      set((s) => {
        if (!s.dlq) return {};
        const ids = items.map((d) => d.item_id);
        return { dlq: { ...s.dlq, items, ids, ...follow(ids, s.dlq.selectedId, s.dlq.cursor), loaded: true, problem } };
      });
    },
    patchLog(patch: Partial<LogView>) {
      set((s) => (s.log ? { log: { ...s.log, ...patch } } : {}));
    },
    setPager(pager: DashboardState['pager']) {
      set({ pager });
    },
  } satisfies Partial<DashboardState>;
}

/** `l`: the selected session's whole log (list), the selected step's or item's (detail). */
function openLogFor(s: DashboardState): void {
  const logFile = (id: string) => `${s.home}/logs/${id}.log`;
  if (s.view === 'list') {
    const x = s.selectedId ? s.sessions[s.selectedId] : undefined;
    if (!x) return s.setMessage('no session selected');
    return s.openLog({ kind: 'session', sessionId: x.id }, `log of ${sessionName(x)} (${shortOf(s.short, x.id)})`, logFile(x.id));
  }
  const x = s.openId ? s.sessions[s.openId] : undefined;
  if (!x) return;
  if (s.job) {
    if (s.pane === 0 && s.agentSelected) {
      return s.openLog({ kind: 'item', sessionId: x.id, jobId: s.job.jobId, itemId: s.agentSelected }, `${s.agentSelected} of ${sessionName(x)}`);
    }
    return s.openLog({ kind: 'session', sessionId: x.id }, `log of ${sessionName(x)} (${shortOf(s.short, x.id)})`, logFile(x.id));
  }
  if (s.pane === 0) return s.openLog({ kind: 'step', sessionId: x.id, index: s.detailCursor[0] }, `step ${s.detailCursor[0] + 1} of ${sessionName(x)}`, logFile(x.id));
  return s.openLog({ kind: 'session', sessionId: x.id }, `log of ${sessionName(x)} (${shortOf(s.short, x.id)})`, logFile(x.id));
}

/** `d`: what the selected run changed (list), or the selected item of the agent table (else the open run). */
function openChangesFor(s: DashboardState): void {
  if (s.view === 'list') {
    const x = s.selectedId ? s.sessions[s.selectedId] : undefined;
    if (!x) return s.setMessage('no session selected');
    return s.openChanges({ kind: 'session', sessionId: x.id }, `changes of ${sessionName(x)} (${shortOf(s.short, x.id)})`);
  }
  const x = s.openId ? s.sessions[s.openId] : undefined;
  if (!x) return;
  if (s.job && s.pane === 0 && s.agentSelected) {
    return s.openChanges({ kind: 'item', sessionId: x.id, jobId: s.job.jobId, itemId: s.agentSelected }, `changes of ${s.agentSelected} of ${sessionName(x)}`);
  }
  return s.openChanges({ kind: 'session', sessionId: x.id }, `changes of ${sessionName(x)} (${shortOf(s.short, x.id)})`);
}

/** `D`: the DLQ of the open job (in the list: of the selected MapReduce session, opened first). */
function openDlq(s: DashboardState, set: Set, get: () => DashboardState): void {
  if (s.view === 'list') {
    const x = s.selectedId ? s.sessions[s.selectedId] : undefined;
    if (!x || !isMapReduce(x)) return s.setMessage('D shows the dead items of a MapReduce job: select one');
    s.openSession(x.id);
  }
  const now = get();
  if (!now.job) return now.setMessage('this session is not a MapReduce job');
  set({ view: 'dlq', dlq: { sessionId: now.job.sessionId, jobId: now.job.jobId, items: [], ids: [], cursor: 0, selectedId: null, loaded: false, problem: null }, help: false });
}

const MOVES: Partial<Record<ActionName, (page: number) => number>> = {
  up: () => -1,
  down: () => 1,
  pageUp: (page) => -page,
  pageDown: (page) => page,
  top: () => -Number.MAX_SAFE_INTEGER,
  bottom: () => Number.MAX_SAFE_INTEGER,
};

/** A table's cursor moved by a movement key (the cursor follows ids), or null for any other action. */
function tableMove(action: ActionName, ids: readonly string[], cursor: number, page: number): Selection | null {
  const by = MOVES[action];
  return by ? moveSelection(ids, cursor, by(page)) : null;
}

/** Keys of the log and DLQ views, and the keys that open them. Returns false when not one of these. */
export function performView(s: DashboardState, action: ActionName, set: Set, get: () => DashboardState): boolean {
  const log = s.log;
  if (s.view === 'log' && log) {
    const height = Math.max(1, listHeight(s.size));
    const scroll = (delta: number) => set({ log: { ...log, follow: false, top: Math.max(0, Math.min(Math.max(0, log.lines.length - height), (log.follow ? Math.max(0, log.lines.length - height) : log.top) + delta)) } });
    switch (action) {
      case 'up':
        return scroll(-1), true;
      case 'down':
        return scroll(1), true;
      case 'pageUp':
        return scroll(-height), true;
      case 'pageDown':
        return scroll(height), true;
      case 'top':
        return set({ log: { ...log, follow: false, top: 0 } }), true;
      case 'bottom':
        return set({ log: { ...log, follow: true } }), true;
      case 'logSearch':
        return set({ log: { ...log, searchEditing: true } }), true;
      case 'nextMatch':
      case 'prevMatch': {
        const dir = action === 'nextMatch' ? 1 : -1;
        const from = log.match === null ? (dir === 1 ? log.top : log.top + height - 1) : log.match + dir;
        const at = findLine(log.lines, log.search, from, dir);
        if (at === null) return s.setMessage(log.search ? `not found: ${log.search}` : 'type / to search first'), true;
        return set({ log: { ...log, match: at, follow: false, top: Math.max(0, at - Math.floor(height / 2)) } }), true;
      }
      case 'pager':
        if (!s.pager) return s.setMessage('no pager here'), true;
        s.pager(log.file ? { file: log.file } : { text: `${log.lines.join('\n')}\n` });
        return true;
      case 'back':
        return set({ view: log.back, log: null }), true;
      default:
        return false;
    }
  }
  const dlq = s.dlq;
  if (s.view === 'dlq' && dlq) {
    const moved = tableMove(action, dlq.ids, dlq.cursor, listHeight(s.size));
    if (moved) return set({ dlq: { ...dlq, ...moved } }), true;
    switch (action) {
      case 'open': {
        const item = dlq.items.find((d) => d.item_id === dlq.selectedId);
        if (!item) return s.setMessage('no dead item selected'), true;
        return s.openLog({ kind: 'dlqItem', sessionId: dlq.sessionId, item }, `dead item ${item.item_id} of job ${dlq.jobId}`), true;
      }
      case 'back':
        return set({ view: 'detail', dlq: null }), true;
      default:
        break;
    }
  }
  const changes = s.changes;
  if (s.view === 'changes' && changes) {
    const moved = tableMove(action, changes.ids, changes.cursor, listHeight(s.size));
    if (moved) return set({ changes: { ...changes, ...moved } }), true;
    switch (action) {
      case 'open': {
        const c = changes.commits.find((x) => x.sha === changes.selectedId);
        if (!c || !changes.range) return s.setMessage('no commit selected'), true;
        return s.openLog({ kind: 'diff', sessionId: changes.source.sessionId, cwd: changes.range.cwd, sha: c.sha }, `commit ${c.short} ${c.subject}`), true;
      }
      case 'back':
        return set({ view: changes.back, changes: null }), true;
      case 'changes':
        return true;
      default:
        break;
    }
  }
  if (action === 'log') return openLogFor(s), true;
  if (action === 'changes') return openChangesFor(s), true;
  if (action === 'dlq') return openDlq(s, set, get), true;
  return false;
}

/** Typing a log search: Enter finds the first match from the top of the view, Esc cancels. */
export function logSearchKey(s: DashboardState, name: string, isText: (n: string) => boolean): void {
  const log = s.log!;
  if (name === 'return') {
    s.patchLog({ searchEditing: false, match: null });
    return s.perform('nextMatch');
  }
  if (name === 'escape') return s.patchLog({ searchEditing: false, search: '' });
  if (name === 'backspace') return s.patchLog({ search: [...log.search].slice(0, -1).join('') });
  if (isText(name)) s.patchLog({ search: log.search + name });
}
