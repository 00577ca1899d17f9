/**
 * A reader that follows a running job without re-reading it: job.json (+ journal) is read whole once,
 * then each `refresh()` reads only the journal lines appended since (storage/job-journal.ts) and applies
 * them. A 50,000-item job's detail view then costs a few lines per change, not a 25 MB parse.
 *
 * It reads job.json whole again only when it has to: job.json was replaced (compaction or a phase change:
 * its inode, size or mtime differ), the journal got shorter than what was read (emptied after
 * compaction), or the new lines do not follow the last applied seq (a line missed, or a read that began
 * inside a line). The seq it shows never goes back, so counts never decrease between reads.
 */
import fs from 'node:fs/promises';
import type { JobState } from './job-types.js';
import { parseJobState, replayJob } from './job-store.js';
import { readIfExistsRetrying } from '../storage/bounded-read.js';
import { jobJournalLine } from '../storage/job-journal.js';
import { parseJsonLines, readCompleteLinesFrom } from '../storage/jsonl.js';
import { jobJournalOf } from '../storage/paths.js';


const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

async function identity(file: string): Promise<string | null> {
  try {
    const st = await fs.stat(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

export class JobTail {
  /** How many whole reads and how many tail reads were done (tests and the benchmark look). */
  fullReads = 0;
  tailReads = 0;
  private state: JobState | null = null;
  private seq = 0;
  /** Bytes of the journal already applied (complete lines only). */
  private offset = 0;
  private snapshotId: string | null = null;

  constructor(readonly file: string) {}

  /**
   * The job as it is now: the same object as last time when nothing was appended, null when job.json does
   * not exist. Throws CorruptJobFileError when job.json does not parse (journal lines that do not are skipped).
   */
  refresh(): Promise<JobState | null> {
    // One read at a time: two at once would both start at the same offset.
    const next = this.queue.then(() => this.refreshNow());
    this.queue = next.catch(() => {});
    return next;
  }

  private queue: Promise<unknown> = Promise.resolve();

  private async refreshNow(): Promise<JobState | null> {
    const id = await identity(this.file);
    if (id === null) return this.reset();
    if (this.state === null || id !== this.snapshotId) return this.readWhole(id);
    let tail: { text: string; next: number; size: number };
    try {
      tail = await readCompleteLinesFrom(jobJournalOf(this.file), this.offset);
    } catch (err) {
      if (!isMissing(err)) throw err;
      tail = { text: '', next: 0, size: 0 };
    }
    if (tail.size < this.offset) return this.readWhole(id);
    if (tail.text === '') return this.state;
    this.tailReads += 1;
    const parsed = parseJsonLines(tail.text, jobJournalLine);
    const { values, bad } = parsed;
    const fresh = values.filter((l) => l.seq > this.seq);
    // Lines must follow on from what was applied; anything else means the journal was cut and regrown.
    if (bad > 0 || (fresh.length > 0 && fresh[0]!.seq !== this.seq + 1)) return this.readWhole(id);
    this.offset = tail.next;
    if (fresh.length === 0) return this.state;
    const { job, seq } = replayJob(this.state, tail.text, this.file, parsed);
    this.state = job;
    this.seq = seq;
    return this.state;
  }

  private reset(): null {
    this.state = null;
    this.seq = 0;
    this.offset = 0;
    this.snapshotId = null;
    return null;
  }

  private async readWhole(id: string): Promise<JobState | null> {
    this.fullReads += 1;
    // The journal first: the owner rewrites job.json before it empties the journal.
    const journal = (await readIfExistsRetrying(jobJournalOf(this.file))) ?? '';
    const text = await readIfExistsRetrying(this.file);
    if (text === null) return this.reset();
    const { job, seq } = replayJob(parseJobState(text, this.file), journal, this.file);
    this.snapshotId = id;
    this.offset = Buffer.byteLength(journal.slice(0, journal.lastIndexOf('\n') + 1));
    // A read between a compaction's two steps can only be as new as the last; never show an older one.
    if (this.state !== null && seq < this.seq) return this.state;
    this.state = job;
    this.seq = seq;
    return this.state;
  }
}
