/**
 * The cancel channel's messages (a coordinator stopping its job's items on every worker) are signed
 * like jobs, under the channel's name: unsigned, anyone who can publish on Redis could stop every
 * worker's items. A worker ignores, with one line, a message that is not signed with its secret.
 */
import { CANCEL_CHANNEL, type CancelMessage } from './protocol.js';
import { open, type Opened, seal } from './sign.js';

export function sealCancel(m: CancelMessage, secret: string | null): string {
  return JSON.stringify(seal(m, CANCEL_CHANNEL, secret));
}

export function openCancel(text: string, secret: string | null): Opened<CancelMessage> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const m = open<Partial<CancelMessage> | null>(data, CANCEL_CHANNEL, secret);
  if (!m.ok) return m;
  const { job_id, run } = m.value ?? {};
  if (typeof job_id !== 'string' || typeof run !== 'string') return { ok: false, reason: 'no job_id and run in it' };
  return { ok: true, value: { job_id, run } };
}
