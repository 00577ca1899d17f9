/**
 * The only door to bullmq and ioredis: loaded lazily, so the one-machine path (and every listing)
 * never pays for them. Connections retry forever with a short backoff: a Redis that restarts is
 * waited for, not a failure.
 */
import type { QueueTarget } from './url.js';

export type Bull = typeof import('bullmq');
export type RedisCtor = typeof import('ioredis').Redis;

export async function loadBull(): Promise<{ bull: Bull; Redis: RedisCtor }> {
  const [bull, io] = await Promise.all([import('bullmq'), import('ioredis')]);
  return { bull, Redis: io.Redis };
}

export function redisOptions(t: QueueTarget): import('ioredis').RedisOptions {
  return {
    host: t.host,
    port: t.port,
    db: t.db,
    ...(t.username ? { username: t.username } : {}),
    ...(t.password ? { password: t.password } : {}),
    ...(t.tls ? { tls: { servername: t.host } } : {}),
    // BullMQ's workers require null; for the coordinator too it means "wait for the server, never give up".
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  };
}
