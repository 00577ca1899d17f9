/**
 * The only door to bullmq and ioredis: loaded lazily, so the one-machine path (and every listing)
 * never pays for them. Connections retry forever with a short backoff: a Redis that restarts is
 * waited for, not a failure.
 */
import { isIP } from 'node:net';
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
    // SNI carries host names only (an IP address there is refused by RFC 6066 and warned about by Node).
    ...(t.tls ? { tls: { ...(isIP(t.host) ? {} : { servername: t.host }), ...(t.ca ? { ca: t.ca } : {}) } } : {}),
    // BullMQ's workers require null; for the coordinator too it means "wait for the server, never give up".
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  };
}

/** TLS failures that no retry fixes (a certificate not trusted, or not for this host): one line that says what to do. */
export function tlsFailure(err: unknown, t: QueueTarget): string | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0] : '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|ERR_SSL|ERR_TLS/.test(code)) {
    const hint = /ALTNAME/.test(code) ? `the certificate is not for ${t.host}` : t.ca ? 'the certificate does not chain to PRODIGY_QUEUE_CA' : 'PRODIGY_QUEUE_CA names the CA certificate to trust';
    return `TLS with ${t.display} failed: ${message} (${hint})`;
  }
  return null;
}

/**
 * A first plain connection, ready: a certificate it cannot trust fails now, with one line (bullmq's own
 * connections would retry it forever, and cannot even be closed before they connect).
 */
export async function connectFirst(Redis: RedisCtor, t: QueueTarget, o: { timeoutMs?: number; options?: import('ioredis').RedisOptions } = {}): Promise<import('ioredis').Redis> {
  const { timeoutMs } = o;
  const redis = new Redis(o.options ?? redisOptions(t));
  let last: Error | null = null;
  redis.on('error', (err: Error) => (last = err));
  let timer: NodeJS.Timeout | undefined;
  try {
    const ready = new Promise((resolve, reject) => {
      redis.once('ready', resolve);
      // Options with a retry limit: given up on.
      redis.once('end', () => reject(new Error(`cannot reach Redis at ${t.display}${last ? ` (${last.message.split('\n')[0]})` : ''}`)));
      if (timeoutMs !== undefined) timer = setTimeout(() => reject(new Error(`cannot reach Redis at ${t.display} (waited ${timeoutMs / 1000} s)`)), timeoutMs);
    });
    await readyOrTlsFailure(ready, [redis], t);
  } catch (err) {
    redis.disconnect();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return redis;
}

/**
 * Resolves when `ready()` does; rejects at once, with tlsFailure's line, when one of `emitters` reports
 * a TLS failure (the connections would otherwise retry it forever).
 */
export function readyOrTlsFailure(ready: Promise<unknown>, emitters: { on(ev: 'error', f: (err: Error) => void): unknown; off?(ev: 'error', f: (err: Error) => void): unknown }[], t: QueueTarget): Promise<void> {
  if (!t.tls) return ready.then(() => undefined);
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      const line = tlsFailure(err, t);
      if (line) done(new Error(line));
    };
    const done = (err?: Error) => {
      for (const e of emitters) e.off?.('error', onError);
      if (err) reject(err);
      else resolve();
    };
    for (const e of emitters) e.on('error', onError);
    ready.then(() => done(), (err: Error) => done(err));
  });
}
