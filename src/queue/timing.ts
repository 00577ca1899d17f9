/**
 * How fast a dead worker's item goes to another worker, and why these values.
 *
 * BullMQ keeps an active job's lock alive by renewing it every lockDuration/2; a killed worker stops
 * renewing, and the next stalled-job check (every STALL_INTERVAL_MS, run by any live worker) after the
 * lock expired moves the job back to waiting. So a dead worker costs at most LOCK_MS + STALL_INTERVAL_MS
 * (~15 s) before its item runs elsewhere.
 * - LOCK_MS = 10 s (BullMQ's default is 30 s): renewal every 5 s. A worker's event loop only waits on
 *   child processes and git, so even a loaded 2-core machine renews well inside 10 s; a false "stalled"
 *   would only re-run an item (its late result is ignored: exactly once is the coordinator's rule).
 * - STALL_INTERVAL_MS = 5 s: the check is one Lua script per worker; halving the latency costs little.
 * - MAX_STALLED = 3: a job whose workers die three times fails (the coordinator's retries and DLQ take
 *   over) instead of killing worker after worker forever.
 */
export const LOCK_MS = Number(process.env.PRODIGY_QUEUE_LOCK_MS) || 10_000;
export const STALL_INTERVAL_MS = Number(process.env.PRODIGY_QUEUE_STALL_MS) || 5_000;
export const MAX_STALLED = 3;
/** Workers refresh their record this often; it expires after HEARTBEAT_TTL_S without one. */
export const HEARTBEAT_MS = 2_000;
export const HEARTBEAT_TTL_S = 10;
/** An item taken is in the worker's record (where the coordinator sees who runs it) within this. */
export const SOON_MS = 200;
