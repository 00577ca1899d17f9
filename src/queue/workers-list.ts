/** Reads the live workers (their heartbeat records) and the queue's depth from Redis. */
import { connectFirst, loadBull, redisOptions } from './connection.js';
import { KEY_PREFIX, QUEUE_NAME, type WorkerRecord, WORKER_KEYS } from './protocol.js';
import type { QueueTarget } from './url.js';
import { parseWorkerRecord } from './workers-view.js';
import type { QueueDepth } from '../mapreduce/remote.js';

export async function readWorkers(target: QueueTarget): Promise<{ workers: WorkerRecord[]; depth: QueueDepth }> {
  const { bull, Redis } = await loadBull();
  const connection = { ...redisOptions(target), maxRetriesPerRequest: 3, retryStrategy: (n: number) => (n > 5 ? null : 200 * n) };
  const redis = await connectFirst(Redis, target, { options: connection });
  const queue = new bull.Queue(QUEUE_NAME, { connection, prefix: KEY_PREFIX });
  queue.on('error', () => undefined);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', WORKER_KEYS, 'COUNT', 200);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    const texts = keys.length ? await redis.mget(...keys) : [];
    const workers = texts.map(parseWorkerRecord).filter((r): r is WorkerRecord => r !== null);
    const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return { workers, depth: { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, workers: workers.length } };
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}
