/**
 * Faults with real processes: a worker SIGKILLed mid-item, the coordinator interrupted and resumed, Redis
 * killed and restarted mid-job. Each ends with every item completed and merged exactly once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { gitIn } from '../../helpers/git-repo.js';
import { withoutUntrustedWarnings } from '../../helpers/cli.js';
import { onlySession, startProdigy } from '../workflow-helpers.js';
import { committingWorkflow, eventsOf, jobOf, type QueueWorld, queueWorld, until } from './queue-fixture.js';

let world: QueueWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const SLOW = 240_000;
// Shorter than the defaults (timing.ts), so a dead worker's item comes back in seconds here too.
const FAST_STALL = { PRODIGY_QUEUE_LOCK_MS: '4000', PRODIGY_QUEUE_STALL_MS: '2000' };

/** Every item completed once and its one commit merged once into the user's branch. */
async function everyItemOnce(w: QueueWorld, n: number, before: string): Promise<void> {
  const job = await jobOf(w.home);
  expect(job.items.map((i) => i.status)).toEqual(Array(n).fill('completed'));
  const completed = eventsOf(w.home).filter((e) => e.type === 'AgentCompleted').map((e) => e.item_id);
  expect(completed.length).toBe(n);
  expect(new Set(completed).size).toBe(n);
  const subjects = gitIn(w.repo, ['log', '--format=%s', `${before}..HEAD`]).split('\n').filter((s) => /^item \d+$/.test(s));
  expect(subjects.length).toBe(n);
  expect(new Set(subjects).size).toBe(n);
}

describe('queue faults', () => {
  it('a worker SIGKILLed mid-item: BullMQ hands the item to the other worker, completed exactly once', async () => {
    world = await queueWorld();
    const w = world;
    const env = { ...w.env, ...FAST_STALL };
    const a = await w.startWorker({ concurrency: 1, env });
    await w.startWorker({ concurrency: 1, env });
    const tagA = `:${a.child.pid}`;
    const before = gitIn(w.repo, ['rev-parse', 'HEAD']);
    const run = startProdigy(['run', w.workflow(committingWorkflow(6, 2)), '-y', '--queue', w.redis.url], { home: w.home, cwd: w.repo, env: { ...w.env, ...FAST_STALL } });
    let victim = '';
    await until(async () => {
      const job = await jobOf(w.home).catch(() => null);
      const it = job?.items.find((i) => i.status === 'running' && i.worker?.endsWith(tagA));
      victim = it?.id ?? '';
      return victim !== '';
    }, 'worker A to take an item');
    process.kill(-a.child.pid!, 'SIGKILL');
    const { code } = await run.exit;
    expect(withoutUntrustedWarnings(run.stderr())).toBe('');
    expect(code).toBe(0);
    const job = await jobOf(w.home);
    const it = job.items.find((i) => i.id === victim)!;
    expect(it.worker?.endsWith(tagA)).toBe(false);
    expect(it.attempts).toBe(1);
    await everyItemOnce(w, 6, before);
  }, SLOW);

  it('coordinator SIGINT: Paused, exit 130; resume-job finishes only the items not completed', async () => {
    world = await queueWorld();
    const w = world;
    await w.startWorker({ concurrency: 2 });
    await w.startWorker({ concurrency: 2 });
    const before = gitIn(w.repo, ['rev-parse', 'HEAD']);
    const run = startProdigy(['run', w.workflow(committingWorkflow(16, 1)), '-y', '--queue', w.redis.url], { home: w.home, cwd: w.repo, env: w.env });
    await until(async () => ((await jobOf(w.home).catch(() => null))?.items.filter((i) => i.status === 'completed').length ?? 0) >= 3, 'three items done');
    process.kill(-run.child.pid!, 'SIGINT');
    const first = await run.exit;
    expect(first.code).toBe(130);
    expect(onlySession(w.home).status).toBe('Paused');
    const done = (await jobOf(w.home)).items.filter((i) => i.status === 'completed').map((i) => i.id);
    expect(done.length).toBeLessThan(16);
    const jobId = onlySession(w.home).mapreduce_data!.job_id;
    const resume = startProdigy(['resume-job', jobId, '-y'], { home: w.home, cwd: w.repo, env: { ...w.env, PRODIGY_QUEUE: w.redis.url } });
    const second = await resume.exit;
    expect(withoutUntrustedWarnings(resume.stderr())).toBe('');
    expect(second.code).toBe(0);
    expect(resume.stdout()).toContain('16 successful, 0 failed, 16 total');
    expect(onlySession(w.home).status).toBe('Completed');
    await everyItemOnce(w, 16, before);
  }, SLOW);

  it('Redis killed and restarted mid-job: coordinator and workers reconnect, the job completes, each item once', async () => {
    world = await queueWorld();
    const w = world;
    await w.startWorker({ concurrency: 2 });
    await w.startWorker({ concurrency: 2 });
    const before = gitIn(w.repo, ['rev-parse', 'HEAD']);
    const run = startProdigy(['run', w.workflow(committingWorkflow(16, 0.5)), '-y', '--queue', w.redis.url], { home: w.home, cwd: w.repo, env: w.env });
    await until(async () => ((await jobOf(w.home).catch(() => null))?.items.filter((i) => i.status === 'completed').length ?? 0) >= 3, 'three items done');
    await w.redis.kill();
    await w.redis.restart();
    const { code } = await run.exit;
    expect(code).toBe(0);
    expect(run.stdout()).toContain('16 successful, 0 failed, 16 total');
    await everyItemOnce(w, 16, before);
  }, SLOW);
});
