/** A worker runs commands read from Redis: it refuses unsigned and mis-signed jobs, with one line each. */
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { seal } from '../../../src/queue/sign.js';
import { prodigy } from '../../helpers/cli.js';
import { type QueueWorld, queueWorld, until } from './queue-fixture.js';

let world: QueueWorld | undefined;
let queue: Queue | undefined;
afterEach(async () => {
  await queue?.close();
  queue = undefined;
  await world?.stop();
  world = undefined;
});

describe('prodigy worker trust', () => {
  it('refuses an unsigned job and a mis-signed one, each with one line, and fails them', async () => {
    world = await queueWorld();
    const w = await world.startWorker({ concurrency: 1 });
    queue = new Queue('prodigy-items', { connection: { host: '127.0.0.1', port: world.redis.port, maxRetriesPerRequest: null }, prefix: 'prodigy' });
    const payload = { job_id: 'j', item_id: 'item-0', commands: [{ kind: 'shell', text: 'touch /tmp/should-never-run' }] };
    await queue.add('item', { v: 1, body: JSON.stringify(payload) }, { jobId: 'prodigy:j:item-0' });
    await queue.add('item', seal(payload, 'prodigy:j:item-1', 'a-different-secret-entirely'), { jobId: 'prodigy:j:item-1' });
    await until(async () => (await queue!.getJobState('prodigy:j:item-0')) === 'failed' && (await queue!.getJobState('prodigy:j:item-1')) === 'failed', 'both jobs to fail');
    const refusals = w.stdout().split('\n').filter((l) => l.startsWith('refused job'));
    expect(refusals).toEqual([
      'refused job prodigy:j:item-0: unsigned (this worker requires PRODIGY_QUEUE_SECRET signatures)',
      'refused job prodigy:j:item-1: bad signature (a different PRODIGY_QUEUE_SECRET, or changed in transit)',
    ]);
    expect((await queue.getJob('prodigy:j:item-0'))!.failedReason).toMatch(/^refused by worker .+:\d+: unsigned/);
  }, 60_000);

  it('will not start without a secret, nor --insecure on a Redis elsewhere', () => {
    const env = { PRODIGY_QUEUE_SECRET: '' };
    const a = prodigy(['worker', '--queue', 'redis://127.0.0.1:1'], { env });
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^prodigy: PRODIGY_QUEUE_SECRET is not set/);
    const b = prodigy(['worker', '--queue', 'redis://10.0.0.1:6379', '--insecure'], { env });
    expect(b.code).toBe(2);
    expect(b.stderr.trim()).toBe('prodigy: --insecure is only allowed with a Redis on this machine (loopback), not 10.0.0.1');
    const c = prodigy(['worker'], { env });
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/needs --queue/);
  });
});
