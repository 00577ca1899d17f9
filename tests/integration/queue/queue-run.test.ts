/** `prodigy run --queue` with real `prodigy worker` processes on a real redis-server. */
import { afterEach, describe, expect, it } from 'vitest';
import { gitIn, logOf } from '../../helpers/git-repo.js';
import { prodigy, withoutUntrustedWarnings } from '../../helpers/cli.js';
import { startProdigy } from '../workflow-helpers.js';
import { committingWorkflow, eventsOf, jobOf, type QueueWorld, queueWorld, until } from './queue-fixture.js';

let world: QueueWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const SLOW = 180_000;

describe('MapReduce items on queue workers', () => {
  it('40 items over 2 workers: each completed once, both workers used, every commit merged into the user branch', async () => {
    world = await queueWorld();
    const w = world;
    await w.startWorker({ concurrency: 3 });
    await w.startWorker({ concurrency: 3 });
    const before = gitIn(w.repo, ['rev-parse', 'HEAD']);
    const run = startProdigy(['run', w.workflow(committingWorkflow(40, 0.1)), '-y', '--queue', w.redis.url], { home: w.home, cwd: w.repo, env: w.env });
    const { code } = await run.exit;
    expect(withoutUntrustedWarnings(run.stderr())).toBe('');
    expect(code).toBe(0);
    expect(run.stdout()).toContain('40 successful, 0 failed, 40 total');
    const job = await jobOf(w.home);
    expect(job.items.every((i) => i.status === 'completed' && i.attempts === 1 && i.merge === 'merged' && i.commits === 1)).toBe(true);
    const workers = new Set(job.items.map((i) => i.worker));
    expect(workers.size).toBe(2);
    for (const tag of workers) expect(tag).toMatch(/^.+:\d+$/);
    // Recorded exactly once: one AgentCompleted per item.
    const completed = eventsOf(w.home).filter((e) => e.type === 'AgentCompleted').map((e) => e.item_id);
    expect(completed.length).toBe(40);
    expect(new Set(completed).size).toBe(40);
    // 40 item commits and reduce's, all on the user's branch; reduce saw all 40 files.
    expect(gitIn(w.repo, ['rev-list', '--count', '--no-merges', `${before}..HEAD`])).toBe('41');
    expect(gitIn(w.repo, ['show', 'HEAD:count.txt'])).toBe('40');
    expect(logOf(w.repo).filter((s) => /^item \d+$/.test(s)).length).toBe(40);
    // The pushed item branches and the session branch are gone from the shared remote.
    expect(gitIn(w.bare, ['branch', '--list', 'prodigy-*'])).toBe('');
    // `prodigy workers` lists both, with what they did (their records refresh every 2 s).
    type Listed = { depth: { waiting: number; active: number }; workers: { worker: string; concurrency: number; completed: number; heartbeat_age_ms: number }[] };
    let listed: Listed | undefined;
    await until(() => {
      const r = prodigy(['workers', '--json', '--queue', w.redis.url], { home: w.home });
      listed = JSON.parse(r.stdout) as Listed;
      return listed.workers.reduce((n, x) => n + x.completed, 0) === 40;
    }, 'the workers to report 40 items');
    expect(listed!.workers.map((x) => x.worker).sort()).toEqual([...workers].sort());
    expect(listed!.workers.every((x) => x.concurrency === 3 && x.heartbeat_age_ms < 60_000)).toBe(true);
    expect(listed!.depth).toMatchObject({ waiting: 0, active: 0 });
    const text = prodigy(['workers', '--queue', w.redis.url], { home: w.home });
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe(`Queue ${w.redis.url}: 0 waiting, 0 active, 0 delayed`);
    expect(text.stdout).toMatch(/WORKER +RUNNING +DONE/);
  }, SLOW);

  it('a worker slot reuses its worktree, reset clean between items: no file of an earlier item is left', async () => {
    world = await queueWorld();
    const w = world;
    const worker = await w.startWorker({ concurrency: 1 });
    const clone = worker.child.spawnargs[worker.child.spawnargs.indexOf('--repo') + 1]!;
    const before = gitIn(w.repo, ['rev-parse', 'HEAD']);
    // Each item fails if anything an earlier item left (a commit, an untracked or an ignored file) is there.
    const wf = `name: reuse
mode: mapreduce
setup:
  - shell: "echo '[0,1,2]' > items.json && printf 'junk-*\\n' > .gitignore && git add .gitignore && git commit -qm ignore"
map:
  input: items.json
  json_path: "$[*]"
  agent_template:
    - shell: "test -z \\"$(ls out-* junk-* untracked-* 2>/dev/null)\\" && echo \${item} > out-\${item}.txt && touch junk-\${item} untracked-\${item} && git add out-\${item}.txt && git commit -qm 'item \${item}'"
`;
    const run = startProdigy(['run', w.workflow(wf), '-y', '--queue', w.redis.url], { home: w.home, cwd: w.repo, env: w.env });
    const { code } = await run.exit;
    expect(withoutUntrustedWarnings(run.stderr())).toBe('');
    expect(code).toBe(0);
    const job = await jobOf(w.home);
    expect(job.items.map((i) => [i.status, i.merge, i.commits])).toEqual([0, 1, 2].map(() => ['completed', 'merged', 1]));
    expect(logOf(w.repo).filter((x) => /^item \d$/.test(x)).sort()).toEqual(['item 0', 'item 1', 'item 2']);
    expect(gitIn(w.repo, ['rev-list', '--count', '--no-merges', `${before}..HEAD`])).toBe('4');
    // The one slot's worktree is still there (kept for the next item), not removed after each.
    const listed = gitIn(clone, ['worktree', 'list', '--porcelain']).split('\n').filter((l) => l.startsWith('worktree '));
    expect(listed).toHaveLength(2);
    expect(listed[1]).toMatch(/slot-1-\d+$/);
  }, SLOW);
});
