/**
 * `prodigy worker`: a long-lived process that takes items from the queue and runs them (worker-item.ts).
 * It announces itself (host, pid, concurrency, version, what it runs) with a heartbeat record that
 * expires unless refreshed; listens on the cancel channel (a coordinator stopping its job stops that
 * job's items here); refuses unsigned or mis-signed jobs with one line. First Ctrl+C drains (in-flight
 * items finish, no new ones start); a second stops at once and puts the in-flight items back in the queue.
 */
import os from 'node:os';
import fs from 'node:fs';
import { runGit } from '../git/git.js';
import { SerialQueue } from '../exec/serial-queue.js';
import { SlotHosts } from '../exec/slot-host.js';
import { connectFirst, loadBull, redisOptions } from './connection.js';
import { CANCEL_CHANNEL, type ItemPayload, KEY_PREFIX, QUEUE_NAME, type WorkerRecord, workerKey } from './protocol.js';
import { openCancel } from './cancel.js';
import { open, seal } from './sign.js';
import { HEARTBEAT_MS, HEARTBEAT_TTL_S, LOCK_MS, MAX_STALLED, SOON_MS, STALL_INTERVAL_MS } from './timing.js';
import type { QueueTarget } from './url.js';
import { type ItemHost, runItemOnWorker, scratchDir } from './worker-item.js';

export interface WorkerOptions {
  target: QueueTarget;
  secret: string | null;
  concurrency: number;
  repo: string;
  version: string;
  env: NodeJS.ProcessEnv;
  /** One line for the terminal (already masked where it carries item output). */
  say(line: string): void;
  /** First abort: drain. Second: stop at once. */
  stop: { drain: AbortSignal; now: AbortSignal };
}

interface Running {
  /** `<job-id> <run>`: what a cancel names. */
  key: string;
  ac: AbortController;
}

export async function runWorker(o: WorkerOptions): Promise<number> {
  const { bull, Redis } = await loadBull();
  const connection = redisOptions(o.target);
  const redis = await connectFirst(Redis, o.target);
  const host = os.hostname();
  const tag = `${host}:${process.pid}`;
  const scratch = scratchDir();
  // A worker killed earlier left worktree records behind in this clone; git forgets them now.
  await runGit(o.repo, ['worktree', 'prune']).catch(() => undefined);
  const reuse = o.env.PRODIGY_AGENT_WORKTREE_REUSE !== '0';
  const h: ItemHost = { repo: o.repo, tag, scratch, admin: new SerialQueue(), processEnv: o.env, ...(reuse ? { slots: new Map<string, string>() } : {}) };
  const running = new Map<string, Running>();
  // One long-lived shell per concurrency slot runs the items' shell commands (as local agents do).
  const hosts = new SlotHosts();
  const freeSlots = Array.from({ length: o.concurrency }, (_, i) => `slot-${o.concurrency - i}`);
  const cancelled = new Set<string>();
  const record: WorkerRecord = {
    id: tag,
    host,
    pid: process.pid,
    concurrency: o.concurrency,
    version: o.version,
    repo: o.repo,
    started_at: new Date().toISOString(),
    heartbeat_at: '',
    current: [],
    completed: 0,
    failed: 0,
    per_min: 0,
    draining: false,
  };
  const finishedAt: number[] = [];

  const processor = async (job: import('bullmq').Job, token?: string): Promise<unknown> => {
    const id = job.id!;
    const opened = open<ItemPayload>(job.data, id, o.secret);
    if (!opened.ok) {
      o.say(`refused job ${id}: ${opened.reason}`);
      record.failed += 1;
      throw new bull.UnrecoverableError(`refused by worker ${tag}: ${opened.reason}`);
    }
    const p = opened.value;
    const ac = new AbortController();
    const key = `${p.job_id} ${p.run}`;
    running.set(id, { key, ac });
    record.current = [...running.keys()];
    soonBeat();
    if (cancelled.has(key)) ac.abort();
    try {
      const slot = freeSlots.pop() ?? `slot-extra-${id}`;
      const r = await runItemOnWorker(h, p, ac.signal, hosts.slot(slot).run, undefined, slot.startsWith('slot-extra-') ? undefined : slot).finally(() => freeSlots.push(slot));
      if (o.stop.now.aborted && r.status === 'cancelled' && token) {
        // Stopped at once by this worker's own Ctrl+C: the item goes back to the queue for another worker.
        await job.moveToWait(token);
        throw new bull.WaitingError();
      }
      if (r.status === 'success') record.completed += 1;
      else record.failed += 1;
      finishedAt.push(Date.now());
      o.say(`${r.status === 'success' ? '✓' : r.status === 'cancelled' ? '·' : '✗'} ${p.job_id} ${p.item_id} ${r.status}${r.error ? `: ${r.error}` : ''} (${r.duration_ms} ms)`);
      return seal(r, id, o.secret);
    } finally {
      running.delete(id);
      record.current = [...running.keys()];
    }
  };

  const worker = new bull.Worker(QUEUE_NAME, processor, {
    connection,
    prefix: KEY_PREFIX,
    concurrency: o.concurrency,
    lockDuration: LOCK_MS,
    stalledInterval: STALL_INTERVAL_MS,
    maxStalledCount: MAX_STALLED,
    autorun: false,
  });
  worker.on('error', (err) => o.say(`queue: ${err.message.split('\n')[0]}`));
  const sub = new Redis(connection);
  sub.on('error', () => undefined);
  await sub.subscribe(CANCEL_CHANNEL);
  sub.on('message', (_channel: string, text: string) => {
    const m = openCancel(text, o.secret);
    if (!m.ok) {
      o.say(`ignored a cancel message: ${m.reason}`);
      return;
    }
    const key = `${m.value.job_id} ${m.value.run}`;
    // Remembered for items of that run taken a moment after the cancel (a race with the removal).
    cancelled.add(key);
    for (const r of running.values()) if (r.key === key) r.ac.abort();
  });
  const beat = async () => {
    record.heartbeat_at = new Date().toISOString();
    while (finishedAt.length && finishedAt[0]! < Date.now() - 60_000) finishedAt.shift();
    record.per_min = finishedAt.length;
    await redis.set(workerKey(tag), JSON.stringify(record), 'EX', HEARTBEAT_TTL_S).catch(() => undefined);
  };
  // The coordinator learns which worker runs an item from `current` in this record: an item taken is
  // announced within SOON_MS (one SET for all items taken meanwhile), not with a queue event per item.
  let soon: NodeJS.Timeout | null = null;
  function soonBeat(): void {
    soon ??= setTimeout(() => {
      soon = null;
      void beat();
    }, SOON_MS);
  }
  await beat();
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  o.say(`Worker ${tag} on ${o.target.display}: ${o.concurrency} at a time, repository ${o.repo}${o.secret === null ? ' (insecure: unsigned jobs accepted)' : ''}`);
  const runs = worker.run();

  const onDrain = () => {
    record.draining = true;
    void beat();
    o.say(`Draining: finishing ${running.size} item(s), taking no new ones (Ctrl+C again to stop at once)`);
    void worker.close();
  };
  const onNow = () => {
    o.say(`Stopping now: ${running.size} item(s) go back to the queue`);
    for (const r of running.values()) r.ac.abort();
  };
  if (o.stop.drain.aborted) onDrain();
  else o.stop.drain.addEventListener('abort', onDrain, { once: true });
  o.stop.now.addEventListener('abort', onNow, { once: true });
  try {
    await runs;
    await worker.close();
  } finally {
    clearInterval(timer);
    if (soon) clearTimeout(soon);
    hosts.close(o.stop.now.aborted);
    await redis.del(workerKey(tag)).catch(() => undefined);
    redis.disconnect();
    sub.disconnect();
    fs.rmSync(scratch, { recursive: true, force: true });
    // The slots' worktrees went with the scratch folder: git forgets them now, not at the next start.
    await runGit(o.repo, ['worktree', 'prune']).catch(() => undefined);
  }
  o.say(`Worker ${tag} stopped: ${record.completed} completed, ${record.failed} failed`);
  return 130;
}
