/**
 * The job's own state file, `state/<repo>/mapreduce/jobs/<job-id>/job.json`: one lowdb JSONFile, one
 * writer (the process running the job), written whole and atomically (steno: temp file + rename).
 *
 * Writes are coalesced: `changed()` asks for a write and at most one happens per `minIntervalMs`
 * (100 ms: ~10/s however many agents run); `flush()` writes now (phase changes, exit). An item's
 * completion is made durable before its agent slot is reused by the event log (events.ts), which the
 * runner appends synchronously and replays into this state on resume (`reconcileWithEvents`), so the
 * coalescing window can only lose *status*, never a completed item's result.
 */
import { nowMs } from './clock.js';
import type { JobState } from './job-types.js';
import { SnapshotFile } from '../storage/snapshot-file.js';
import { CorruptFileError, ensureDirFor, readIfExists } from '../storage/store-file.js';

export class CorruptJobFileError extends CorruptFileError {}

/** Reads a job file without taking ownership (CLI, dashboard). null when it does not exist. */
export async function readJobState(file: string): Promise<JobState | null> {
  const text = await readIfExists(file);
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CorruptJobFileError(file, `invalid JSON (${(err as Error).message})`);
  }
  const s = raw as Partial<JobState> | null;
  if (!s || typeof s !== 'object' || typeof s.job_id !== 'string' || !Array.isArray(s.items)) {
    throw new CorruptJobFileError(file, 'not a MapReduce job state');
  }
  return s as JobState;
}

export class JobStore {
  /**
   * Figures for the benchmark: how many writes, the time they held the event loop (serialising the
   * state, done synchronously inside lowdb's write), and their whole latency (the file I/O runs off
   * the event loop, while agents go on).
   */
  writes = 0;
  blockingMs = 0;
  writeMs = 0;
  private readonly db: SnapshotFile<JobState>;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private dirty = false;
  private lastWriteAt = Number.NEGATIVE_INFINITY;

  private constructor(
    readonly file: string,
    state: JobState,
    private readonly minIntervalMs: number,
  ) {
    this.db = new SnapshotFile<JobState>(file, state);
  }

  /** A new job file, written at once. */
  static async create(file: string, state: JobState, minIntervalMs = 100): Promise<JobStore> {
    await ensureDirFor(file);
    const store = new JobStore(file, state, minIntervalMs);
    await store.flush();
    return store;
  }

  /** Takes over an existing job file (resume). Throws when it is missing or corrupt (left as it is). */
  static async open(file: string, minIntervalMs = 100): Promise<JobStore> {
    const state = await readJobState(file);
    if (!state) throw new CorruptJobFileError(file, 'no such job file');
    return new JobStore(file, state, minIntervalMs);
  }

  /** The live state; the owner mutates it, then calls changed() or flush(). */
  get state(): JobState {
    return this.db.data;
  }

  /** Asks for a write within minIntervalMs; many calls in that window make one write. */
  changed(): void {
    this.dirty = true;
    if (this.timer || this.inFlight) return;
    const wait = Math.max(0, this.lastWriteAt + this.minIntervalMs - nowMs());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.writeNow();
    }, wait);
  }

  /** Writes now (after any write in flight), whether or not anything changed since. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.inFlight) await this.inFlight;
    this.dirty = true;
    await this.writeNow();
  }

  /** Final write; no timer is left behind to keep the process alive. */
  async close(): Promise<void> {
    await this.flush();
  }

  private async writeNow(): Promise<void> {
    if (this.inFlight) {
      await this.inFlight;
      return;
    }
    if (!this.dirty) return;
    this.dirty = false;
    const t = nowMs();
    this.state.updated_at = new Date().toISOString();
    const write = this.db.write();
    this.blockingMs += nowMs() - t;
    this.inFlight = write.finally(() => {
      this.inFlight = null;
      this.lastWriteAt = nowMs();
      this.writes += 1;
      this.writeMs += this.lastWriteAt - t;
      // Changes made while writing get their own (coalesced) write.
      if (this.dirty) this.changed();
    });
    await this.inFlight;
  }
}
