/**
 * Isolation's cost: a MapReduce job of `true` items at max_parallel 8 on a repository of 1,000 files,
 * with agent worktrees (slots reused, the default; and one add + remove per item,
 * PRODIGY_AGENT_WORKTREE_REUSE=0) and without (--no-worktree), beside the floors measured on the same
 * repository in the same run: one `git worktree add` + `remove` pair, and one slot reset (checkout -f -B,
 * clean -ffdx, detach, branch -D) by hand.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nowMs, round } from './harness.js';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'prodigy.js');
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  NO_COLOR: '1',
};
const git = (cwd: string, args: string[]) => execFileSync('git', args, { cwd, env, stdio: 'pipe' });

function repoOf1000(dir: string): void {
  git(dir, ['init', '-q', '-b', 'main']);
  for (let i = 0; i < 1000; i++) {
    const sub = path.join(dir, `d${i % 20}`);
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `f${i}.txt`), `file ${i}\n`.repeat(20));
  }
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'files']);
}

function runJob(repo: string, home: string, items: number, isolate: boolean, reuse = true): number {
  fs.mkdirSync(home, { recursive: true });
  const wf = path.join(home, 'wf.yml');
  const list = JSON.stringify(Array.from({ length: items }, (_, i) => i));
  fs.writeFileSync(wf, `name: bench\nmode: mapreduce\nmap:\n  input: "echo '${list}'"\n  max_parallel: 8\n  agent_template:\n    - shell: "true"\n`);
  const t = nowMs();
  const r = spawnSync(process.execPath, [bin, 'run', wf, '--no-tui', ...(isolate ? [] : ['--no-worktree'])], { cwd: repo, env: { ...env, PRODIGY_HOME: home, PRODIGY_AGENT_WORKTREE_REUSE: reuse ? '1' : '0' }, stdio: 'pipe' });
  if (r.status !== 0) throw new Error(`bench job failed: ${r.stderr}`);
  return nowMs() - t;
}

export async function benchWorktrees(): Promise<Record<string, number>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-wt-'));
  try {
    const repo = path.join(root, 'repo');
    fs.mkdirSync(repo);
    repoOf1000(repo);
    // Floor: one worktree add + remove, as an agent needs, done by hand.
    const pairs = 10;
    const t0 = nowMs();
    for (let i = 0; i < pairs; i++) {
      const w = path.join(root, `wt${i}`);
      git(repo, ['worktree', 'add', '-q', '-b', `b${i}`, w, 'HEAD']);
      git(repo, ['worktree', 'remove', '--force', w]);
      git(repo, ['branch', '-D', `b${i}`]);
    }
    const floor = (nowMs() - t0) / pairs;
    // Floor of reuse: one slot worktree reset onto a new branch and released, by hand.
    const slot = path.join(root, 'slot');
    git(repo, ['worktree', 'add', '-q', '--detach', slot, 'HEAD']);
    const head = git(repo, ['rev-parse', 'HEAD']).toString().trim();
    const t1 = nowMs();
    for (let i = 0; i < pairs; i++) {
      git(slot, ['checkout', '-q', '-f', '-B', `s${i}`, head]);
      git(slot, ['clean', '-q', '-ffdx']);
      git(slot, ['checkout', '-q', '--detach']);
      git(repo, ['branch', '-D', `s${i}`]);
    }
    const resetFloor = (nowMs() - t1) / pairs;
    git(repo, ['worktree', 'remove', '--force', slot]);
    const items = 64;
    const plain = runJob(repo, path.join(root, 'h-plain'), items, false);
    const isolated = runJob(repo, path.join(root, 'h-iso'), items, true);
    const addRemove = runJob(repo, path.join(root, 'h-iso-add'), items, true, false);
    const overhead = (isolated - plain) / items;
    const overheadAddRemove = (addRemove - plain) / items;
    return {
      worktree_add_remove_floor_ms: round(floor),
      worktree_slot_reset_floor_ms: round(resetFloor),
      isolation_overhead_per_item_ms: round(overhead),
      isolation_overhead_vs_floor: round(overhead / floor),
      isolation_overhead_per_item_add_remove_ms: round(overheadAddRemove),
      isolation_overhead_add_remove_vs_floor: round(overheadAddRemove / floor),
      items_per_s_without_isolation: round((items * 1000) / plain),
      items_per_s_with_isolation: round((items * 1000) / isolated),
      items_per_s_with_isolation_add_remove: round((items * 1000) / addRemove),
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
