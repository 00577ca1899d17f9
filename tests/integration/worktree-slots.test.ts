/**
 * Agent worktrees are reused per pool slot (reset between items, not added and removed): nothing of
 * one item reaches the next (tracked edits, untracked and ignored files), a conflicting item's worktree
 * leaves its slot and is kept, and no slot worktree outlives the job.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DlqItem } from '../../src/mapreduce/job-types.js';
import { prodigy } from '../helpers/cli.js';
import { gitEnv, gitIn, logOf, makeRepo } from '../helpers/git-repo.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { onlySession } from './workflow-helpers.js';

function setup(workflow: string, files: Record<string, string>) {
  const repo = makeRepo(files);
  const home = tempHome();
  const wf = path.join(tempDir('prodigy-wf-'), 'wf.yml');
  fs.writeFileSync(wf, workflow);
  return { repo, home, wf };
}

/** The job's events (every JSONL file of its events folder), in file order. */
function eventsOf(home: string): Array<Record<string, unknown>> {
  const root = path.join(home, 'events');
  const out: Array<Record<string, unknown>> = [];
  for (const repo of fs.readdirSync(root)) {
    for (const job of fs.readdirSync(path.join(root, repo))) {
      const dir = path.join(root, repo, job);
      for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
        for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) if (line.trim()) out.push(JSON.parse(line) as Record<string, unknown>);
      }
    }
  }
  return out;
}

const agentFolders = (home: string, repo: string, sessionId: string) => {
  const dir = path.join(home, 'worktrees', path.basename(repo), `${sessionId}.agents`);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => !n.startsWith('.')) : [];
};

describe('agent worktrees reused per pool slot', () => {
  it('one slot, four items: the same worktree each time, reset clean (tracked, untracked, ignored), every commit merged, nothing left', () => {
    const { repo, home, wf } = setup(
      `name: slots
mode: mapreduce
map:
  input: "echo '[\\"a\\", \\"b\\", \\"c\\", \\"d\\"]'"
  max_parallel: 1
  agent_template:
    - shell: "test ! -e junk.txt && test ! -e build/out.o && test \\"$(cat tracked.txt)\\" = base && test -z \\"$(git status --porcelain)\\""
    - shell: "echo dirty > tracked.txt && echo junk > junk.txt && mkdir -p build && echo o > build/out.o && echo \${item} > own-\${item}.txt && git add own-\${item}.txt && git commit -qm 'own \${item}'"
      commit_required: true
`,
      { 'tracked.txt': 'base\n', '.gitignore': 'build/\n' },
    );
    const r = prodigy(['run', wf, '-y'], { home, cwd: repo, env: gitEnv });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 successful, 0 failed, 4 total');
    const created = eventsOf(home).filter((e) => e.type === 'worktree_created');
    expect(created).toHaveLength(4);
    // One slot: one worktree, reused for every item, each on its own branch.
    expect(new Set(created.map((e) => e.worktree_name)).size).toBe(1);
    expect(new Set(created.map((e) => e.branch)).size).toBe(4);
    for (const item of ['a', 'b', 'c', 'd']) expect(fs.readFileSync(path.join(repo, `own-${item}.txt`), 'utf8')).toBe(`${item}\n`);
    expect(logOf(repo).filter((m) => m.startsWith('own ')).sort()).toEqual(['own a', 'own b', 'own c', 'own d']);
    expect(fs.readFileSync(path.join(repo, 'tracked.txt'), 'utf8')).toBe('base\n');
    const s = onlySession(home);
    expect(agentFolders(home, repo, s.id)).toEqual([]);
    expect(gitIn(repo, ['worktree', 'list']).split('\n')).toHaveLength(1);
    expect(gitIn(repo, ['branch', '--list', 'prodigy-agent-*'])).toBe('');
  }, 90_000);

  it("a conflicting item's worktree leaves the slot and is kept; the next item gets a clean one", () => {
    // left and right wait for each other, so both start from the same session HEAD and clash on one line.
    const { repo, home, wf } = setup(
      `name: clash-slots
mode: mapreduce
map:
  input: "echo '[\\"left\\", \\"right\\", \\"third\\"]'"
  max_parallel: 2
  agent_template:
    - shell: "test -z \\"$(git status --porcelain)\\" && test \\"$(cat shared.txt)\\" != conflict-marker"
    - shell: "if [ \${item} = third ]; then echo third > third.txt && git add third.txt; else touch $SYNC/\${item}; while [ ! -e $SYNC/left ] || [ ! -e $SYNC/right ]; do sleep 0.05; done; printf '%s\\\\n' '\${item}' > shared.txt; fi && git commit -qam 'from \${item}'"
`,
      { 'shared.txt': 'original\n' },
    );
    const sync = tempDir('prodigy-sync-');
    const r = prodigy(['run', wf], { home, cwd: repo, env: { ...gitEnv, SYNC: sync } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 successful, 1 failed, 3 total');
    const s = onlySession(home);
    const dlq = JSON.parse(prodigy(['dlq', 'list', s.mapreduce_data!.job_id, '--json'], { home, cwd: repo }).stdout) as DlqItem[];
    expect(dlq).toHaveLength(1);
    const kept = dlq[0]!.worktree_artifacts!;
    expect(String(dlq[0]!.error)).toMatch(/^MergeConflict: /);
    // Kept under the item's name, out of the slot, with the item's commit on its branch.
    expect(path.basename(kept.worktree_path).startsWith(`${dlq[0]!.item_id}.`)).toBe(true);
    expect(fs.existsSync(kept.worktree_path)).toBe(true);
    expect(gitIn(kept.worktree_path, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe(kept.branch_name);
    expect(gitIn(repo, ['log', '--format=%s', '-1', kept.branch_name])).toMatch(/^from (left|right)$/);
    expect(fs.readFileSync(path.join(s.metadata.worktree_path as string, 'third.txt'), 'utf8')).toBe('third\n');
    // Only the kept worktree is left of the agents'.
    expect(agentFolders(home, repo, s.id)).toEqual([path.basename(kept.worktree_path)]);
  }, 90_000);
});
