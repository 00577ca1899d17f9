/** The process that owns a session, as its metadata records it (pid, host, start time, boot). */
import os from 'node:os';
import { isProcessAlive, type ProcessIdentity } from '../storage/proc-identity.js';
import { META, type UnifiedSession } from './types.js';

/** null when the session records no owner pid (Prodigy's own files). */
export function ownerOf(s: UnifiedSession): ProcessIdentity | null {
  const pid = s.metadata[META.ownerPid];
  if (typeof pid !== 'number') return null;
  const host = s.metadata[META.ownerHost];
  const ticks = s.metadata[META.ownerStartTicks];
  const boot = s.metadata[META.ownerBootId];
  return {
    pid,
    host: typeof host === 'string' ? host : os.hostname(),
    start_ticks: typeof ticks === 'number' ? ticks : null,
    boot_id: typeof boot === 'string' ? boot : null,
  };
}

/** Alive / dead on this host; undefined for another host or no recorded owner. */
export function isOwnerAlive(s: UnifiedSession): boolean | undefined {
  const o = ownerOf(s);
  return o ? isProcessAlive(o) : undefined;
}
