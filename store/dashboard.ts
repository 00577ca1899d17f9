/**
 * The dashboard's state: a vanilla zustand store with actions. The feed (dashboard-feed.ts) fills it from
 * disk; components read it through selectors and call its actions; keys reach it through `key(name)`
 * (dashboard-keys.ts). Nothing here touches the disk or the terminal, so it is tested without either.
 */
import { nextPane, workerIds } from '../src/tui/queue-view.js';
import { createStore } from 'zustand/vanilla';
import type { UnifiedSession } from '../src/session/types.js';
import { isMapReduce } from '../src/view/format.js';
import { type Size, clampCursor, listHeight, normalizeSize } from '../src/tui/layout.js';
import type { DashboardData, DashboardState, DashboardStore, JobView } from './dashboard-types.js';
import { jobIdOf, orderItems } from '../src/tui/mapreduce-view.js';
import { follow, moveSelection } from '../src/tui/selection.js';
import { copyAction } from './dashboard-copy.js';
import { performView, viewsSlice } from './dashboard-views.js';
import { askRetryDlq } from './dashboard-control-flow.js';
import { SORT_KEYS, STATUS_FILTERS, visibleIds } from '../src/tui/session-list.js';
import { workflowSteps } from '../src/tui/workflow-steps.js';
import { routeKey } from './dashboard-keys.js';
import type { DashboardControl } from '../src/control/dashboard-control.js';
import { askInterrupt, askQuit, askResume, runControlSlice } from './dashboard-control-flow.js';
import { shortIds } from '../src/view/short-id.js';

export type { Banner, Confirm, DashboardActions, DashboardData, DashboardState, DashboardStore, JobView, ViewName } from './dashboard-types.js';

export interface DashboardOptions {
  home: string;
  repoPath?: string | null;
  all?: boolean;
  color?: boolean;
  now?: number;
  size?: Size;
  control?: DashboardControl | null;
  /** The run a `prodigy run` view belongs to, already started. */
  ownRun?: { id: string; pid: number };
  /** Show the live resume offer banner (`prodigy tui`). */
  offerResume?: boolean;
}

/** Short ids are recomputed only when the set of ids changes, not on every session update. */
function withShort(prev: ReadonlyMap<string, string>, sessions: Record<string, UnifiedSession>): ReadonlyMap<string, string> {
  const ids = Object.keys(sessions);
  if (ids.length === prev.size && ids.every((id) => prev.has(id))) return prev;
  return shortIds(ids);
}

function withIds(s: DashboardData, patch: Partial<DashboardData>): Partial<DashboardData> {
  const next = { ...s, ...patch };
  const ids = visibleIds(next.sessions, next.alive, {
    text: next.filterText,
    status: next.statusFilter,
    sort: next.sort,
    reverse: next.sortReverse,
    repoPath: next.repoPath,
    all: next.all,
  });
  // The cursor follows the selected session when rows move; if it vanished, it keeps its row number.
  return { ...patch, ids, ...follow(ids, next.selectedId, next.cursor) };
}

function jobFor(s: UnifiedSession | undefined): JobView | null {
  if (!s || !isMapReduce(s)) return null;
  const jobId = jobIdOf(s);
  if (!jobId) return null;
  return { sessionId: s.id, jobId, repo: null, resolved: false, state: null, ordered: [], orderedIds: [], events: [], dlqCount: 0, problem: null };
}

/** Rows in the focused detail pane, for cursor limits. */
function paneRows(s: DashboardData): number {
  const open = s.openId ? s.sessions[s.openId] : undefined;
  if (!open) return 0;
  if (s.job) return s.pane === 0 ? s.job.ordered.length : s.job.events.length;
  return s.pane === 0 ? workflowSteps(open, s.alive[open.id] === false, s.now).length : 0;
}

export function createDashboardStore(o: DashboardOptions): DashboardStore {
  return createStore<DashboardState>()((set, get) => {
    const moveBy = (delta: number) => {
      const s = get();
      if (s.view === 'list') {
        set(moveSelection(s.ids, s.cursor, delta));
      } else if (s.pane === 2) {
        const m = moveSelection(workerIds(s.job?.state?.queue), s.workerCursor, delta);
        set({ workerCursor: m.cursor, workerSelected: m.selectedId });
      } else if (s.job && s.pane === 0) {
        const m = moveSelection(s.job.orderedIds, s.detailCursor[0], delta);
        set({ detailCursor: [m.cursor, s.detailCursor[1]], agentSelected: m.selectedId });
      } else {
        const dc: [number, number] = [...s.detailCursor];
        dc[s.pane] = clampCursor(dc[s.pane], delta, paneRows(s));
        set({ detailCursor: dc });
      }
    };
    const page = () => listHeight(get().size);
    const cycle = <T>(list: readonly T[], v: T) => list[(list.indexOf(v) + 1) % list.length]!;
    return {
      home: o.home,
      repoPath: o.repoPath ?? null,
      all: o.all ?? false,
      color: o.color ?? true,
      sessions: {},
      alive: {},
      problems: {},
      loaded: false,
      loading: null,
      ids: [],
      cursor: 0,
      selectedId: null,
      view: 'list',
      openId: null,
      help: false,
      filterText: '',
      filterEditing: false,
      statusFilter: 'all',
      sort: 'started',
      pane: 0,
      detailCursor: [0, 0],
      agentSelected: null,
      workerCursor: 0,
      workerSelected: null,
      sortReverse: false,
      clipboard: null,
      job: null,
      now: o.now ?? Date.now(),
      size: o.size ?? normalizeSize(undefined, undefined),
      message: null,
      banner: null,
      offerResume: o.offerResume ?? false,
      short: new Map(),
      confirm: null,
      quitRequested: false,
      ...runControlSlice(set, get, o),
      ...viewsSlice(set),

      sessionsLoaded(list, alive, problems = {}) {
        const sessions: Record<string, UnifiedSession> = {};
        for (const s of list) sessions[s.id] = s;
        set((s) => withIds(s, { sessions, alive: { ...alive }, problems: { ...problems }, loaded: true, loading: null, short: withShort(s.short, sessions) }));
      },
      sessionsStreamed(batch, alive, problems, progress) {
        set((s) => {
          const sessions = { ...s.sessions };
          const nextAlive = { ...s.alive };
          for (const x of batch) {
            if (sessions[x.id]) continue;
            sessions[x.id] = x;
            nextAlive[x.id] = alive[x.id];
          }
          const loading = progress.done < progress.total ? { ...progress } : null;
          return withIds(s, { sessions, alive: nextAlive, problems: { ...s.problems, ...problems }, loaded: true, loading, short: withShort(s.short, sessions) });
        });
      },
      sessionsChanged(changed, removed, alive, problems = {}) {
        set((s) => {
          const sessions = { ...s.sessions };
          const nextAlive = { ...s.alive, ...alive };
          for (const c of changed) sessions[c.id] = c;
          for (const id of removed) {
            delete sessions[id];
            delete nextAlive[id];
          }
          const nextProblems = { ...s.problems };
          for (const [file, reason] of Object.entries(problems)) {
            if (reason === null) delete nextProblems[file];
            else nextProblems[file] = reason;
          }
          return withIds(s, { sessions, alive: nextAlive, problems: nextProblems, short: withShort(s.short, sessions) });
        });
      },
      aliveChanged(alive) {
        set((s) => withIds(s, { alive: { ...s.alive, ...alive } }));
      },
      jobLoaded(patch) {
        set((s) => {
          if (!s.job) return {};
          if (patch.state === undefined) return { job: { ...s.job, ...patch } };
          const ordered = patch.state ? orderItems(patch.state.items) : [];
          const orderedIds = ordered.map((it) => it.id);
          // The agent cursor stays on its item however the rows reorder (running first, then the rest).
          const sel = follow(orderedIds, s.agentSelected, s.detailCursor[0]);
          // So does the workers pane's, on its worker, as workers come and go.
          const w = follow(workerIds(patch.state?.queue), s.workerSelected, s.workerCursor);
          return { job: { ...s.job, ...patch, ordered, orderedIds }, detailCursor: [sel.cursor, s.detailCursor[1]], agentSelected: sel.selectedId, workerCursor: w.cursor, workerSelected: w.selectedId };
        });
      },
      tick(now) {
        set({ now });
      },
      resize(columns, rows) {
        set({ size: normalizeSize(columns, rows) });
      },
      key(name) {
        // A message answers the last key; the next key clears it (and may set a new one).
        if (get().message !== null && get().confirm === null) set({ message: null });
        routeKey(get(), name);
      },
      perform(action) {
        const s = get();
        if (performView(s, action, set, get)) return;
        switch (action) {
          case 'up':
            return moveBy(-1);
          case 'down':
            return moveBy(1);
          case 'pageUp':
            return moveBy(-page());
          case 'pageDown':
            return moveBy(page());
          case 'top':
            return moveBy(-Number.MAX_SAFE_INTEGER);
          case 'bottom':
            return moveBy(Number.MAX_SAFE_INTEGER);
          case 'open':
            if (s.view === 'list' && s.selectedId) s.openSession(s.selectedId);
            return;
          case 'back':
            return s.back();
          case 'switchPane':
            return set({ pane: nextPane(s.pane, Boolean(s.job?.state?.queue)) });
          case 'filter':
            return set({ filterEditing: true, help: false });
          case 'cycleStatus':
            return set((x) => withIds(x, { statusFilter: cycle(STATUS_FILTERS, x.statusFilter) }));
          case 'cycleSort':
            return set((x) => withIds(x, { sort: cycle(SORT_KEYS, x.sort) }));
          case 'reverseSort':
            return set((x) => withIds(x, { sortReverse: !x.sortReverse }));
          case 'copyId':
          case 'copyResume':
            return copyAction(s, action);
          case 'retryDlq':
            return askRetryDlq(s);
          default:
            return;
          case 'help':
            return set({ help: !s.help });
          case 'resume':
            return askResume(s);
          case 'interrupt':
            return askInterrupt(s);
          case 'quit':
            return askQuit(s);
        }
      },
      openSession(id) {
        set((s) => ({
          ...withIds(s, { selectedId: id }),
          view: 'detail',
          openId: id,
          help: false,
          pane: 0,
          detailCursor: [0, 0],
          agentSelected: null,
          workerCursor: 0,
          workerSelected: null,
          // Opening the session that is already open (a resume from its own view) keeps what was read of
          // its job: a fresh, empty job view would show DLQ 0 until a file changed.
          job: s.job?.sessionId === id ? s.job : jobFor(s.sessions[id]),
        }));
      },
      back() {
        const s = get();
        if (s.help) return set({ help: false });
        if (s.view !== 'list') return set({ view: 'list', openId: null, job: null, pane: 0, log: null, dlq: null, changes: null });
        // In the list, Esc clears what narrows it.
        if (s.filterText !== '' || s.statusFilter !== 'all') set((x) => withIds(x, { filterText: '', statusFilter: 'all' }));
      },
      setFilterText(text) {
        set((s) => withIds(s, { filterText: text }));
      },
      setFilterEditing(editing) {
        set({ filterEditing: editing });
      },
      setMessage(text) {
        set({ message: text });
      },
      setBanner(banner) {
        set({ banner });
      },
      setOfferResume(on) {
        set({ offerResume: on });
      },
      setClipboard(clipboard) {
        set({ clipboard });
      },
      copy(text, what) {
        const clipboard = get().clipboard;
        if (!clipboard) return set({ message: 'copy needs a terminal' });
        clipboard(text);
        set({ message: `Copied ${what}: ${text}` });
      },
      ask(confirm) {
        set({ confirm });
      },
      answer(yes) {
        const c = get().confirm;
        if (!c) return;
        set({ confirm: null });
        if (yes) c.onYes();
        else c.onNo?.();
      },
      requestQuit() {
        set({ quitRequested: true, confirm: null });
      },
    };
  });
}
