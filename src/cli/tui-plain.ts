/**
 * `prodigy tui --plain` (and TERM=dumb): the dashboard as lines for screen readers and dumb terminals —
 * the sessions table once, then one line per change of a session's status or progress, never a cursor
 * movement. Ctrl+C, SIGTERM or `q` + Enter ends it with the same summary line as the dashboard.
 */
import readline from 'node:readline';
import { UnifiedSessionManager } from '../session/manager.js';
import { listStatus } from '../tui/session-list.js';
import { progressText } from '../view/progress-text.js';
import { sessionName } from '../view/format.js';
import { safeLine } from '../view/safe-text.js';
import { shortOf } from '../view/short-id.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { loadAll, startFeed } from '../../store/dashboard-feed.js';
import { quitSummary } from '../../store/quit-summary.js';
import type { DashboardState } from '../../store/dashboard-types.js';

/** Pure: "12:01:03 2f6c1a9 demo: Running → Paused (step 3/7)" for each session whose line changed. */
export function changeLines(prev: Map<string, string>, s: Pick<DashboardState, 'sessions' | 'alive' | 'short'>, now: Date): string[] {
  const out: string[] = [];
  const time = now.toISOString().slice(11, 19);
  for (const x of Object.values(s.sessions)) {
    const st = listStatus(x, s.alive[x.id]);
    const key = `${st} (${progressText(x)})`;
    const before = prev.get(x.id);
    if (before === key) continue;
    prev.set(x.id, key);
    out.push(`${time} ${shortOf(s.short, x.id)} ${safeLine(sessionName(x))}: ${before ? `${before.split(' (')[0]} → ` : 'new, '}${key}`);
  }
  return out;
}

export async function runPlain(o: { home: string; repoPath: string | null; all: boolean; header: string }): Promise<NodeJS.Signals | null> {
  const store = createDashboardStore({ home: o.home, repoPath: o.repoPath, all: o.all, color: false });
  await loadAll(store, new UnifiedSessionManager(o.home));
  process.stdout.write(o.header);
  const seen = new Map<string, string>();
  changeLines(seen, store.getState(), new Date());
  const feed = startFeed(store);
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.sessions === prev.sessions && s.alive === prev.alive) return;
    for (const l of changeLines(seen, s, new Date())) process.stdout.write(`${l}\n`);
  });
  let signal: NodeJS.Signals | null = null;
  await new Promise<void>((resolve) => {
    const rl = process.stdin.isTTY || process.stdin.readable ? readline.createInterface({ input: process.stdin }) : null;
    rl?.on('line', (l) => l.trim() === 'q' && done());
    const onSig = (sig: NodeJS.Signals) => {
      signal = sig === 'SIGINT' ? null : sig;
      done();
    };
    const done = () => {
      rl?.close();
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, onSig);
      resolve();
    };
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSig);
  });
  unsubscribe();
  feed.stop();
  process.stdout.write(`${quitSummary(store.getState())}\n`);
  return signal;
}
