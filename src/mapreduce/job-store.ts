/**
 * The job's own state file, `state/<repo>/mapreduce/jobs/<job-id>/job.json`, with one writer (the process
 * running the job). job.json is written whole (compact JSON, atomically: temp file + rename) only when the
 * item list is made, at compaction and at close; everything else (item changes, phase changes) appends a
 * line to the job journal beside it (`job.journal.jsonl`, storage/job-journal.ts) holding only the items
 * and top-level fields that changed (coalesced: at most one line per `minIntervalMs`, 100 ms, ~10/s
 * however many agents run; `commit()` writes one at once). Compaction: when the journal has grown to
 * twice job.json (and past 1 MB), job.json is rewritten and the journal emptied.
 *
 * What changed is known without copies: the owner names the items it changed (`changed(index)`) or, with
 * no index, items whose object was replaced are found by identity. Bounded memory: once an item has
 * settled (completed or dead) and its record is on disk, the owner `release`s it and only a small summary
 * stays in memory; a snapshot (and `fullState()`, for reduce) reads released items back from job.json +
 * journal, once each.
 *
 * An item's completion is made durable before its agent slot is reused by the event log (events.ts),
 * which the runner appends synchronously and replays into this state on resume (`reconcileWithEvents`),
 * so the coalescing window can only lose *status*, never a completed item's result.
 */
import fs from 'node:fs';
import { nowMs } from './clock.js';
import type { JobState } from './job-types.js';
import { settledSummary } from './job-state.js';
import { writeFileAtomicSync } from '../storage/atomic-write.js';
import { readIfExistsRetrying } from '../storage/bounded-read.js';
import { JOB_JOURNAL_SEQ_KEY, JOB_JOURNAL_VERSION, replayJobJournal } from '../storage/job-journal.js';
import { isIoFault } from '../storage/io-fault.js';
import { JsonlAppender } from '../storage/jsonl.js';
import { jobJournalOf } from '../storage/paths.js';
import { compactionDue } from '../storage/session-journal.js';
import { checkShape, parseJsonText } from '../storage/schema-check.js';
import { JobStateSchema } from '../storage/schemas.js';
import { CorruptFileError, ensureDirFor, readIfExistsSync, removeIfExistsSync } from '../storage/store-file.js';

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
export function replayJob(job: JobState, journal: string, file: string, parsed?: Parameters<typeof replayJobJournal>[2]): { job: JobState; seq: number } {
  const r = replayJobJournal(job as unknown as Rec & { items: unknown[] }, journal, parsed);
  if (r.firstBad !== null) throw new CorruptJobFileError(jobJournalOf(file), r.firstBad);
  return { job: r.job as unknown as JobState, seq: r.seq };
}

/** A job as read from disk: job.json + its journal, the journal's last seq, and what the two files were. */
export interface JobRead {
  state: JobState;
  seq: number;
  /** Size and mtime of job.json and the journal when read: a later stat tells whether they changed. */
  stamp: string;
}

function replayed(file: string, text: string, journal: string): { state: JobState; seq: number } {
  const { job, seq } = replayJob(parseJobState(text, file), journal, file);
  return { state: job, seq };
}

/** What job.json and its journal are now (size, mtime, inode): equal stamps, equal files. */
export function jobFilesStamp(file: string): string {
  const one = (f: string) => {
    try {
      const st = fs.statSync(f);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return '-';
    }
  };
  return `${one(file)}|${one(jobJournalOf(file))}`;
}

/** job.json + its journal, one read of each. null when job.json does not exist. */
export async function readJob(file: string): Promise<JobRead | null> {
  const stamp = jobFilesStamp(file);
  // The journal first: the owner rewrites job.json before it empties the journal.
  const journal = (await readIfExistsRetrying(jobJournalOf(file))) ?? '';
  const text = await readIfExistsRetrying(file);
  if (text === null) return null;
  return { ...replayed(file, text, journal), stamp };
}

function readJobSync(file: string): { state: JobState; seq: number } | null {
  const journal = readIfExistsSync(jobJournalOf(file)) ?? '';
  const text = readIfExistsSync(file);
  return text === null ? null : replayed(file, text, journal);
}

/** Reads a job (job.json + journal) without taking ownership (CLI, dashboard). null when it does not exist. */
export async function readJobState(file: string): Promise<JobState | null> {
  return (await readJob(file))?.state ?? null;
}

/** Journal floor before compaction is considered (job.json itself is usually larger at scale). */
const JOB_COMPACTION_FLOOR = 1024 * 1024;
/**
 * Compaction once the journal is this many times job.json: a job whose items each change a few times
 * compacts a bounded number of times whatever its size, so bytes written per item stay flat.
 */
const COMPACTION_RATIO = 2;

export class JobStore {
  /**
   * Figures for the benchmark: how many writes (snapshots + journal lines) and the time they held the
   * event loop (serialising, appending, reading released items back). Every write is synchronous.
   */
  writes = 0;
  snapshotWrites = 0;
  blockingMs = 0;
  writeMs = 0;
  private data: JobState;
  private readonly journal: JsonlAppender;
  private seq: number;
  private snapshotBytes = 0;
  /** Top-level fields as last recorded (a shallow copy: a dozen fields, never the items). */
  private shadowJob: Rec = {};
  /** The item objects last recorded (references, not copies): a replaced object is a changed item. */
  private written: unknown[] = [];
  private readonly dirty = new Set<number>();
  private scanAll = false;
  /** Items released by the owner: summaries in memory, their records on disk. */
  private readonly released = new Set<number>();
  private readonly releasing = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private marker: (() => NonNullable<JobState['events_mark']>) | null = null;

  private constructor(
    readonly file: string,
    state: JobState,
    private readonly minIntervalMs: number,
    seq: number,
    snapshotBytes: number,
  ) {
    this.data = state;
    this.seq = seq;
    this.snapshotBytes = snapshotBytes;
    this.journal = new JsonlAppender(jobJournalOf(file), { repair: true });
    this.recorded();
  }

  /** A new job file, written at once. */
  static async create(file: string, state: JobState, minIntervalMs = 100): Promise<JobStore> {
    await ensureDirFor(file);
    removeIfExistsSync(jobJournalOf(file)); // a journal of an earlier job of the same id
    const store = new JobStore(file, state, minIntervalMs, 0, 0);
    await store.flush();
    return store;
  }

  /**
   * Takes over an existing job (resume): one read of job.json and its journal, or none when the caller
   * read them already (`read`) and neither file changed since. Missing or corrupt: throws.
   */
  static async open(file: string, minIntervalMs = 100, read?: JobRead): Promise<JobStore> {
    const r = read && read.stamp === jobFilesStamp(file) ? read : await readJob(file);
    if (!r) throw new CorruptJobFileError(file, 'no such job file');
    let bytes = 0;
    try {
      bytes = fs.statSync(file).size;
    } catch {
      // gone meanwhile: the next snapshot writes it again
    }
    return new JobStore(file, r.state, minIntervalMs, r.seq, bytes);
  }

  /**
   * The live state; the owner mutates it, then calls changed() (with the indices of the items it
   * changed in place), commit() or flush(). A released item is a frozen summary: it is not mutated again.
   */
  get state(): JobState {
    return this.data;
  }

  /**
   * Asks for a journal line within minIntervalMs; many calls in that window make one line. With indices:
   * those items changed (in place or replaced). Without: top-level fields, and any item object replaced.
   */
  changed(...indices: number[]): void {
    if (indices.length === 0) this.scanAll = true;
    for (const i of indices) this.dirty.add(i);
    if (this.timer) return;
    const wait = Math.max(0, this.lastWriteAt + this.minIntervalMs - nowMs());
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.writeLine();
        if (compactionDue(this.journal.bytes, this.snapshotBytes * COMPACTION_RATIO, JOB_COMPACTION_FLOOR)) this.snapshot();
      } catch (err) {
        // A full disk here has no caller to throw to: it is latched and stops the run (storage/io-fault.ts).
        if (!isIoFault(err)) throw err;
      }
    }, wait);
  }

  /**
   * Every line and snapshot records where the event log stands (`events_mark`): the events before it
   * are reflected in what is written, so a resume reads only those after it.
   */
  markWith(mark: () => NonNullable<JobState['events_mark']>): void {
    this.marker = mark;
  }

  /** The event log's mark now, as a new value only when it moved (so an idle line does not carry it). */
  private stampMark(): void {
    if (!this.marker) return;
    const m = this.marker();
    const cur = this.data.events_mark;
    if (!cur || cur.file !== m.file || cur.offset !== m.offset) this.data.events_mark = m;
  }

  /** The item's record may leave memory once it is on disk (with the next line): only a summary stays. */
  release(index: number): void {
    if (!this.released.has(index)) this.releasing.add(index);
  }

  /** Writes what changed as one journal line now (phase and status changes: not left to the timer). */
  commit(): void {
    this.cancelTimer();
    this.writeLine();
  }

  /** Rewrites job.json now, with everything folded in; empties the journal. */
  async flush(): Promise<void> {
    this.cancelTimer();
    this.snapshot();
  }

  /** Final write; no timer is left behind to keep the process alive. */
  async close(): Promise<void> {
    await this.flush();
    this.journal.close();
  }

  /**
   * The whole job with every item's full record (released ones read back from disk, one read of each
   * file): what reduce's `${map.results}` and a snapshot need. A transient copy: drop it after use.
   */
  fullState(): JobState {
    // Released records are on disk already (released only once written): nothing to write first.
    if (this.released.size === 0) return this.data;
    const disk = readJobSync(this.file);
    if (!disk) throw new CorruptJobFileError(this.file, 'job file gone while the job runs');
    const items = this.data.items.map((it, i) => (this.released.has(i) ? (disk.state.items[i] ?? it) : it));
    return { ...this.data, items };
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Everything in memory is now on disk (a snapshot was written). */
  private recorded(): void {
    const { items, ...top } = this.data;
    this.shadowJob = top;
    this.written = items.slice();
    this.dirty.clear();
    this.scanAll = false;
    this.releaseRecorded();
  }

  private writeLine(): void {
    const t = nowMs();
    const items = this.data.items;
    const markBefore = this.data.events_mark;
    this.stampMark();
    if (this.scanAll) for (let i = 0; i < items.length; i++) if (items[i] !== this.written[i]) this.dirty.add(i);
    const lineItems: [number, Rec][] = [];
    for (const i of [...this.dirty].sort((a, b) => a - b)) {
      if (this.released.has(i) || !items[i]) continue;
      lineItems.push([i, items[i] as unknown as Rec]);
    }
    const top: Rec = {};
    for (const [k, v] of Object.entries(this.data)) {
      if (k !== 'items' && k !== 'updated_at' && k !== JOB_JOURNAL_SEQ_KEY && this.shadowJob[k] !== v) top[k] = v;
    }
    // A moved mark alone is no change worth a line.
    if (lineItems.length === 0 && Object.keys(top).every((k) => k === 'events_mark')) {
      this.data.events_mark = markBefore;
      delete top.events_mark;
    }
    const hasTop = Object.keys(top).length > 0;
    if (hasTop || lineItems.length > 0) {
      this.seq += 1;
      const at = new Date().toISOString();
      this.data.updated_at = at;
      this.journal.append({ v: JOB_JOURNAL_VERSION, seq: this.seq, at, ...(hasTop ? { job: top } : {}), ...(lineItems.length ? { items: lineItems } : {}) });
      this.writes += 1;
    }
    for (const [i, it] of lineItems) this.written[i] = it;
    Object.assign(this.shadowJob, top);
    this.dirty.clear();
    this.scanAll = false;
    this.releaseRecorded();
    this.lastWriteAt = nowMs();
    this.blockingMs += this.lastWriteAt - t;
    this.writeMs += this.lastWriteAt - t;
  }

  private releaseRecorded(): void {
    const items = this.data.items;
    for (const i of this.releasing) {
      const it = items[i];
      if (!it) continue;
      const summary = settledSummary(it);
      items[i] = summary;
      this.written[i] = summary;
      this.released.add(i);
    }
    this.releasing.clear();
  }

  private snapshot(): void {
    const t = nowMs();
    this.stampMark();
    const full = this.fullState();
    const at = new Date().toISOString();
    this.data.updated_at = at;
    const text = `${JSON.stringify({ ...full, updated_at: at, [JOB_JOURNAL_SEQ_KEY]: this.seq })}\n`;
    writeFileAtomicSync(this.file, text);
    // Every line so far is in job.json (its journal_seq says so): a reader applies none of them twice.
    // Only once job.json holds them: a failed write (disk full) throws first and keeps the journal.
    this.journal.truncate();
    this.snapshotBytes = Buffer.byteLength(text);
    this.writes += 1;
    this.snapshotWrites += 1;
    this.recorded();
    this.lastWriteAt = nowMs();
    this.blockingMs += this.lastWriteAt - t;
    this.writeMs += this.lastWriteAt - t;
  }
}
