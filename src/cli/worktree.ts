/**
 * `prodigy worktree ls | merge | clean`: the runs' git worktrees. A worktree of a live run is never
 * removed, and a branch that holds commits not merged anywhere is never deleted.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { branchExists, commitsAhead, deleteBranch, isMerged, removeWorktree } from '../git/repo.js';
import type { SessionWorktree } from '../git/session-worktree.js';
import { UnifiedSessionManager } from '../session/manager.js';
import type { UnifiedSession } from '../session/types.js';
import { renderTable } from '../view/table.js';
import { existingHomeOf, homeOf, outputWidth, printJson } from './context.js';
import { CliError, EXIT } from './errors.js';
import { mergeSession, worktreeOf } from './isolation.js';

export interface WorktreeRow {
  session_id: string;
  status: string;
  branch: string;
  path: string;
  base_branch: string;
  exists: boolean;
  commits_ahead: number | null;
  merged: boolean;
  live: boolean;
}

async function rowOf(manager: UnifiedSessionManager, s: UnifiedSession, wt: SessionWorktree): Promise<WorktreeRow> {
  const exists = fs.existsSync(wt.path);
  const repoThere = fs.existsSync(wt.repoTop);
  const hasBranch = repoThere && (await branchExists(wt.repoTop, wt.branch));
  const ahead = hasBranch ? await commitsAhead(wt.repoTop, wt.baseCommit, wt.branch).catch(() => null) : null;
  // Merged: its commits are in the base branch (or it had none), or the branch is gone after a merge.
  const merged = !hasBranch || ahead === 0 || (await isMerged(wt.repoTop, wt.branch, wt.baseBranch));
  const live = s.status === 'Running' && manager.ownerAlive(s) !== false;
  return { session_id: s.id, status: s.status, branch: wt.branch, path: wt.path, base_branch: wt.baseBranch, exists, commits_ahead: ahead, merged, live };
}

async function rows(home: string): Promise<{ rows: WorktreeRow[]; byId: Map<string, [UnifiedSession, SessionWorktree]> }> {
  const manager = new UnifiedSessionManager(home);
  const { sessions } = await manager.list();
  const byId = new Map<string, [UnifiedSession, SessionWorktree]>();
  const out: WorktreeRow[] = [];
  for (const s of sessions.sort((a, b) => a.started_at.localeCompare(b.started_at))) {
    const wt = worktreeOf(s);
    if (!wt) continue;
    byId.set(s.id, [s, wt]);
    out.push(await rowOf(manager, s, wt));
  }
  return { rows: out, byId };
}

async function ls(cmd: Command): Promise<void> {
  const o = cmd.opts<{ json?: boolean }>();
  const { rows: all } = await rows(existingHomeOf(cmd));
  const shown = all.filter((r) => r.exists || !r.merged);
  if (o.json) return printJson(shown);
  if (shown.length === 0) {
    process.stdout.write('No worktrees.\n');
    return;
  }
  const lines = renderTable(
    [{ header: 'SESSION' }, { header: 'STATUS' }, { header: 'BRANCH', flex: true, min: 12, dropOrder: 2 }, { header: 'AHEAD', align: 'right' }, { header: 'MERGED' }, { header: 'PATH', flex: true, min: 10, dropOrder: 1 }],
    shown.map((r) => [r.session_id, r.live ? 'Running' : r.status, r.branch, r.commits_ahead === null ? '-' : String(r.commits_ahead), r.merged ? 'yes' : 'no', r.exists ? r.path : `${r.path} (gone)`]),
    outputWidth(),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function merge(id: string, o: { yes?: boolean }, cmd: Command): Promise<void> {
  const home = homeOf(cmd);
  const manager = new UnifiedSessionManager(home);
  const s = await manager.load(await manager.resolveId(id));
  if (s.status === 'Running' && manager.ownerAlive(s) !== false) throw new CliError(`session ${s.id} is still running: merge it once it ends`, EXIT.failed);
  process.exitCode = await mergeSession(home, s, o);
}

interface CleanOptions {
  all?: boolean;
  mergedOnly?: boolean;
  dryRun?: boolean;
}

async function clean(id: string | undefined, o: CleanOptions, cmd: Command): Promise<void> {
  const home = existingHomeOf(cmd);
  if (!id && !o.all) throw new CliError('name a session, or give --all (with --merged-only to keep unmerged work)', EXIT.usage);
  const manager = new UnifiedSessionManager(home);
  const { rows: all, byId } = await rows(home);
  let picked = all;
  if (id) {
    const full = await manager.resolveId(id);
    picked = all.filter((r) => r.session_id === full);
    if (picked.length === 0) throw new CliError(`session ${full} has no worktree`, EXIT.usage);
  }
  if (o.mergedOnly) picked = picked.filter((r) => r.merged);
  let removed = 0;
  for (const r of picked) {
    if (r.live) {
      process.stdout.write(`kept ${r.path}: session ${r.session_id} is running\n`);
      continue;
    }
    const wt = byId.get(r.session_id)![1];
    const keepBranch = !r.merged;
    if (!r.exists && !(r.merged && fs.existsSync(wt.repoTop) && (await branchExists(wt.repoTop, wt.branch)))) continue;
    process.stdout.write(`${o.dryRun ? 'would remove' : 'removed'} ${r.exists ? r.path : `branch ${r.branch}`}${keepBranch ? ` (branch ${r.branch} kept: ${r.commits_ahead} unmerged commit(s))` : ''}\n`);
    removed += 1;
    if (o.dryRun) continue;
    if (fs.existsSync(wt.repoTop)) {
      await removeWorktree(wt.repoTop, wt.path);
      if (!keepBranch && (await branchExists(wt.repoTop, wt.branch))) await deleteBranch(wt.repoTop, wt.branch);
    } else {
      fs.rmSync(wt.path, { recursive: true, force: true });
    }
  }
  if (removed === 0) process.stdout.write('Nothing to clean.\n');
}

export function registerWorktree(program: Command): void {
  const wt = program.command('worktree').description("the runs' git worktrees: list, merge back, clean up");
  wt.command('ls')
    .description('list the runs\' worktrees (session, status, branch, commits ahead, merged?, path)')
    .option('--json', 'print JSON')
    .action((_o: unknown, cmd: Command) => ls(cmd));
  wt.command('merge')
    .description("merge a finished run's commits into the branch it started from, then remove its worktree")
    .argument('<session-id>', 'session id, job id, or an unambiguous prefix')
    .option('-y, --yes', 'do not ask')
    .action((id: string, o: { yes?: boolean }, cmd: Command) => merge(id, o, cmd));
  wt.command('clean')
    .description('remove worktrees (never a live run\'s; a branch with unmerged commits is kept)')
    .argument('[session-id]', 'only this session\'s worktree')
    .option('--all', 'every worktree')
    .option('--merged-only', 'only worktrees whose commits are merged (or that have none)')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .action((id: string | undefined, o: CleanOptions, cmd: Command) => clean(id, o, cmd));
}
