/**
 * One queue set-up for the integration tests: a real redis-server, a bare repository as the shared
 * remote, the user's repository (origin = the bare one), and `prodigy worker` processes, each in a
 * clone of its own. Everything is stopped and removed after each test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readJobState } from '../../../src/mapreduce/job-store.js';
import type { JobEvent, JobState } from '../../../src/mapreduce/job-types.js';
import { gitEnv, gitIn, makeRepo } from '../../helpers/git-repo.js';
import { tempDir, tempHome } from '../../helpers/home.js';
import { type RedisTls, startRedis, type TestRedis } from '../../helpers/redis.js';
import { onlySession, type Runner, startProdigy } from '../workflow-helpers.js';

export const SECRET = 'test-secret-0123456789abcdef';

export interface QueueWorld {
  redis: TestRedis;
  home: string;
  repo: string;
  bare: string;
  env: NodeJS.ProcessEnv;
  workers: Runner[];
  startWorker(opts?: { concurrency?: number; env?: NodeJS.ProcessEnv; args?: string[] }): Promise<Runner>;
  workflow(yaml: string): string;
  stop(): Promise<void>;
}

export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopRunner(r: Runner): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  try {
    process.kill(-r.child.pid!, 'SIGTERM');
  } catch {
    return;
  }
  const late = setTimeout(() => {
    try {
      process.kill(-r.child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 15_000);
  await r.exit;
  clearTimeout(late);
}

/** `o.redis`: a server already started (a TLS one); it is stopped with the world. */
export async function queueWorld(files: Record<string, string> = { 'README.md': 'hello\n' }, o: { redis?: TestRedis } = {}): Promise<QueueWorld> {
  const redis = o.redis ?? (await startRedis());
  const home = tempHome();
  const repo = makeRepo(files);
  const bare = tempDir('prodigy-remote-');
  gitIn(bare, ['init', '-q', '--bare', '-b', 'main']);
  gitIn(repo, ['remote', 'add', 'origin', bare]);
  gitIn(repo, ['push', '-q', 'origin', 'main']);
  // Workers keep their scratch worktrees in TMPDIR: this one goes with the test file.
  const env: NodeJS.ProcessEnv = { ...gitEnv, PRODIGY_QUEUE_SECRET: SECRET, TMPDIR: tempDir('prodigy-tmp-') };
  const workers: Runner[] = [];
  const world: QueueWorld = {
    redis,
    home,
    repo,
    bare,
    env,
    workers,
    async startWorker(o = {}) {
      const clone = path.join(tempDir('prodigy-clone-'), 'clone');
      gitIn(path.dirname(clone), ['clone', '-q', bare, clone]);
      const w = startProdigy(['worker', '--queue', redis.url, '--concurrency', String(o.concurrency ?? 4), '--repo', clone, ...(o.args ?? [])], { home, cwd: clone, env: { ...env, ...o.env } });
      workers.push(w);
      await until(() => /^Worker /m.test(w.stdout()) || w.child.exitCode !== null, 'the worker to announce itself', 30_000);
      if (w.child.exitCode !== null) throw new Error(`worker exited: ${w.stderr()}`);
      return w;
    },
    workflow(yaml: string) {
      const file = path.join(tempDir('prodigy-wf-'), 'wf.yml');
      fs.writeFileSync(file, yaml);
      return file;
    },
    async stop() {
      await Promise.all(workers.map(stopRunner));
      await redis.stop();
    },
  };
  return world;
}

export async function jobOf(home: string): Promise<JobState> {
  const s = onlySession(home);
  const repoDir = fs.readdirSync(path.join(home, 'state')).find((r) => fs.existsSync(path.join(home, 'state', r, 'mapreduce')))!;
  return (await readJobState(path.join(home, 'state', repoDir, 'mapreduce', 'jobs', s.mapreduce_data!.job_id, 'job.json')))!;
}

export function eventsOf(home: string): JobEvent[] {
  const s = onlySession(home);
  const repoDir = fs.readdirSync(path.join(home, 'events'))[0]!;
  const dir = path.join(home, 'events', repoDir, s.mapreduce_data!.job_id);
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()
    .flatMap((n) => fs.readFileSync(path.join(dir, n), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as JobEvent));
}

/** A MapReduce workflow of `n` items whose agents each commit one file (after `sleep` seconds). */
export function committingWorkflow(n: number, sleep = 0): string {
  const items = JSON.stringify(Array.from({ length: n }, (_, i) => ({ n: i })));
  return `name: queue-test
mode: mapreduce
setup:
  - shell: |
      echo '${items}' > items.json
map:
  input: items.json
  json_path: "$[*]"
  max_parallel: 4
  agent_template:
    - shell: "${sleep ? `sleep ${sleep} && ` : ''}echo \${item.n} > out-\${item.n}.txt && git add out-\${item.n}.txt && git commit -qm 'item \${item.n}'"
reduce:
  - shell: "ls out-*.txt | wc -l | tr -d ' ' > count.txt && git add count.txt && git commit -qm count"
`;
}
