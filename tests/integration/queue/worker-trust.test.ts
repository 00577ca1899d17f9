/**
 * A worker runs commands read from Redis: it refuses unsigned and mis-signed jobs, with one line each,
 * and ignores (with one line) a cancel message that is not signed with its secret.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { sealCancel } from '../../../src/queue/cancel.js';
import type { ItemPayload, ItemResult } from '../../../src/queue/protocol.js';
import { open, seal } from '../../../src/queue/sign.js';
import { prodigy } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/home.js';
import { type QueueWorld, queueWorld, SECRET, until } from './queue-fixture.js';

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
    const refusals = () => w.stdout().split('\n').filter((l) => l.startsWith('refused job'));
    // The worker writes its lines in batches (a tenth of a second apart at most).
    await until(() => refusals().length >= 2, 'two refusal lines');
    expect(refusals()).toEqual([
      'refused job prodigy:j:item-0: unsigned (this worker requires PRODIGY_QUEUE_SECRET signatures)',
      'refused job prodigy:j:item-1: bad signature (a different PRODIGY_QUEUE_SECRET, or changed in transit)',
    ]);
    expect((await queue.getJob('prodigy:j:item-0'))!.failedReason).toMatch(/^refused by worker .+:\d+: unsigned/);
  }, 60_000);

  it('ignores an unsigned or mis-signed cancel with one line each; a signed one stops the item', async () => {
    world = await queueWorld();
    const w = await world.startWorker({ concurrency: 1 });
    const connection = { host: '127.0.0.1', port: world.redis.port, maxRetriesPerRequest: null };
    queue = new Queue('prodigy-items', { connection, prefix: 'prodigy' });
    const pub = new Redis(connection);
    try {
      const gates = tempDir('prodigy-gate-');
      // Each item waits for its gate file: it is in flight for as long as the test needs, no longer.
      const item = (n: number): ItemPayload => ({
        job_id: 'j',
        session_id: 's',
        item_id: `item-${n}`,
        index: n,
        item: { n },
        total: 2,
        attempt: 1,
        run: 'run-1',
        workflow_name: 'w',
        commands: [{ kind: 'shell', text: `while [ ! -f ${path.join(gates, String(n))} ]; do sleep 0.05; done; echo through`, captureFormat: 'string', commitRequired: false, line: 1 }],
        variables: {},
        env: {},
        secrets: {},
        strict: false,
        git: null,
      });
      const result = async (id: string) => {
        const r = open<ItemResult>((await queue!.getJob(id))!.returnvalue, id, SECRET);
        if (!r.ok) throw new Error(r.reason);
        return r.value;
      };
      const ignored = () => w.stdout().split('\n').filter((l) => l.startsWith('ignored a cancel'));
      await queue.add('item', seal(item(0), 'prodigy:j:item-0', SECRET), { jobId: 'prodigy:j:item-0' });
      await until(async () => (await queue!.getJobState('prodigy:j:item-0')) === 'active', 'the worker to take item-0');
      await pub.publish('prodigy:cancel', sealCancel({ job_id: 'j', run: 'run-1' }, null));
      await pub.publish('prodigy:cancel', sealCancel({ job_id: 'j', run: 'run-1' }, 'a-different-secret-entirely'));
      await until(() => ignored().length === 2, 'two ignored cancels');
      expect(ignored()).toEqual([
        'ignored a cancel message: unsigned (this worker requires PRODIGY_QUEUE_SECRET signatures)',
        'ignored a cancel message: bad signature (a different PRODIGY_QUEUE_SECRET, or changed in transit)',
      ]);
      fs.writeFileSync(path.join(gates, '0'), '');
      await until(async () => (await queue!.getJobState('prodigy:j:item-0')) === 'completed', 'item-0 to complete');
      expect(await result('prodigy:j:item-0')).toMatchObject({ status: 'success', output: 'through' });

      await queue.add('item', seal(item(1), 'prodigy:j:item-1', SECRET), { jobId: 'prodigy:j:item-1' });
      await until(async () => (await queue!.getJobState('prodigy:j:item-1')) === 'active', 'the worker to take item-1');
      await pub.publish('prodigy:cancel', sealCancel({ job_id: 'j', run: 'run-1' }, SECRET));
      await until(async () => (await queue!.getJobState('prodigy:j:item-1')) === 'completed', 'item-1 to be stopped');
      expect(await result('prodigy:j:item-1')).toMatchObject({ status: 'cancelled' });
      expect(ignored()).toHaveLength(2);
    } finally {
      pub.disconnect();
    }
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
