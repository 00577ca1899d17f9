/** Pure: the secret a coordinator or worker signs with, or why it may not run. */
import { isLoopback, type QueueTarget } from './url.js';

export type Trust = { ok: true; secret: string | null } | { ok: false; error: string };

export function queueTrust(target: QueueTarget, env: NodeJS.ProcessEnv, insecure: boolean): Trust {
  const secret = env.PRODIGY_QUEUE_SECRET ?? '';
  if (secret !== '') {
    if (secret.length < 16) return { ok: false, error: 'PRODIGY_QUEUE_SECRET is too short (at least 16 characters)' };
    return { ok: true, secret };
  }
  if (!insecure) return { ok: false, error: `PRODIGY_QUEUE_SECRET is not set: jobs on ${target.display} must be signed (or --insecure, only for a Redis on this machine)` };
  if (!isLoopback(target.host)) return { ok: false, error: `--insecure is only allowed with a Redis on this machine (loopback), not ${target.host}` };
  return { ok: true, secret: null };
}
