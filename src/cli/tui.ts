/**
 * `prodigy tui`: the live dashboard. On a terminal it loads Ink lazily (tui-app.tsx) so every other
 * command, and this one when piped, starts without paying for React; when stdout or stdin is not a TTY
 * it prints the plain sessions table in the dashboard's order and exits 0.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UnifiedSessionManager } from '../session/manager.js';
import { visibleIds } from '../tui/session-list.js';
import { sessionTable } from '../view/session-rows.js';
import { existingHomeOf, outputWidth } from './context.js';
import { warnProblems } from './errors.js';
import { holdKeys } from './hold-keys.js';

/** The repository the user is in: the nearest folder upwards holding `.git`, else null. */
export function findRepoRoot(from: string): string | null {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

async function plainListing(home: string, repoPath: string | null, all: boolean): Promise<string> {
  const manager = new UnifiedSessionManager(home);
  const { sessions, problems } = await manager.list();
  warnProblems(problems);
  if (sessions.length === 0) return 'No sessions.\n';
  const byId = Object.fromEntries(sessions.map((s) => [s.id, s]));
  const alive = Object.fromEntries(sessions.map((s) => [s.id, manager.ownerAlive(s)]));
  const ids = visibleIds(byId, alive, { text: '', status: 'all', sort: 'started', repoPath, all });
  const lines = sessionTable(ids.map((id) => byId[id]!), (s) => manager.isInterrupted(s), Date.now(), outputWidth(), sessions.map((s) => s.id));
  return `${lines.join('\n')}\n`;
}

/** Exit codes of a dashboard ended by a signal: 128 + its number (SIGTERM 143, SIGHUP 129). */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGTERM: 143, SIGHUP: 129 };

interface TuiOptions {
  all?: boolean;
  once?: boolean;
  plain?: boolean;
}

async function tui(cmd: Command): Promise<void> {
  const o = cmd.opts<TuiOptions>();
  const home = existingHomeOf(cmd);
  const repoPath = findRepoRoot(process.cwd());
  const all = Boolean(o.all);
  if (o.once) {
    // The first screen as plain text, at the terminal's size (100x30 when not a terminal).
    const { renderOnce } = await import('./tui-app.js');
    const size = process.stdout.isTTY ? { columns: process.stdout.columns ?? 80, rows: process.stdout.rows ?? 24 } : { columns: 100, rows: 30 };
    process.stdout.write(await renderOnce({ home, all, repoPath, size }));
    return;
  }
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stdout.write(await plainListing(home, repoPath, all));
    return;
  }
  if (o.plain || process.env.TERM === 'dumb') {
    const { runPlain } = await import('./tui-plain.js');
    const signal = await runPlain({ home, repoPath, all, header: await plainListing(home, repoPath, all) });
    if (signal) process.exitCode = SIGNAL_EXIT[signal] ?? 1;
    return;
  }
  // Keys typed while the dashboard loads must reach it as keys: in the terminal's cooked mode they would be
  // echoed over the first frame and Enter would arrive as "\n", which Ink does not read as Return.
  const releaseKeys = holdKeys(process.stdin);
  // Read the first screen while Ink and React load: the two overlap, and the first frame comes sooner.
  const { firstPageSize, readFirstPage, terminalSize } = await import('../../store/session-loader.js');
  const firstPage = readFirstPage(new UnifiedSessionManager(home), firstPageSize(terminalSize(process.stdout)));
  firstPage.catch(() => {}); // reported by runDashboard when it awaits it
  const [{ runDashboard }, { createDashboardControl }] = await Promise.all([import('./tui-app.js'), import('../control/dashboard-control.js')]);
  const { signal } = await runDashboard({
    home,
    all,
    repoPath,
    color: !process.env.NO_COLOR,
    firstPage,
    control: createDashboardControl(home, { cwd: process.cwd() }),
    offerResume: true,
    summary: true,
  }).finally(releaseKeys);
  if (signal) process.exitCode = SIGNAL_EXIT[signal] ?? 1;
}

export function registerTui(program: Command): void {
  program
    .command('tui')
    .description('the live dashboard: sessions, workflow steps, MapReduce agents (plain table when not a terminal)')
    .option('--all', "every repository's sessions in one list (default: this repository's first, others after, marked ◦)")
    .option('--once', 'print the first screen as plain text and exit')
    .option('--plain', 'line mode: the table, then one line per change; no cursor movement (TERM=dumb selects it)')
    .action((_o, cmd: Command) => tui(cmd));
}
