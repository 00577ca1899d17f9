/**
 * The job's own state file, `state/<repo>/mapreduce/jobs/<job-id>/job.json`: one lowdb JSONFile, one
 * writer (the process running the job), written whole and atomically (steno: temp file + rename) only at
 * phase changes, exits (`flush()`) and compaction. Between them, `changed()` appends one coalesced line to
 * the job journal beside it (`job.journal.jsonl`, storage/job-journal.ts) with only the items that changed
 * (at most one line per `minIntervalMs`, 100 ms: ~10/s however many agents run). Compaction: when the
 * journal has grown as large as job.json (past 1 MB), job.json is rewritten and the journal emptied.
 *
 * An item's completion is made durable before its agent slot is reused by the event log (events.ts),
 * which the runner appends synchronously and replays into this state on resume (`reconcileWithEvents`),
 * so the coalescing window can only lose *status*, never a completed item's result.
 */
import fs from 'node:fs';
import { nowMs } from './clock.js';
import type { JobState } from './job-types.js';
import { readIfExistsRetrying } from '../storage/bounded-read.js';
import { JOB_JOURNAL_SEQ_KEY, JOB_JOURNAL_VERSION, jobChanges, replayJobJournal } from '../storage/job-journal.js';
import { isIoFault } from '../storage/io-fault.js';
import { JsonlAppender } from '../storage/jsonl.js';
import { jobJournalOf } from '../storage/paths.js';
import { compactionDue } from '../storage/session-journal.js';
import { SnapshotFile } from '../storage/snapshot-file.js';
import { checkShape, parseJsonText } from '../storage/schema-check.js';
import { JobStateSchema } from '../storage/schemas.js';
import { CorruptFileError, ensureDirFor, removeIfExistsSync } from '../storage/store-file.js';

export class CorruptJobFileError extends CorruptFileError {}

type Rec = Record<string, unknown>;

/** job.json checked against its schema (storage/schemas.ts): path + first violation, never its contents. */
export function parseJobState(text: string, file: string): JobState {
  return checkShape(JobStateSchema, parseJsonText(text, file, CorruptJobFileError), file, CorruptJobFileError) as unknown as JobState;
}

/**
 * job.json + journal text, replayed. A complete journal line that is not valid (wrong types, an item
 * position job.json lacks) makes the job corrupt: reported with the journal's path, never resumed (its
 * owner only ever appends whole lines; a torn last line is a kill mid-write and is ignored).
 */
export function replayJob(job: JobState, journal: string, file: string): { job: JobState; seq: number } {
  const r = replayJobJournal(job as unknown as Rec & { items: unknown[] }, journal);
  if (r.firstBad !== null) throw new CorruptJobFileError(jobJournalOf(file), r.firstBad);
  return { job: r.job as unknown as JobState, seq: r.seq };
}

/** job.json + its journal, and the journal's last seq. One read of each file. */
async function readWithSeq(file: string): Promise<{ state: JobState; seq: number } | null> {
  // The journal first: the owner rewrites job.json before it empties the journal.
  const journal = (await readIfExistsRetrying(jobJournalOf(file))) ?? '';
  const text = await readIfExistsRetrying(file);
  if (text === null) return null;
  const { job, seq } = replayJob(parseJobState(text, file), journal, file);
  return { state: job, seq };
}

/** Reads a job (job.json + journal) without taking ownership (CLI, dashboard). null when it does not exist. */
export async function readJobState(file: string): Promise<JobState | null> {
  return (await readWithSeq(file))?.state ?? null;
}

/** Journal floor before compaction is considered (job.json itself is usually larger at scale). */
const JOB_COMPACTION_FLOOR = 1024 * 1024;

export class JobStore {
  /**
   * Figures for the benchmark: how many writes (snapshots + journal lines), the time they held the
   * event loop (serialising, diffing, appending), and their whole latency.
   */
  writes = 0;
  snapshotWrites = 0;
  blockingMs = 0;
  writeMs = 0;
  private readonly db: SnapshotFile<JobState>;
  private readonly journal: JsonlAppender;
  private seq: number;
  private snapshotBytes = 0;
  /** Shallow copies of what the last line or snapshot recorded: what `changed()` diffs against. */
  private shadowJob: Rec = {};
  private shadowItems: Rec[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private dirty = false;
  private lastWriteAt = Number.NEGATIVE_INFINITY;

  private constructor(
    readonly file: string,
    state: JobState,
    private readonly minIntervalMs: number,
    seq: number,
  ) {
    this.db = new SnapshotFile<JobState>(file, state);
    this.seq = seq;
    this.journal = new JsonlAppender(jobJournalOf(file), { repair: true });
  }

  /** A new job file, written at once. */
  static async create(file: string, state: JobState, minIntervalMs = 100): Promise<JobStore> {
    await ensureDirFor(file);
    removeIfExistsSync(jobJournalOf(file)); // a journal of an earlier job of the same id
    const store = new JobStore(file, state, minIntervalMs, 0);
    await store.flush();
    return store;
  }

  /** Takes over an existing job (resume): one read of job.json and its journal. Missing or corrupt: throws. */
  static async open(file: string, minIntervalMs = 100): Promise<JobStore> {
    const read = await readWithSeq(file);
    if (!read) throw new CorruptJobFileError(file, 'no such job file');
    return new JobStore(file, read.state, minIntervalMs, read.seq);
  }

  /** The live state; the owner mutates it (replacing an item's fields, not mutating them), then calls changed() or flush(). */
  get state(): JobState {
    return this.db.data;
  }

  /** Asks for a journal line within minIntervalMs; many calls in that window make one line. */
  changed(): void {
    this.dirty = true;
    if (this.timer || this.inFlight) return;
    const wait = Math.max(0, this.lastWriteAt + this.minIntervalMs - nowMs());
    this.timer = setTimeout(() => {
      this.timer = null;
      // A full disk here has no caller to throw to: it is latched and stops the run (storage/io-fault.ts).
      void this.writeNow(false).catch((err: unknown) => {
        if (!isIoFault(err)) throw err;
      });
    }, wait);
  }

  /** Rewrites job.json now (after any write in flight), with everything folded in; empties the journal. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.inFlight) await this.inFlight;
    this.dirty = true;
    await this.writeNow(true);
  }

  /** Final write; no timer is left behind to keep the process alive. */
  async close(): Promise<void> {
    await this.flush();
    this.journal.close();
  }

  private async writeNow(snapshot: boolean): Promise<void> {
    if (this.inFlight) {
      await this.inFlight;
      return;
    }
    if (!this.dirty) return;
    this.dirty = false;
    const t = nowMs();
    if (!snapshot) {
      const changes = jobChanges(this.shadowJob, this.shadowItems, this.state as unknown as Rec & { items: Rec[] });
      if (changes) {
        this.seq += 1;
        const at = new Date().toISOString();
        this.state.updated_at = at;
        this.journal.append({ v: JOB_JOURNAL_VERSION, seq: this.seq, at, ...changes });
        for (const [i, it] of changes.items ?? []) this.shadowItems[i] = { ...it };
        if (changes.job) Object.assign(this.shadowJob, changes.job);
        this.writes += 1;
      }
      this.lastWriteAt = nowMs();
      this.blockingMs += this.lastWriteAt - t;
      this.writeMs += this.lastWriteAt - t;
      if (!compactionDue(this.journal.bytes, this.snapshotBytes, JOB_COMPACTION_FLOOR)) {
        if (this.dirty) this.changed();
        return;
      }
      this.dirty = true; // compaction: fall through to a snapshot with everything folded in
    }
    this.dirty = false;
    const seq = this.seq;
    this.state.updated_at = new Date().toISOString();
    (this.state as unknown as Rec)[JOB_JOURNAL_SEQ_KEY] = seq;
    this.shadowJob = { ...(this.state as unknown as Rec) };
    this.shadowItems = this.state.items.map((it) => ({ ...(it as unknown as Rec) }));
    let written = false;
    const write = this.db.write().then(() => {
      written = true;
    });
    this.blockingMs += nowMs() - t;
    this.inFlight = write.finally(() => {
      this.inFlight = null;
      this.lastWriteAt = nowMs();
      this.writes += 1;
      this.snapshotWrites += 1;
      this.writeMs += this.lastWriteAt - t;
      try {
        this.snapshotBytes = fs.statSync(this.file).size;
      } catch {
        this.snapshotBytes = 0;
      }
      // Lines appended meanwhile have a greater seq: keep them (a reader applies them after job.json).
      // Only once job.json holds them: a failed write (disk full) keeps the journal, and with it the state.
      if (written && this.seq === seq) this.journal.truncate();
      // Changes made while writing get their own (coalesced) line.
      if (this.dirty) this.changed();
    });
    await this.inFlight;
  }
}
