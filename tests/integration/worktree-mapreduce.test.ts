import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJobState } from '../../src/mapreduce/job-store.js';
import type { DlqItem, JobState } from '../../src/mapreduce/job-types.js';
import { prodigy } from '../helpers/cli.js';
import { gitEnv, gitIn, headOf, logOf, makeRepo, statusOf } from '../helpers/git-repo.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { lines, onlySession, startProdigy } from './workflow-helpers.js';

function setup(workflow: string, files: Record<string, string> = { 'README.md': 'hello\n' }) {
  const repo = makeRepo(files);
  const home = tempHome();
  const wf = path.join(tempDir('prodigy-wf-'), 'wf.yml');
  fs.writeFileSync(wf, workflow);
  return { repo, home, wf };
}

/** The job as readers see it (job.json + its journal), through the runner's own reader. */
async function jobOf(home: string): Promise<JobState> {
  const s = onlySession(home);
  const repoDir = fs.readdirSync(path.join(home, 'state')).find((r) => fs.existsSync(path.join(home, 'state', r, 'mapreduce')))!;
  return (await readJobState(path.join(home, 'state', repoDir, 'mapreduce', 'jobs', s.mapreduce_data!.job_id, 'job.json')))!;
}

/** Waits for a condition on the job; a job whose files are not there yet is "not yet". */
async function untilJob(home: string, cond: (job: JobState) => boolean, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    const job = await jobOf(home).catch(() => null);
    if (job && cond(job)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const SLOW = 90_000;

// Prodigy's own check of this path (workflows/tests/minimal-mapreduce.yml), as its users run it.
const MINIMAL = `name: minimal-mapreduce
mode: mapreduce
setup:
  - shell: |
      echo '[{"name": "alpha"}, {"name": "beta"}, {"name": "gamma"}]' > items.json
map:
  input: items.json
  json_path: "$[*]"
  max_parallel: 3
  agent_template:
    - shell: "echo 'processed \${item.name}' > output-\${item.name}.txt && git add output-\${item.name}.txt && git commit -qm 'add \${item.name}'"
      commit_required: true
reduce:
  - shell: "ls output-*.txt | wc -l | tr -d ' ' > count.txt"
`;

describe('MapReduce agents in worktrees of their own', () => {
  it("Prodigy's 3-item workflow: 3/3 successful, reduce sees the 3 files, and -y brings 3 files and 3 commits to the user's branch", async () => {
    const { repo, home, wf } = setup(MINIMAL);
    const before = headOf(repo);
    const r = prodigy(['run', wf, '-y'], { home, cwd: repo, env: gitEnv });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 successful, 0 failed, 3 total');
    const job = await jobOf(home);
    expect(job.items.map((i) => [i.status, i.merge, i.commits])).toEqual([
      ['completed', 'merged', 1],
      ['completed', 'merged', 1],
      ['completed', 'merged', 1],
    ]);
    expect(r.stdout).toMatch(/Merged \d+ commit\(s\) from prodigy-session-\S+ into main/);
    const subjects = logOf(repo);
    expect(subjects.filter((l) => /^add (alpha|beta|gamma)$/.test(l)).sort()).toEqual(['add alpha', 'add beta', 'add gamma']);
    for (const n of ['alpha', 'beta', 'gamma']) expect(fs.readFileSync(path.join(repo, `output-${n}.txt`), 'utf8')).toBe(`processed ${n}\n`);
    expect(gitIn(repo, ['rev-list', '--count', `${before}..HEAD`, '--no-merges'])).toBe('3');
    // No agent worktree or branch is left behind; the session worktree went with the merge.
    expect(gitIn(repo, ['worktree', 'list', '--porcelain']).split('\n').filter((l) => l.startsWith('worktree ')).length).toBe(1);
    expect(gitIn(repo, ['branch', '--list', 'prodigy-*'])).toBe('');
  }, SLOW);

  it('the user tree is untouched while the job runs', async () => {
    const { repo, home, wf } = setup(MINIMAL.replace("echo 'processed", "while [ ! -f $GO_FILE ]; do sleep 0.05; done; echo 'processed"));
    const go = path.join(tempDir('prodigy-go-'), 'go');
    const head = headOf(repo);
    const runner = startProdigy(['run', wf], { home, cwd: repo, env: { ...gitEnv, GO_FILE: go } });
    await untilJob(home, (j) => j.items.filter((i) => i.status === 'running').length === 3, 'three agents running');
    expect(headOf(repo)).toBe(head);
    expect(statusOf(repo)).toBe('');
    fs.writeFileSync(go, '');
    expect((await runner.exit).code).toBe(0);
    expect(headOf(repo)).toBe(head);
    expect(statusOf(repo)).toBe('');
    expect(runner.stdout()).toContain(`prodigy worktree merge ${onlySession(home).id}`);
  }, SLOW);

  it('two items editing the same line: one merged, one MergeConflict in the DLQ with its worktree and branch kept', async () => {
    const { repo, home, wf } = setup(
      `name: clash
mode: mapreduce
map:
  input: "echo '[\\"left\\", \\"right\\"]'"
  max_parallel: 2
  agent_template:
    - shell: "printf '%s\\\\n' '\${item}' > shared.txt && git commit -qam 'shared from \${item}'"
`,
      { 'shared.txt': 'original\n' },
    );
    const r = prodigy(['run', wf], { home, cwd: repo, env: gitEnv });
    expect(r.code).toBe(0);
    const job = await jobOf(home);
    expect(job.items.map((i) => i.status).sort()).toEqual(['completed', 'dead']);
    const dead = job.items.find((i) => i.status === 'dead')!;
    expect(dead.merge).toBe('conflict');
    expect(dead.error).toMatch(/^MergeConflict: prodigy-agent-\S+ conflicts with the session worktree in shared.txt/);
    const dlq = JSON.parse(prodigy(['dlq', 'list', job.job_id, '--json'], { home, cwd: repo }).stdout) as DlqItem[];
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.worktree_artifacts?.branch_name).toBe(dead.branch);
    expect(fs.existsSync(dlq[0]!.worktree_artifacts!.worktree_path)).toBe(true);
    expect(gitIn(repo, ['log', '--format=%s', '-1', dead.branch!])).toMatch(/^shared from (left|right)$/);
    const winner = job.items.find((i) => i.status === 'completed')!;
    const s = onlySession(home);
    expect(fs.readFileSync(path.join(s.metadata.worktree_path as string, 'shared.txt'), 'utf8')).toBe(`${winner.item as string}\n`);
  }, SLOW);

  it('SIGINT mid-map, then resume-job: every item committed and merged exactly once', async () => {
    const items = Array.from({ length: 8 }, (_, n) => `i${n}`);
    const { repo, home, wf } = setup(`name: many
mode: mapreduce
map:
  input: items.json
  max_parallel: 2
  agent_template:
    - shell: "sleep 0.3; echo \${item} > \${item}.txt && git add \${item}.txt && git commit -qm 'item \${item}'"
      commit_required: true
`, { 'items.json': JSON.stringify(items) });
    const runner = startProdigy(['run', wf], { home, cwd: repo, env: gitEnv });
    await untilJob(home, (j) => j.items.filter((i) => i.merge === 'merged').length >= 3, 'three items merged');
    process.kill(runner.child.pid!, 'SIGINT');
    expect((await runner.exit).code).toBe(130);
    const s = onlySession(home);
    expect(s.status).toBe('Paused');
    // Without a terminal or -y the work stays in the session worktree, for prodigy worktree merge.
    const r = prodigy(['resume-job', s.mapreduce_data!.job_id], { home, cwd: repo, env: gitEnv });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`prodigy worktree merge ${s.id}`);
    const subjects = gitIn(s.metadata.worktree_path as string, ['log', '--format=%s']).split('\n').filter((l) => l.startsWith('item '));
    expect(subjects.sort()).toEqual(items.map((i) => `item ${i}`).sort());
    expect(lines(path.join(s.metadata.worktree_path as string, 'i0.txt'))).toEqual(['i0']);
  }, SLOW);

  it('SIGKILL of the runner mid-map, then resume: every item merged exactly once, leftover agent worktrees replaced', async () => {
    const items = Array.from({ length: 6 }, (_, n) => `k${n}`);
    const { repo, home, wf } = setup(`name: killed
mode: mapreduce
map:
  input: items.json
  max_parallel: 2
  agent_template:
    - shell: "sleep 0.3; echo \${item} > \${item}.txt && git add \${item}.txt && git commit -qm 'item \${item}'"
`, { 'items.json': JSON.stringify(items) });
    const runner = startProdigy(['run', wf], { home, cwd: repo, env: gitEnv });
    await untilJob(home, (j) => j.items.filter((i) => i.merge === 'merged').length >= 2, 'two items merged');
    process.kill(runner.child.pid!, 'SIGKILL');
    await runner.exit;
    const s = onlySession(home);
    const r = prodigy(['resume', s.id, '-y'], { home, cwd: repo, env: gitEnv });
    expect(r.code).toBe(0);
    // -y merged the run into the user's branch: each item's commit is there once.
    expect(r.stdout).toMatch(/Merged \d+ commit\(s\) from prodigy-session-\S+ into main/);
    const subjects = logOf(repo).filter((l) => l.startsWith('item '));
    expect(subjects.sort()).toEqual(items.map((i) => `item ${i}`).sort());
    expect((await jobOf(home)).items.every((i) => i.status === 'completed')).toBe(true);
  }, SLOW);
});
