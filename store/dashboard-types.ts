/** The dashboard store's shape: its data and its actions (store/dashboard.ts implements them). */
import type { StoreApi } from 'zustand/vanilla';
import type { DashboardControl } from '../src/control/dashboard-control.js';
import type { CommitInfo, FileStat } from '../src/git/log-parse.js';
import type { DlqItem, JobEvent, JobState, WorkItemState } from '../src/mapreduce/job-types.js';
import type { ChangeRange, ChangeSource } from '../src/tui/changes-view.js';
import type { UnifiedSession } from '../src/session/types.js';
import type { ActionName } from '../src/tui/keys.js';
import type { Size } from '../src/tui/layout.js';
import type { SortKey, StatusFilter } from '../src/tui/session-list.js';

export type ViewName = 'list' | 'detail' | 'dlq' | 'log' | 'changes';

/** What a log view shows (src/tui/log-view.ts turns each into lines). */
export type LogSource =
  | { kind: 'session'; sessionId: string }
  | { kind: 'step'; sessionId: string; index: number }
  | { kind: 'item'; sessionId: string; jobId: string; itemId: string }
  | { kind: 'dlqItem'; sessionId: string; item: DlqItem }
  /** One commit's diff (Enter in the changes view), read with git in `cwd`. */
  | { kind: 'diff'; sessionId: string; cwd: string; sha: string };

/** `l` (and Enter on a dead item): a scrollable, searchable full log. */
export interface LogView {
  source: LogSource;
  title: string;
  lines: string[];
  /** The first line shown (ignored while following). */
  top: number;
  /** `G`: stay at the end while the log grows. */
  follow: boolean;
  search: string;
  searchEditing: boolean;
  /** The line the last search found (highlighted), or null. */
  match: number | null;
  /** A file $PAGER can open whole (the session log), when there is one. */
  file: string | null;
  /** Where Esc goes back to. */
  back: ViewName;
  loaded: boolean;
}

/** What store/changes-feed.ts read for the open changes view. */
export interface ChangesPatch {
  range: ChangeRange | null;
  commits: CommitInfo[];
  /** More commits than were listed (the newest are). */
  more: boolean;
  files: FileStat[];
  /** Why there is nothing to list (ran in place, branch gone, git missing, ...), or null. */
  problem: string | null;
}

/** `d`: the commits of a run or an agent, and the range's diffstat. */
export interface ChangesView extends ChangesPatch {
  source: ChangeSource;
  title: string;
  /** Commit shas, in the table's order (the cursor follows one). */
  ids: string[];
  cursor: number;
  selectedId: string | null;
  loaded: boolean;
  /** Where Esc goes back to. */
  back: ViewName;
}

/** `D`: the dead items of the open MapReduce job. */
export interface DlqView {
  sessionId: string;
  jobId: string;
  items: DlqItem[];
  ids: string[];
  cursor: number;
  selectedId: string | null;
  loaded: boolean;
  problem: string | null;
}

export interface Banner {
  text: string;
  tone?: 'info' | 'warn' | 'error';
  /** The session a resume banner offers: the banner goes when it is no longer interrupted. */
  sessionId?: string;
}

/** A question on the status line; `y` or Enter runs onYes, `n` or Esc runs onNo, `keys` adds choices. */
export interface Confirm {
  prompt: string;
  onYes: () => void;
  onNo?: () => void;
  /** What the keys do, shown after the prompt (default: y/Enter yes · n/Esc no). */
  hint?: string;
  keys?: Record<string, () => void>;
  kind?: 'resume' | 'interrupt' | 'quit' | 'retry';
}

/** A run this dashboard started (`r`), or the run a `prodigy run` view belongs to. */
export interface StartedRun {
  pid: number;
  live: boolean;
  /** Ctrl+C was sent once already (the next one makes the run quit at once). */
  stopping: boolean;
  exitCode: number | null;
}

/** Runs started and stopped from the dashboard (store/dashboard-control-flow.ts). */
export interface RunControlData {
  /** Starts and stops runs (r, x, the quit prompt); null where the dashboard only watches. */
  control: DashboardControl | null;
  started: Record<string, StartedRun>;
  /** `prodigy run`'s live view: the session of the run it shows (Ctrl+C interrupts it; its end closes the view). */
  ownRun: string | null;
}

export interface RunControlActions {
  runStarted(id: string, pid: number): void;
  runStopping(id: string): void;
  /** A started run's process ended (code null: killed by a signal); `lastLine` is its log's last line. */
  runEnded(id: string, code: number | null, lastLine: string | null): void;
}

/** The MapReduce job behind the open session, as last read from its files. */
export interface JobView {
  sessionId: string;
  jobId: string;
  /** The <repo> folder of its files; null until found (or when it cannot be). */
  repo: string | null;
  /** The search for the job's folder has finished (repo null then means: not found). */
  resolved: boolean;
  state: JobState | null;
  /** state.items in the agent table's order, computed once per read (not per frame). */
  ordered: WorkItemState[];
  /** Their ids, in the same order (the agent cursor follows an id through them). */
  orderedIds: string[];
  events: JobEvent[];
  dlqCount: number;
  problem: string | null;
}

export interface DashboardData {
  home: string;
  /** This repository's root: its sessions are listed first. null outside a repository. */
  repoPath: string | null;
  /** --all: one list over every repository, no grouping. */
  all: boolean;
  color: boolean;
  sessions: Record<string, UnifiedSession>;
  /** Owner liveness per session id (undefined: cannot be known). */
  alive: Record<string, boolean | undefined>;
  /** Files that did not parse: path -> reason (they are left untouched). */
  problems: Record<string, string>;
  loaded: boolean;
  /** Start-up streaming (store/session-loader.ts): files read so far of all; null once every file is in. */
  loading: { done: number; total: number } | null;
  /** The ids the list shows, in order (filter + sort applied). */
  ids: string[];
  cursor: number;
  selectedId: string | null;
  view: ViewName;
  /** The session the detail view shows. */
  openId: string | null;
  help: boolean;
  filterText: string;
  filterEditing: boolean;
  statusFilter: StatusFilter;
  sort: SortKey;
  /** Detail views have two panes (steps/output, agents/events); Tab switches. */
  /** 0 agents (or steps), 1 events, 2 workers (a MapReduce job on queue workers). */
  pane: 0 | 1 | 2;
  detailCursor: [number, number];
  /** The agent table's selected item: the cursor follows it as rows move (src/tui/selection.ts). */
  agentSelected: string | null;
  /** The workers pane's cursor and the worker it is on (followed as workers come and go). */
  workerCursor: number;
  workerSelected: string | null;
  /** `S`: the sort order reversed. */
  sortReverse: boolean;
  /** Puts text on the terminal's clipboard (OSC 52); set by the component that owns the terminal. */
  clipboard: ((text: string) => void) | null;
  job: JobView | null;
  log: LogView | null;
  dlq: DlqView | null;
  changes: ChangesView | null;
  /** Opens a file or text in $PAGER, the dashboard suspended meanwhile (set by runDashboard). */
  pager: ((o: { file?: string; text?: string }) => void) | null;
  now: number;
  size: Size;
  message: string | null;
  /** A banner set by the caller (it wins over the resume offer). */
  banner: Banner | null;
  /** Show the resume offer: this repository's last interrupted session, recomputed from the live state. */
  offerResume: boolean;
  /** Each known session's git-style short id, unique among them (src/view/short-id.ts). */
  short: ReadonlyMap<string, string>;
  confirm: Confirm | null;
  quitRequested: boolean;
}

export interface DashboardActions {
  sessionsLoaded(sessions: UnifiedSession[], alive: Record<string, boolean | undefined>, problems?: Record<string, string>): void;
  /**
   * A batch of the start-up read: adds the sessions not in the store yet (one the watcher already read is
   * newer than the batch's copy) and records progress; `loaded` from the first batch on.
   */
  sessionsStreamed(sessions: UnifiedSession[], alive: Record<string, boolean | undefined>, problems: Record<string, string>, progress: { done: number; total: number }): void;
  /** Changed or new sessions, removed ids, and files that failed (path -> reason) or recovered (null). */
  sessionsChanged(changed: UnifiedSession[], removed: string[], alive: Record<string, boolean | undefined>, problems?: Record<string, string | null>): void;
  aliveChanged(alive: Record<string, boolean | undefined>): void;
  jobLoaded(patch: Partial<Omit<JobView, 'sessionId' | 'jobId' | 'ordered' | 'orderedIds'>>): void;
  tick(now: number): void;
  resize(columns: number | undefined, rows: number | undefined): void;
  /** One key press by name (src/tui/keys.ts `keyName`): prompts and the filter line take it first. */
  key(name: string): void;
  perform(action: ActionName): void;
  openSession(id: string): void;
  back(): void;
  setFilterText(text: string): void;
  setFilterEditing(editing: boolean): void;
  setMessage(text: string | null): void;
  setBanner(banner: Banner | null): void;
  setOfferResume(on: boolean): void;
  openLog(source: LogSource, title: string, file?: string | null): void;
  logLoaded(lines: string[]): void;
  patchLog(patch: Partial<LogView>): void;
  dlqLoaded(items: DlqItem[], problem: string | null): void;
  openChanges(source: ChangeSource, title: string): void;
  /** Ignored unless `source` is still the one the changes view shows. */
  changesLoaded(source: ChangeSource, patch: ChangesPatch): void;
  setPager(pager: DashboardData['pager']): void;
  setClipboard(clipboard: ((text: string) => void) | null): void;
  /** Puts `text` on the clipboard (OSC 52) and says so on the status line. */
  copy(text: string, what: string): void;
  ask(confirm: Confirm | null): void;
  answer(yes: boolean): void;
  requestQuit(): void;
}

export type DashboardState = DashboardData & DashboardActions & RunControlData & RunControlActions;
export type DashboardStore = StoreApi<DashboardState>;
