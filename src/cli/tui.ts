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

async function plainListing(home: string, repoPath: string | null, all: boolean): Promise<void> {
  const manager = new UnifiedSessionManager(home);
  const { sessions, problems } = await manager.list();
  for (const p of problems) process.stderr.write(`prodigy: skipped ${p.file}: ${p.reason} (file left unchanged)\n`);
  if (sessions.length === 0) {
    process.stdout.write('No sessions.\n');
    return;
  }
  const byId = Object.fromEntries(sessions.map((s) => [s.id, s]));
  const alive = Object.fromEntries(sessions.map((s) => [s.id, manager.ownerAlive(s)]));
  const ids = visibleIds(byId, alive, { text: '', status: 'all', sort: 'started', repoPath, all });
  const lines = sessionTable(ids.map((id) => byId[id]!), (s) => manager.isInterrupted(s), Date.now(), outputWidth(), sessions.map((s) => s.id));
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function tui(cmd: Command): Promise<void> {
  const o = cmd.opts<{ all?: boolean }>();
  const home = existingHomeOf(cmd);
  const repoPath = findRepoRoot(process.cwd());
  if (!process.stdout.isTTY || !process.stdin.isTTY) return plainListing(home, repoPath, Boolean(o.all));
  // Read the store while Ink and React load: the two overlap, and the first frame comes sooner.
  const listing = new UnifiedSessionManager(home).store.list();
  listing.catch(() => {}); // reported by runDashboard when it awaits it
  const [{ runDashboard }, { createDashboardControl }] = await Promise.all([import('./tui-app.js'), import('../control/dashboard-control.js')]);
  await runDashboard({
    home,
    all: Boolean(o.all),
    repoPath,
    color: !process.env.NO_COLOR,
    listing,
    control: createDashboardControl(home, { cwd: process.cwd() }),
    offerResume: true,
  });
}

export function registerTui(program: Command): void {
  program
    .command('tui')
    .description('the live dashboard: sessions, workflow steps, MapReduce agents (plain table when not a terminal)')
    .option('--all', "every repository's sessions in one list (default: this repository's first, others after, marked ◦)")
    .action((_o, cmd: Command) => tui(cmd));
}
