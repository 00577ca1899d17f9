/**
 * `runDashboard`: the dashboard's imperative shell. Loads the store from disk before the first frame,
 * starts the feed (watchers + the 1 s tick), draws in the alternate screen, and always restores the
 * terminal — on `q`, Ctrl+C, SIGINT/SIGTERM/SIGHUP and on errors. Only this file (and what it imports) loads
 * Ink and React; the CLI reaches it through a dynamic import.
 */
import { render } from 'ink';
import { Dashboard } from '../../components/Dashboard.js';
import { type DashboardStore, createDashboardStore } from '../../store/dashboard.js';
import { loadAll, startFeed } from '../../store/dashboard-feed.js';
import type { DashboardControl } from '../control/dashboard-control.js';
import { UnifiedSessionManager } from '../session/manager.js';
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
  /** The store's listing, when the caller started reading it already (overlapping the Ink import). */
  listing?: Promise<SessionListing>;
  /** Called once the store is loaded and before the first frame: the seam for banners, prompts, actions. */
  onStart?: (store: DashboardStore) => void | (() => void);
}

const ENTER_ALT = '\x1b[?1049h';
const LEAVE_ALT = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

/**
 * Resolves (with the store) when the user quits; the terminal is back to how it was. Call it only when
 * stdin and stdout are terminals — `prodigy tui` prints the plain table otherwise.
 */
export async function runDashboard(o: RunDashboardOptions): Promise<DashboardStore> {
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
  await loadAll(store, manager, o.listing ?? manager.store.list());
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
  const cleanupStart = o.onStart?.(store);

  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.write(SHOW_CURSOR + LEAVE_ALT);
  };
  // SIGINT from outside acts like Ctrl+C (in a run's view it interrupts the run); the others quit.
  const quit = (sig: NodeJS.Signals) => (sig === 'SIGINT' ? store.getState().key('ctrl-c') : store.getState().requestQuit());
  // Last resort: whatever happens, never leave the user in the alternate screen.
  process.once('exit', restore);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, quit);

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
    await app.waitUntilExit();
    app.cleanup();
  } finally {
    feed.stop();
    stopWaiting();
    if (typeof cleanupStart === 'function') cleanupStart();
    for (const sig of signals) process.off(sig, quit);
    process.off('exit', restore);
    restore();
  }
  return store;
}
