/**
 * `runDashboard`: the dashboard's imperative shell. Reads the newest screenful of sessions before the
 * first frame and streams the rest in after it (store/session-loader.ts),
 * starts the feed (watchers + the 1 s tick), draws in the alternate screen, and always restores the
 * terminal — on `q`, Ctrl+C, SIGINT/SIGTERM/SIGHUP and on errors. Only this file (and what it imports) loads
 * Ink and React; the CLI reaches it through a dynamic import.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { render } from 'ink';
import { Dashboard } from '../../components/Dashboard.js';
import { type DashboardStore, createDashboardStore } from '../../store/dashboard.js';
import { loadAll, startFeed } from '../../store/dashboard-feed.js';
import { type FirstPage, firstPageSize, readFirstPage, showFirstPage, streamRest } from '../../store/session-loader.js';
import type { DashboardControl } from '../control/dashboard-control.js';
import { UnifiedSessionManager } from '../session/manager.js';
import { holdKeys } from './hold-keys.js';
import { quitSummary } from '../../store/quit-summary.js';
import type { SessionListing } from '../storage/session-store.js';

export interface RunDashboardOptions {
  home: string;
  /** Open this session's detail view first (`prodigy run` shows its own run live). */
  focus?: string;
  /** One list over every repository (no "this repository first" grouping). */
  all?: boolean;
  /** This repository's root; its sessions are listed first. */
  repoPath?: string | null;
  color?: boolean;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** Starts and stops runs for r, x and the quit prompt (none: the dashboard only watches). */
  control?: DashboardControl;
  /** Offer this repository's last interrupted session in a banner at start. */
  offerResume?: boolean;
  /** `prodigy run`'s view: the run it belongs to (Ctrl+C and SIGINT interrupt it; its end closes the view). */
  ownRun?: { id: string; pid: number };
  /** The first screen's sessions, when the caller started reading them already (overlapping the Ink import). */
  firstPage?: Promise<FirstPage>;
  /** Print the one-line summary (running / paused / failed, the last interrupted run's resume command) on quit. */
  summary?: boolean;
  /** Called once the first screen is in the store and before the first frame: the seam for banners, prompts, actions. */
  onStart?: (store: DashboardStore) => void | (() => void);
}

/**
 * `o` in the log view: the dashboard steps aside (main screen, cooked mode) while $PAGER (default less)
 * shows the file; spawnSync blocks the event loop, so nothing of ours reads the keys meanwhile. Then the
 * alternate screen comes back, cleared and homed, and the next frame is drawn whole.
 */
function makePager(store: DashboardStore, stdout: NodeJS.WriteStream, stdin: NodeJS.ReadStream) {
  let n = 0;
  return (o: { file?: string; text?: string }) => {
    let file = o.file;
    let temp: string | null = null;
    if (!file) {
      temp = path.join(os.tmpdir(), `prodigy-log-${process.pid}-${n++}.txt`);
      fs.writeFileSync(temp, o.text ?? '');
      file = temp;
    }
    const pager = process.env.PAGER || 'less';
    stdout.write(SHOW_CURSOR + LEAVE_ALT);
    if (stdin.isTTY) stdin.setRawMode(false);
    const r = spawnSync('sh', ['-c', `${pager} "$1"`, 'pager', file], { stdio: 'inherit' });
    if (stdin.isTTY) stdin.setRawMode(true);
    stdout.write(`${ENTER_ALT}\x1b[H\x1b[2J`);
    if (temp) fs.rmSync(temp, { force: true });
    store.getState().setMessage(r.error ? `could not run ${pager}: ${r.error.message}` : `back from ${pager}`);
  };
}

const ENTER_ALT = '\x1b[?1049h';
const LEAVE_ALT = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

/**
 * Resolves (with the store) when the user quits; the terminal is back to how it was. Call it only when
 * stdin and stdout are terminals — `prodigy tui` prints the plain table otherwise.
 */
export async function runDashboard(o: RunDashboardOptions): Promise<{ store: DashboardStore; signal: NodeJS.Signals | null }> {
  const stdout = o.stdout ?? process.stdout;
  const stdin = o.stdin ?? process.stdin;
  const store = createDashboardStore({
    home: o.home,
    repoPath: o.repoPath ?? null,
    all: o.all ?? false,
    color: o.color ?? !process.env.NO_COLOR,
    size: { columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 },
    control: o.control,
    ownRun: o.ownRun,
    offerResume: o.offerResume,
  });
  const manager = new UnifiedSessionManager(o.home);
  // O(screen) before the first frame: the newest screenful now, the rest streamed in after it is drawn.
  const page = await (o.firstPage ?? readFirstPage(manager, firstPageSize(store.getState().size), o.focus ? [o.focus] : []));
  showFirstPage(store, manager, page);
  const focus = o.focus;
  let stopWaiting = () => {};
  if (focus) {
    if (store.getState().sessions[focus]) store.getState().openSession(focus);
    else {
      // A run just started may not have written its session yet: open it the moment it appears.
      store.getState().setMessage(`waiting for ${focus}…`);
      stopWaiting = store.subscribe((st) => {
        if (!st.sessions[focus]) return;
        stopWaiting();
        st.setMessage(null);
        st.openSession(focus);
      });
    }
  }
  const feed = startFeed(store);
  let streaming: { stop(): void } = { stop() {} };
  store.getState().setPager(makePager(store, stdout, stdin));
  const cleanupStart = o.onStart?.(store);

  let quitBy: NodeJS.Signals | null = null;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.write(SHOW_CURSOR + LEAVE_ALT);
  };
  // SIGINT from outside acts like Ctrl+C (in a run's view it interrupts the run); the others quit.
  const quit = (sig: NodeJS.Signals) => {
    if (sig === 'SIGINT') return store.getState().key('ctrl-c');
    quitBy = sig;
    store.getState().requestQuit();
  };
  // Last resort: whatever happens, never leave the user in the alternate screen.
  process.once('exit', restore);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, quit);

  // Raw before the first frame: Ink turns raw mode on only in an effect after it has drawn, and a key
  // pressed in between would be cooked (echoed, Enter read as "\n" and lost).
  holdKeys(stdin);
  stdout.write(ENTER_ALT);
  try {
    const app = render(<Dashboard store={store} />, {
      stdout,
      stdin,
      exitOnCtrlC: false, // Ctrl+C goes through the key table (quit), so the same cleanup runs
      patchConsole: false,
      maxFps: 10,
      incrementalRendering: false,
    });
    streaming = streamRest(store, manager, page);
    await app.waitUntilExit();
    app.cleanup();
  } finally {
    streaming.stop();
    feed.stop();
    stopWaiting();
    if (typeof cleanupStart === 'function') cleanupStart();
    for (const sig of signals) process.off(sig, quit);
    process.off('exit', restore);
    restore();
  }
  // The terminal is ours again: say what is left behind (a run's own view prints its own closing lines).
  if (o.summary) stdout.write(`${quitSummary(store.getState())}\n`);
  return { store, signal: quitBy };
}

/**
 * `prodigy tui --once`: the dashboard's first screen, drawn by the same components into a terminal of
 * `size` that is not there, printed as plain text (no colour, no cursor movement), then exit.
 */
export async function renderOnce(o: { home: string; all?: boolean; repoPath?: string | null; size: { columns: number; rows: number }; listing?: Promise<SessionListing> }): Promise<string> {
  const store = createDashboardStore({ home: o.home, repoPath: o.repoPath ?? null, all: o.all ?? false, color: false, size: o.size, offerResume: true });
  const manager = new UnifiedSessionManager(o.home);
  await loadAll(store, manager, o.listing ?? manager.store.list());
  const frames: string[] = [];
  const out = Object.assign(new EventEmitter(), {
    columns: o.size.columns,
    rows: o.size.rows,
    isTTY: false,
    write: (chunk: string) => {
      frames.push(chunk);
      return true;
    },
  }) as unknown as NodeJS.WriteStream;
  const inp = Object.assign(new PassThrough(), { isTTY: false, setRawMode: () => {}, ref: () => {}, unref: () => {} }) as unknown as NodeJS.ReadStream;
  const app = render(<Dashboard store={store} />, { stdout: out, stdin: inp, debug: true, patchConsole: false, exitOnCtrlC: false });
  // A frame with the table (or the empty-store line) is the screen a user would see first.
  for (let i = 0; i < 200 && !frames.some((f) => /STATUS|No sessions/.test(f)); i++) await new Promise((r) => setTimeout(r, 5));
  app.unmount();
  const screen = [...frames].reverse().find((f) => /STATUS|No sessions/.test(f)) ?? frames.at(-1) ?? '';
  // The screen's lines without the blank filler between the table and the status line.
  const text = screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split('\n').map((l) => l.trimEnd());
  return `${text.filter((l) => l !== '').join('\n')}\n`;
}
