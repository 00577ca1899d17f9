/**
 * What a MapReduce run records for those who look at it later (the dashboard's item log, `d` and the job
 * header): every attempt's whole output per item, the tries an item gets, how reduce went, and which
 * commits each agent (and the run) made, findable after their branches are gone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJobState } from '../../src/mapreduce/job-store.js';
import type { JobState } from '../../src/mapreduce/job-types.js';
import { storePaths } from '../../src/storage/paths.js';
import { prodigy } from '../helpers/cli.js';
import { gitEnv, gitIn, makeRepo } from '../helpers/git-repo.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { onlySession, workspace } from './workflow-helpers.js';

async function jobOf(home: string): Promise<JobState> {
  const s = onlySession(home);
  const repo = fs.readdirSync(path.join(home, 'state')).find((r) => fs.existsSync(path.join(home, 'state', r, 'mapreduce')))!;
  return (await readJobState(storePaths(home).jobStateFile(repo, s.mapreduce_data!.job_id)))!;
}

const SLOW = 90_000;

describe('what a MapReduce run records', () => {
  it("each item's log file holds every attempt's whole output (not the 20-line tail), headed 'attempt n of m'; max_attempts and the reduce result are in job.json", async () => {
    // 30 numbered lines, then the first attempt of item b fails; its retry passes.
    const ws = workspace(`name: records
mode: mapreduce
map:
  input: "echo '[\\"a\\", \\"b\\"]'"
  max_parallel: 2
  agent_template:
    - shell: "for n in $(seq 1 30); do echo \${item} line $n; done; test \${item} = a || test -f b.tried || { touch b.tried; echo boom >&2; exit 3; }"
reduce:
  - shell: "echo reduced \${map.successful} of \${map.total}"
error_policy:
  max_retries: 1
`);
    const home = tempHome();
    const r = prodigy(['run', ws.file], { home, cwd: ws.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const job = await jobOf(home);
    expect(job.max_attempts).toBe(2);
    expect(job.reduce).toMatchObject({ status: 'completed', error: null, output_tail: ['reduced 2 of 2'] });
    expect(Date.parse(job.reduce!.ended_at!)).toBeGreaterThanOrEqual(Date.parse(job.reduce!.started_at));
    const b = job.items.find((i) => i.item === 'b')!;
    const log = fs.readFileSync(storePaths(home).jobItemLog(job.repo, job.job_id, b.id), 'utf8').split('\n');
    const headers = log.filter((l) => l.startsWith('── attempt'));
    expect(headers).toHaveLength(4);
    expect(headers[0]).toMatch(/^── attempt 1 of 2 · started \S+ on agent-\d ──$/);
    expect(headers[1]).toMatch(/^── attempt 1 · failed \S+: command 1 failed: .*3/);
    expect(headers[2]).toMatch(/^── attempt 2 of 2 · started /);
    expect(headers[3]).toMatch(/^── attempt 2 · completed /);
    // Both attempts whole: line 1 of each (long out of any 20-line tail) and line 30.
    expect(log.filter((l) => l === 'b line 1')).toHaveLength(2);
    expect(log.filter((l) => l === 'b line 30')).toHaveLength(2);
    expect(log).toContain('boom');
    const a = job.items.find((i) => i.item === 'a')!;
    const aLog = fs.readFileSync(storePaths(home).jobItemLog(job.repo, job.job_id, a.id), 'utf8');
    expect(aLog.split('\n').filter((l) => l.startsWith('a line '))).toHaveLength(30);
  }, SLOW);

  it('an item log file is made only for attempts that print or fail: a silent success leaves none', async () => {
    const ws = workspace(`name: quiet
mode: mapreduce
map:
  input: "echo '[\\"quiet\\", \\"loud\\", \\"bad\\"]'"
  max_parallel: 3
  agent_template:
    - shell: "test \${item} = quiet || { test \${item} = loud && echo said; } || exit 4"
error_policy:
  on_item_failure: dlq
  continue_on_failure: true
`);
    const home = tempHome();
    const r = prodigy(['run', ws.file], { home, cwd: ws.dir });
    expect(r.code).toBe(0);
    const job = await jobOf(home);
    const logOf = (name: string) => storePaths(home).jobItemLog(job.repo, job.job_id, job.items.find((i) => i.item === name)!.id);
    expect(fs.existsSync(logOf('quiet'))).toBe(false);
    expect(fs.readFileSync(logOf('loud'), 'utf8')).toMatch(/^── attempt 1 of 1 · started .*\nsaid\n── attempt 1 · completed \S+ ──\n$/);
    expect(fs.readFileSync(logOf('bad'), 'utf8')).toMatch(/^── attempt 1 of 1 · started .*\n── attempt 1 · failed \S+: command 1 failed: .*4/);
  }, SLOW);

  it("agent worktrees: each item records base..head of its merged commits, and -y records the run's last commit once its branch is gone", async () => {
    const repo = makeRepo();
    const home = tempHome();
    const wf = path.join(tempDir('prodigy-wf-'), 'wf.yml');
    fs.writeFileSync(
      wf,
      `name: commits
mode: mapreduce
map:
  input: "echo '[\\"x\\", \\"y\\"]'"
  max_parallel: 2
  agent_template:
    - shell: "echo \${item} > \${item}.txt && git add \${item}.txt && git commit -qm 'one \${item}' && echo more >> \${item}.txt && git commit -qam 'two \${item}'"
`,
    );
    const before = gitIn(repo, ['rev-parse', 'HEAD']);
    const r = prodigy(['run', wf, '-y'], { home, cwd: repo, env: gitEnv });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const job = await jobOf(home);
    for (const it of job.items) {
      expect(it).toMatchObject({ merge: 'merged', commits: 2 });
      // The branch is deleted; the range still names exactly the item's two commits.
      expect(gitIn(repo, ['branch', '--list', it.branch!])).toBe('');
      const subjects = gitIn(repo, ['log', '--format=%s', `${it.base_commit}..${it.head_commit}`]).split('\n');
      expect(subjects).toEqual([`two ${it.item as string}`, `one ${it.item as string}`]);
    }
    const s = onlySession(home);
    expect(s.metadata.base_commit).toBe(before);
    const head = s.metadata.worktree_merged_head as string;
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(gitIn(repo, ['log', '--format=%s', '--no-merges', `${before}..${head}`]).split('\n').sort()).toEqual(['one x', 'one y', 'two x', 'two y']);
  }, SLOW);
});
