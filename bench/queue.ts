/**
 * Queue workers (BullMQ on a real redis-server of the bench's own, on a free port, in a temp dir):
 * 1. 2,000 items of `true` through `prodigy run --queue` with 1 and 2 local `prodigy worker`s (16 at a
 *    time in all), beside the local agent pool running the same job at max_parallel 16 in the same run:
 *    the difference per item is the queue's overhead. Target: <= 5 ms per item.
 * 2. 200 items of `sleep 0.2` at concurrency 4 per worker through 1, 2 and 4 workers: the speed-up.
 *    Target: 4 workers >= 3.5x one worker, on the map phase (the job's Map phase event to its last
 *    completion, from its events file): what adding workers scales. The end-to-end figures (and their
 *    ratio) are printed too: they add the coordinator's own start and end (~0.5 s of Node, bullmq and
 *    the store, more on a loaded machine), which no number of workers shortens: with 0.5 s of it even
 *    perfect scaling is (10 + 0.5) / (2.5 + 0.5) = 3.5x end to end.
 * Workers are started (and announced) before the clock starts; each run is the coordinator end to end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nowMs, round } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/prodigy.js');
const SECRET = 'bench-secret-0123456789abcdef';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function waitFor(child: ChildProcess, stream: NodeJS.ReadableStream, re: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (re.test(out)) {
        stream.off('data', onData);
        stream.resume();
        resolve();
      }
    };
    stream.on('data', onData);
    child.once('exit', (c) => reject(new Error(`${what} exited (${c}) before it was ready: ${out}`)));
  });
}

const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r())));

async function startRedis(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', ''], { stdio: ['ignore', 'pipe', 'inherit'] });
  await waitFor(child, child.stdout!, /Ready to accept connections/, 'redis-server');
  return { url: `redis://127.0.0.1:${port}`, child };
}

async function startWorkers(n: number, concurrency: number, url: string, dir: string, env: NodeJS.ProcessEnv): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const child = spawn(process.execPath, [bin, 'worker', '--queue', url, '--concurrency', String(concurrency), '--repo', dir], { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit'] });
      await waitFor(child, child.stdout!, /^Worker /m, 'prodigy worker');
      return child;
    }),
  );
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map(exited));
}

/** From the job's Map phase event to its last AgentCompleted, in its events file under `home`. */
function mapPhaseMs(home: string): number {
  const file = (fs.readdirSync(path.join(home, 'events'), { recursive: true }) as string[]).find((f) => /events-.*\.jsonl$/.test(f));
  if (!file) throw new Error(`no events file under ${home}`);
  const events = fs.readFileSync(path.join(home, 'events', file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; phase?: string; timestamp: string });
  const start = events.find((e) => e.type === 'PhaseChanged' && e.phase === 'Map');
  const last = events.filter((e) => e.type === 'AgentCompleted').at(-1);
  if (!start || !last) throw new Error(`no Map phase in ${file}`);
  return Date.parse(last.timestamp) - Date.parse(start.timestamp);
}

async function run(args: string[], dir: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; mapMs: number }> {
  const home = fs.mkdtempSync(path.join(dir, 'home-'));
  const t = nowMs();
  const child = spawn(process.execPath, [bin, 'run', ...args], { cwd: dir, env: { ...env, PRODIGY_HOME: home }, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const ms = nowMs() - t;
  try {
    if (code !== 0) throw new Error(`prodigy run ${args.join(' ')} exited ${code}`);
    return { ms, mapMs: mapPhaseMs(home) };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const runMs = async (args: string[], dir: string, env: NodeJS.ProcessEnv): Promise<number> => (await run(args, dir, env)).ms;

function workflow(dir: string, name: string, items: number, parallel: number, command: string): string {
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(Array.from({ length: items }, (_, i) => ({ i }))));
  const file = path.join(dir, `${name}.yml`);
  fs.writeFileSync(file, `name: ${name}\nmode: mapreduce\nmap:\n  input: ${name}.json\n  max_parallel: ${parallel}\n  agent_template:\n    - shell: "${command}"\n`);
  return file;
}

export async function benchQueue(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-queue-'));
  const redis = await startRedis(dir);
  const env: NodeJS.ProcessEnv = { ...process.env, PRODIGY_QUEUE_SECRET: SECRET, TMPDIR: dir };
  try {
    const ITEMS = 2000;
    const trueWf = workflow(dir, 'true-items', ITEMS, 16, 'true');
    const best = async (f: () => Promise<number>) => Math.min(await f(), await f());
    const local = await best(() => runMs([trueWf, '--no-worktree'], dir, env));
    let one = 0;
    let two = 0;
    {
      const ws = await startWorkers(1, 16, redis.url, dir, env);
      one = await best(() => runMs([trueWf, '--no-worktree', '--queue', redis.url], dir, env));
      await stopAll(ws);
    }
    {
      const ws = await startWorkers(2, 8, redis.url, dir, env);
      two = await best(() => runMs([trueWf, '--no-worktree', '--queue', redis.url], dir, env));
      await stopAll(ws);
    }
    const SLEEP_ITEMS = 200;
    const sleepWf = workflow(dir, 'sleep-items', SLEEP_ITEMS, 4, 'sleep 0.2');
    const speed: Record<number, number> = {};
    const map: Record<number, number> = {};
    for (const n of [1, 2, 4]) {
      const ws = await startWorkers(n, 4, redis.url, dir, env);
      const r = await run([sleepWf, '--no-worktree', '--queue', redis.url], dir, env);
      speed[n] = r.ms;
      map[n] = r.mapMs;
      await stopAll(ws);
    }
    return {
      true_items: ITEMS,
      local_pool_ms: round(local, 0),
      queue_1_worker_ms: round(one, 0),
      queue_2_workers_ms: round(two, 0),
      queue_overhead_ms_per_item_1_worker: round((one - local) / ITEMS, 2),
      queue_overhead_ms_per_item_2_workers: round((two - local) / ITEMS, 2),
      queue_overhead_target_ms: 5,
      sleep_items: SLEEP_ITEMS,
      sleep_1_worker_ms: round(speed[1]!, 0),
      sleep_2_workers_ms: round(speed[2]!, 0),
      sleep_4_workers_ms: round(speed[4]!, 0),
      sleep_ideal_1_worker_ms: (SLEEP_ITEMS * 200) / 4,
      sleep_map_1_worker_ms: round(map[1]!, 0),
      sleep_map_2_workers_ms: round(map[2]!, 0),
      sleep_map_4_workers_ms: round(map[4]!, 0),
      speedup_2_workers: round(map[1]! / map[2]!, 2),
      speedup_4_workers: round(map[1]! / map[4]!, 2),
      speedup_4_workers_target: 3.5,
      speedup_4_workers_end_to_end: round(speed[1]! / speed[4]!, 2),
    };
  } finally {
    redis.child.kill('SIGTERM');
    await exited(redis.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
