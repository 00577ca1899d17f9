/**
 * The job's append-only event log: `events/<repo>/<job-id>/events-<start>-<pid>.jsonl`, one file per run
 * of the job (first run, each resume), one JSON object per line.
 *
 * Appends are synchronous `write(2)`s on an open descriptor: once `append` returns the line is in the
 * kernel, so it survives the process being killed. The runner relies on that: an item's
 * AgentCompleted line (with its result) is written before the agent slot takes the next item.
 * A reader may meet a torn last line (a writer killed mid-write); it is skipped, never "repaired". Lines
 * are checked against JobEventSchema: ids that become file names are checked like typed ids.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { JsonlAppender, parseJsonLines, readCompleteLinesFrom } from '../storage/jsonl.js';
import { JobEventSchema } from '../storage/schemas.js';
import { CorruptFileError, readDirIfExists, readIfExists } from '../storage/store-file.js';
import type { JobEvent } from './job-types.js';

export const EVENTS_FILE = /^events-.*\.jsonl$/;

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:.]/g, '');
}

export class EventLog {
  private readonly out: JsonlAppender;
  readonly file: string;
  count = 0;

  constructor(dir: string, now = new Date()) {
    this.file = path.join(dir, `events-${stamp(now)}-${process.pid}.jsonl`);
    this.out = new JsonlAppender(this.file);
  }

  /** Time spent appending (synchronous writes), for the benchmark. */
  get ms(): number {
    return this.out.ms;
  }

  /** Where the log stands now: every event so far lies before this mark. */
  mark(): EventsMark {
    return { file: path.basename(this.file), offset: this.out.bytes };
  }

  append(event: Omit<JobEvent, 'timestamp'> & { timestamp?: string }): JobEvent {
    const full = { timestamp: new Date().toISOString(), ...event } as JobEvent;
    this.out.append(full);
    this.count += 1;
    return full;
  }

  close(): void {
    this.out.close();
  }
}

const eventLine = JobEventSchema as unknown as z.ZodType<JobEvent>;

/**
 * Parses a chunk of JSONL (storage/schemas.ts JobEventSchema): lines that do not parse or have the wrong
 * types are counted, not returned; `firstBad` says which and why. A torn last line is not counted.
 */
export function parseEventLines(text: string): { events: JobEvent[]; bad: number; firstBad: string | null } {
  const { values, bad, firstBad } = parseJsonLines(text, eventLine);
  return { events: values, bad, firstBad };
}

async function eventFiles(dir: string): Promise<string[]> {
  return (await readDirIfExists(dir)).filter((n) => EVENTS_FILE.test(n)).sort();
}

/**
 * Every event of a job, oldest first (files are named by start time, lines are in write order). A
 * complete line that is not a valid event is hostile or corrupt: the log is reported (CorruptFileError:
 * path, line, first violation) and nothing is resumed from it. A torn last line (a writer killed
 * mid-write) is ignored.
 */
export async function readEvents(dir: string): Promise<JobEvent[]> {
  const out: JobEvent[] = [];
  for (const name of await eventFiles(dir)) {
    const file = path.join(dir, name);
    const { events, firstBad } = parseEventLines((await readIfExists(file)) ?? '');
    if (firstBad !== null) throw new CorruptFileError(file, firstBad);
    out.push(...events);
  }
  return out;
}

/** Where the event log stood when job.json + journal were last written (job-types.ts `events_mark`). */
export interface EventsMark {
  file: string;
  offset: number;
}

/**
 * The events logged after `mark`, oldest first: what a resume needs to correct job.json + journal, whose
 * last line (or snapshot) already holds every item change whose event came before the mark. Why: a
 * half-done 20,000-item job's log is MBs, and parsing it whole was a third of a resume's time before
 * its first item. No mark (a job written before marks) or a mark naming no file: the whole log.
 */
export async function readEventsAfter(dir: string, mark: EventsMark | null | undefined): Promise<JobEvent[]> {
  const names = await eventFiles(dir);
  if (!mark || !names.includes(mark.file)) return readEvents(dir);
  const out: JobEvent[] = [];
  for (const name of names) {
    if (name < mark.file) continue; // earlier runs: all before the mark
    const text = await readFrom(path.join(dir, name), name === mark.file ? mark.offset : 0);
    const { events, firstBad } = parseEventLines(text ?? '');
    // Unreadable or a bad line: the whole read reports it precisely (file, line, violation).
    if (text === null || firstBad !== null) return readEvents(dir);
    out.push(...events);
  }
  return out;
}

/** A file's text from byte `from` (never through a symlink, the store's rule); null if it cannot be read so. */
async function readFrom(file: string, from: number): Promise<string | null> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const { size } = await handle.stat();
    if (size < from) return null; // cut since the mark: not the log the mark was taken in
    const buf = Buffer.alloc(size - from);
    const { bytesRead } = await handle.read(buf, 0, buf.length, from);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Calls `onEvent` for every event already logged and every event appended later, until `signal` aborts
 * or `until(event)` says stop. Watches the folder (not the files: a file watch would miss new files),
 * reading only complete new lines from each file's last offset.
 */
export async function followEvents(
  dir: string,
  onEvent: (e: JobEvent) => void,
  opts: { signal?: AbortSignal; until?: (e: JobEvent) => boolean } = {},
): Promise<void> {
  const offsets = new Map<string, number>();
  let done = false;
  let resolveDone: () => void = () => {};
  const finished = new Promise<void>((r) => {
    resolveDone = r;
  });
  const stop = () => {
    done = true;
    resolveDone();
  };
  let reading: Promise<void> = Promise.resolve();
  const readNew = async () => {
    for (const name of await eventFiles(dir)) {
      if (done) return;
      const file = path.join(dir, name);
      const { text, next } = await readCompleteLinesFrom(file, offsets.get(name) ?? 0);
      offsets.set(name, next);
      for (const e of parseEventLines(text).events) {
        onEvent(e);
        if (opts.until?.(e)) {
          stop();
          return;
        }
      }
    }
  };
  const schedule = () => {
    reading = reading.then(() => (done ? undefined : readNew())).catch(() => undefined);
  };
  await fs.promises.mkdir(dir, { recursive: true }).catch(() => undefined);
  const watcher = fs.watch(dir, () => schedule());
  // fs.watch can miss events on some file systems; a slow re-read is the safety net, not the driver.
  const safety = setInterval(schedule, 1000);
  opts.signal?.addEventListener('abort', stop, { once: true });
  schedule();
  await finished;
  watcher.close();
  clearInterval(safety);
  await reading;
}

/** One line of `prodigy events` output. Pure. */
export function formatEvent(e: JobEvent): string {
  const parts = [e.timestamp, e.type.padEnd(15)];
  if (e.phase) parts.push(`phase=${e.phase}`);
  if (e.item_id) parts.push(e.item_id);
  if (e.agent_id) parts.push(e.agent_id);
  if (e.attempt !== undefined) parts.push(`attempt=${e.attempt}`);
  if (e.exit_code !== undefined && e.exit_code !== null) parts.push(`exit=${e.exit_code}`);
  if (e.message) parts.push(e.message);
  return parts.join('  ');
}
