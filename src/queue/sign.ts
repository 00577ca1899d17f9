/**
 * Jobs and results are signed: a worker runs commands it reads from Redis, so anyone who can write to
 * Redis could otherwise run anything on every worker. HMAC-SHA256 with the shared secret
 * (PRODIGY_QUEUE_SECRET) over the queue job's id and the payload's exact JSON text, so a payload can
 * be neither changed nor replayed under another id. The body travels as a string: nothing to
 * canonicalise. Unsigned envelopes exist only for `--insecure` on a loopback Redis.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Envelope {
  v: 1;
  body: string;
  /** hex HMAC-SHA256; absent when unsigned (--insecure). */
  sig?: string;
}

export type Opened<T> = { ok: true; value: T } | { ok: false; reason: string };

function mac(secret: string, id: string, body: string): string {
  return createHmac('sha256', secret).update(`${id}\n${body}`).digest('hex');
}

export function seal(value: unknown, id: string, secret: string | null): Envelope {
  const body = JSON.stringify(value);
  return secret === null ? { v: 1, body } : { v: 1, body, sig: mac(secret, id, body) };
}

/** Checks and parses an envelope. With a secret, an unsigned or mis-signed one is refused. */
export function open<T>(data: unknown, id: string, secret: string | null): Opened<T> {
  if (data === null || typeof data !== 'object') return { ok: false, reason: 'not a prodigy job' };
  const e = data as Partial<Envelope>;
  if (e.v !== 1 || typeof e.body !== 'string') return { ok: false, reason: 'not a prodigy job (no envelope)' };
  if (secret !== null) {
    if (typeof e.sig !== 'string') return { ok: false, reason: 'unsigned (this worker requires PRODIGY_QUEUE_SECRET signatures)' };
    const want = Buffer.from(mac(secret, id, e.body), 'hex');
    const got = Buffer.from(e.sig, 'hex');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'bad signature (a different PRODIGY_QUEUE_SECRET, or changed in transit)' };
  }
  try {
    return { ok: true, value: JSON.parse(e.body) as T };
  } catch {
    return { ok: false, reason: 'its body is not JSON' };
  }
}
