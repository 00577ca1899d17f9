/**
 * The coordinator's side of the queue (`prodigy run --queue`): each item attempt becomes one BullMQ job
 * `prodigy:<job-id>:<item-id>` carrying a signed payload; results come back through BullMQ's events
 * (QueueEvents), checked against their signature and attempt, and go to the runner exactly once — a
 * result for an item already settled is a late duplicate: ignored, its pushed branch deleted.
 *
 * A sweep after every reconnect (and every few seconds while no event of this job comes, and at least
 * every 30 s: an event trimmed from the stream unread) asks Redis for the state of the items still out:
 * it catches a result whose event was missed while Redis restarted, and puts back an item whose queue
 * job is gone (a Redis that lost its data). While events flow no sweep runs that often: a sweep is one
 * round trip per item out, the coordinator's largest per-item cost when it ran every 3 s over 2,000
 * queued items. Which worker runs an item comes from the workers' own records (read every second for
 * the queue depth anyway), not from a progress event per item. Interrupt: the waiting jobs are removed
 * and the cancel channel tells the workers to stop this job's items in flight.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import fs from 'node:fs';
import { git, runGit } from '../git/git.js';
import { currentBranch, revParse } from '../git/repo.js';
import { SerialQueue } from '../exec/serial-queue.js';
import type { QueueDepth, RemoteDispatch, RemoteItemRequest, RemoteItemResult, RemoteOutcome } from '../mapreduce/remote.js';
import { type Bull, connectFirst, loadBull, redisOptions } from './connection.js';
import { CANCEL_CHANNEL, type ItemGit, type ItemPayload, KEY_PREFIX, QUEUE_NAME, queueJobId, type WorkerRecord, WORKER_KEYS } from './protocol.js';
import { parseWorkerRecord } from './workers-view.js';
import { sealCancel } from './cancel.js';
import { open, seal } from './sign.js';
import type { QueueTarget } from './url.js';

/** A sweep runs when no event of this job came for this long (and after every reconnect)... */
const SWEEP_MS = 3_000;
/** ...and at least this often: an event trimmed from the stream before it was read is found too. */
const SWEEP_EVERY_MS = 30_000;
const DEPTH_MS = 1_000;
/** Adds are batched: one addBulk per tick (or per this many) instead of one round trip per item. */
const ADD_BATCH = 500;

interface Waiter {
  id: string;
  attempt: number;
  itemId: string;
  payload: ItemPayload | null;
  enqueued: boolean;
  done: boolean;
  resolve(o: RemoteOutcome): void;
  onWorker(worker: string): void;
}

export interface DispatchOptions {
  target: QueueTarget;
  secret: string | null;
  /** The git remote workers push to and the coordinator fetches from (default origin). */
  remoteName: string;
  say(line: string): void;
  /** Give up when Redis cannot be reached for this long (default: wait). */
  connectMs?: number;
}

export class QueueDispatch implements RemoteDispatch {
  base: string | null = null;
  private gitInfo: ItemGit | null = null;
  private jobId = '';
  private sessionId = '';
  private resumed = false;
  private readonly runId = randomUUID();
  private cwd = process.cwd();
  private readonly waiters = new Map<string, Waiter>();
  /** Items whose result was handed to the runner this run. */
  private readonly settled = new Set<string>();
  /** Queue jobs finished this run (removed at the end) and pushed branches to delete from the remote. */
  private readonly finished = new Set<string>();
  private readonly branches = new Set<string>();
  private adds: { name: string; data: unknown; opts: { jobId: string } }[] = [];
  private addTimer: NodeJS.Immediate | null = null;
  private addChain: Promise<unknown> = Promise.resolve();
  private cancelling: Promise<void> | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private depthTimer: NodeJS.Timeout | null = null;
  private sweeping = false;
  private lastEventAt = Date.now();
  private lastSweepAt = Date.now();
  private readonly fetches = new SerialQueue();

  private constructor(
    private readonly o: DispatchOptions,
    private readonly bull: Bull,
    private readonly queue: import('bullmq').Queue,
    private readonly events: import('bullmq').QueueEvents,
    private readonly redis: import('ioredis').Redis,
  ) {}

  static async open(o: DispatchOptions): Promise<QueueDispatch> {
    const { bull, Redis } = await loadBull();
    const connection = redisOptions(o.target);
    const redis = await connectFirst(Redis, o.target, { timeoutMs: o.connectMs });
    const queue = new bull.Queue(QUEUE_NAME, { connection, prefix: KEY_PREFIX, streams: { events: { maxLen: 100_000 } } });
    const events = new bull.QueueEvents(QUEUE_NAME, { connection, prefix: KEY_PREFIX });
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    const d = new QueueDispatch(o, bull, queue, events, redis);
    events.on('completed', ({ jobId, returnvalue }) => d.onCompleted(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => void d.onFailed(jobId, failedReason));
    // Any event (BullMQ writes 'active', 'completed', ... for every job) says the stream is flowing.
    events.on('active', ({ jobId }) => d.heard(jobId));
    // After a reconnect (Redis restarted) look at every item still out at once.
    redis.on('ready', () => void d.sweep());
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return d;
  }

  async begin(b: { cwd: string; jobId: string; sessionId: string; resumed: boolean; isolated: boolean; onDepth?: (d: QueueDepth) => void }): Promise<void> {
    Object.assign(this, { jobId: b.jobId, sessionId: b.sessionId, resumed: b.resumed, cwd: b.cwd });
    if (b.isolated) this.gitInfo = await pushBase(b.cwd, this.o.remoteName);
    this.base = this.gitInfo?.base_commit ?? null;
    this.sweepTimer = setInterval(() => {
      const now = Date.now();
      if (now - this.lastEventAt >= SWEEP_MS || now - this.lastSweepAt >= SWEEP_EVERY_MS) void this.sweep();
    }, SWEEP_MS);
    this.sweepTimer.unref();
    if (b.onDepth) {
      const report = b.onDepth;
      this.depthTimer = setInterval(() => void this.depth().then(report, () => undefined), DEPTH_MS);
      this.depthTimer.unref();
    }
  }

  /** Queue depth of the whole queue (shared by every coordinator on this Redis) and live workers. */
  async depth(): Promise<QueueDepth> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const keys = await this.redis.keys(WORKER_KEYS);
    const records = (keys.length ? await this.redis.mget(...keys) : []).map(parseWorkerRecord).filter((r): r is WorkerRecord => r !== null);
    for (const r of records) for (const id of r.current) this.waiters.get(id)?.onWorker(r.id);
    const list = records
      .map((r) => ({ worker: r.id, running: r.current.length, concurrency: Number(r.concurrency) || 0, completed: Number(r.completed) || 0, per_min: Number(r.per_min) || 0, heartbeat_at: r.heartbeat_at, draining: Boolean(r.draining) }))
      .sort((a, b) => a.worker.localeCompare(b.worker));
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, workers: list.length, list };
  }

  run(req: RemoteItemRequest, signal: AbortSignal, onWorker: (worker: string) => void): Promise<RemoteOutcome> {
    if (signal.aborted) return Promise.resolve({ kind: 'interrupted' });
    const id = queueJobId(this.jobId, req.item.id);
    return new Promise<RemoteOutcome>((resolve) => {
      const w: Waiter = {
        id,
        attempt: req.attempt,
        itemId: req.item.id,
        payload: null,
        enqueued: false,
        done: false,
        resolve: (o) => {
          if (w.done) return;
          w.done = true;
          signal.removeEventListener('abort', onAbort);
          if (this.waiters.get(id) === w) this.waiters.delete(id);
          resolve(o);
        },
        onWorker,
      };
      const onAbort = () => {
        void this.cancel();
        w.resolve({ kind: 'interrupted' });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(id, w);
      w.payload = this.payload(req);
      void this.dispatch(w, req.attempt === 1 && this.resumed).catch((err: Error) => w.resolve({ kind: 'failed', error: `QueueError: ${err.message}` }));
    });
  }

  private payload(req: RemoteItemRequest): ItemPayload {
    return {
      job_id: this.jobId,
      session_id: this.sessionId,
      item_id: req.item.id,
      index: req.item.index,
      item: req.item.item,
      total: req.total,
      attempt: req.attempt,
      run: this.runId,
      workflow_name: req.workflowName,
      commands: req.commands,
      variables: req.variables,
      env: req.env,
      secrets: req.secrets,
      strict: req.strict,
      git: this.gitInfo,
    };
  }

  /** First attempt of a resumed job: its queue job may exist still (finished while we were away, or running). */
  private async dispatch(w: Waiter, lookFirst: boolean): Promise<void> {
    if (lookFirst) {
      const job = await this.queue.getJob(w.id);
      if (job) {
        const state = await job.getState();
        if (state === 'completed') {
          const r = this.openResult(w.id, job.returnvalue);
          if (r && r.status === 'success' && (await this.branchThere(r))) {
            w.enqueued = true;
            this.settle(w, r);
            return;
          }
        }
        if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized') {
          w.enqueued = true;
          return;
        }
        await job.remove().catch(() => undefined);
      }
    } else if (w.attempt > 1) {
      await this.queue.remove(w.id).catch(() => undefined);
    }
    this.enqueue(w);
  }

  /** A result's pushed branch is still on the remote (else its work is lost and the item runs again). */
  private async branchThere(r: RemoteItemResult): Promise<boolean> {
    if (!r.branch || !this.gitInfo) return true;
    return (await runGit(this.cwd, ['ls-remote', '--exit-code', this.gitInfo.remote, `refs/heads/${r.branch}`])).code === 0;
  }

  private enqueue(w: Waiter): void {
    if (this.cancelling || w.done || !w.payload) return;
    w.enqueued = true;
    this.adds.push({ name: 'item', data: seal(w.payload, w.id, this.o.secret), opts: { jobId: w.id } });
    if (this.adds.length >= ADD_BATCH) this.flushAdds();
    else this.addTimer ??= setImmediate(() => this.flushAdds());
  }

  private flushAdds(): void {
    if (this.addTimer) clearImmediate(this.addTimer);
    this.addTimer = null;
    const batch = this.adds;
    this.adds = [];
    if (batch.length === 0) return;
    this.addChain = this.addChain.then(() =>
      this.queue.addBulk(batch).catch((err: Error) => {
        for (const b of batch) this.waiters.get(b.opts.jobId)?.resolve({ kind: 'failed', error: `QueueError: ${err.message}` });
      }),
    );
  }

  private openResult(id: string, returnvalue: unknown): RemoteItemResult | null {
    let v = returnvalue;
    if (typeof v === 'string') {
      try {
        v = JSON.parse(v);
      } catch {
        return null;
      }
    }
    const r = open<RemoteItemResult>(v, id, this.o.secret);
    if (!r.ok) {
      this.o.say(`ignored the result of ${id}: ${r.reason}`);
      return null;
    }
    return r.value;
  }

  private settle(w: Waiter, r: RemoteItemResult): void {
    this.finished.add(w.id);
    if (r.branch) this.branches.add(r.branch);
    if (r.status === 'success') this.settled.add(w.itemId);
    w.resolve({ kind: 'result', result: r });
  }

  private async requeue(w: Waiter): Promise<void> {
    await this.queue.remove(w.id).catch(() => 0);
    w.enqueued = false;
    this.enqueue(w);
  }

  /** An event of one of this job's items: the stream is flowing for us. */
  private heard(id: string): boolean {
    if (!id.startsWith(`${KEY_PREFIX}:${this.jobId}:`)) return false;
    this.lastEventAt = Date.now();
    return true;
  }

  private onCompleted(id: string, returnvalue: unknown): void {
    if (!this.heard(id)) return;
    const r = this.openResult(id, returnvalue);
    if (!r) return;
    if (this.settled.has(r.item_id)) {
      // A late duplicate (the item was settled already): its work is not merged; its branch goes.
      if (r.branch) this.branches.add(r.branch);
      return;
    }
    const w = this.waiters.get(id);
    // Nobody waits (the run is stopping): the result stays in the queue for a resume to take.
    if (!w || w.done || r.item_id !== w.itemId) return;
    // A cancelled or failed result of an earlier attempt says nothing about this one.
    if (r.status !== 'success' && r.attempt !== w.attempt) return;
    // Cancelled by a cancel that was not ours (an earlier run of this job): not a try; the item goes again.
    if (r.status === 'cancelled' && !this.cancelling) {
      void this.requeue(w);
      return;
    }
    this.settle(w, r);
  }

  private async onFailed(id: string, reason: string): Promise<void> {
    const w = this.waiters.get(id);
    if (!w || w.done) return;
    // The event may be of an earlier attempt's queue job: only this attempt's failure counts.
    const job = await this.queue.getJob(id).catch(() => undefined);
    if (job) {
      const data = open<ItemPayload>(job.data, id, this.o.secret);
      if (data.ok && data.value.attempt !== w.attempt) return;
      if ((await job.getState().catch(() => 'failed')) !== 'failed') return;
    }
    this.finished.add(id);
    w.resolve({ kind: 'failed', error: `QueueError: ${reason}` });
  }

  /** Looks at every item still out: results whose events were missed, queue jobs lost with Redis's data. */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.cancelling) return;
    this.sweeping = true;
    this.lastSweepAt = Date.now();
    try {
      const out = [...this.waiters.values()].filter((w) => w.enqueued && !w.done);
      for (let i = 0; i < out.length; i += 100) {
        await Promise.all(
          out.slice(i, i + 100).map(async (w) => {
            const state = await this.queue.getJobState(w.id);
            if (w.done) return;
            if (state === 'completed') {
              const job = await this.queue.getJob(w.id);
              if (job) this.onCompleted(w.id, job.returnvalue);
            } else if (state === 'failed') {
              const job = await this.queue.getJob(w.id);
              if (job) await this.onFailed(w.id, job.failedReason);
            } else if (state === 'unknown') {
              w.enqueued = false;
              this.enqueue(w);
            }
          }),
        );
      }
    } catch {
      /* Redis is away: the next sweep, or the reconnect, tries again */
    } finally {
      this.sweeping = false;
    }
  }

  /** Interrupt: no more adds, waiting jobs of this job removed, workers told to stop its items. */
  cancel(): Promise<void> {
    this.cancelling ??= (async () => {
      this.adds = [];
      await this.addChain;
      await this.redis.publish(CANCEL_CHANNEL, sealCancel({ job_id: this.jobId, run: this.runId }, this.o.secret)).catch(() => undefined);
      const ids = [...this.waiters.keys()];
      for (let i = 0; i < ids.length; i += 200) {
        await Promise.all(ids.slice(i, i + 200).map((id) => this.queue.remove(id).catch(() => 0)));
      }
    })();
    return this.cancelling;
  }

  fetch(r: RemoteItemResult, localBranch: string, cwd: string): Promise<void> {
    const g = this.gitInfo;
    if (!g || !r.branch) return Promise.resolve();
    const branch = r.branch;
    return this.fetches.run(async () => {
      await git(cwd, ['fetch', '-q', '--no-tags', '--no-write-fetch-head', g.remote, `+refs/heads/${branch}:refs/heads/${localBranch}`]);
      const tip = await revParse(cwd, localBranch);
      if (r.head && tip !== r.head) throw new Error(`${branch} on the remote is at ${tip?.slice(0, 12)}, the worker pushed ${r.head.slice(0, 12)}`);
    });
  }

  async end(interrupted: boolean): Promise<void> {
    this.stopTimers();
    if (interrupted) await this.cancel();
    this.flushAdds();
    await this.addChain;
    // Recorded results are in the job's own files now; their queue jobs and pushed branches can go.
    const done = [...this.finished];
    for (let i = 0; i < done.length; i += 200) await Promise.all(done.slice(i, i + 200).map((id) => this.queue.remove(id).catch(() => 0)));
    const g = this.gitInfo;
    if (g) {
      const gone = [...this.branches];
      if (!interrupted) gone.push(g.base_ref);
      for (let i = 0; i < gone.length; i += 50) await runGit(this.cwd, ['push', '-q', g.remote, '--delete', ...gone.slice(i, i + 50)]).catch(() => undefined);
    }
  }

  private stopTimers(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.depthTimer) clearInterval(this.depthTimer);
  }

  async close(): Promise<void> {
    this.stopTimers();
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
  }
}

/** The shared remote's URL (absolute when a local path); throws one line when there is none. */
export async function checkRemote(cwd: string, remoteName: string): Promise<string> {
  const url = await runGit(cwd, ['remote', 'get-url', remoteName]);
  if (url.code !== 0) throw new Error(`the repository has no git remote "${remoteName}" for queue workers to share branches through (git remote add ${remoteName} URL, or --remote NAME)`);
  let remote = url.stdout.trim();
  // A local path means the same folder to workers on this machine only if it is absolute.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(remote) && !/^[^/]+@[^:]+:/.test(remote)) remote = path.resolve(cwd, remote);
  if (remote.startsWith('/') && !fs.existsSync(remote)) throw new Error(`git remote "${remoteName}" is ${remote}, which does not exist`);
  return remote;
}

/** The session worktree's HEAD goes to the remote as its session branch, for workers to fetch. */
async function pushBase(cwd: string, remoteName: string): Promise<ItemGit> {
  const remote = await checkRemote(cwd, remoteName);
  const branch = await currentBranch(cwd);
  const head = await revParse(cwd, 'HEAD');
  if (!branch || !head) throw new Error('the session worktree has no branch to share with queue workers');
  await git(cwd, ['push', '-q', '--force', remote, `HEAD:refs/heads/${branch}`]);
  return { remote, base_ref: branch, base_commit: head };
}
