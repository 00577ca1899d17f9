/** The test Redis helper: a real server on its own port and dir, that keeps its data across kill + restart. */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../helpers/redis.js';

let redis: TestRedis | undefined;
afterEach(async () => {
  await redis?.stop();
  redis = undefined;
});

describe('test redis-server', () => {
  it('serves on a free loopback port and keeps its data across SIGKILL and restart', async () => {
    redis = await startRedis();
    const client = new Redis(redis.url, { maxRetriesPerRequest: null, lazyConnect: true });
    try {
      await client.connect();
      await client.set('k', 'v1');
      const first = redis.pid();
      await redis.kill();
      await redis.restart();
      expect(redis.pid()).not.toBe(first);
      // ioredis reconnects by itself; the append-only file brought the key back.
      expect(await client.get('k')).toBe('v1');
    } finally {
      client.disconnect();
    }
  });
});
