/**
 * The MapReduce job journal: `job.journal.jsonl` beside `job.json`. job.json (the whole job: every item)
 * is rewritten only at phase changes, exits and compaction; between them, each coalesced write (at most
 * ~10 a second) appends one line holding only the items (and top-level fields) that changed since the
 * last line. So recording an item costs the same at 20,000 items as at 20.
 *
 * Line format, version 1:
 *   {"v":1,"seq":N,"at":"<RFC 3339>","job":{...changed top-level fields},"items":[[position, item], ...]}
 * job.json records the last folded seq in `journal_seq`. State = job.json + lines with a greater seq, in
 * order (an item line replaces the item at that position). Readers read the journal FIRST, then job.json
 * (the owner rewrites job.json before it empties the journal); a torn last line is ignored.
 * Pure rules here, generic over the job's shape (storage does not know the item fields).
 */
import type { z } from 'zod';
import { type ParsedLines, parseJsonLines } from './jsonl.js';
import { JobJournalLineSchema } from './schemas.js';

export const JOB_JOURNAL_VERSION = 1;
export const JOB_JOURNAL_SEQ_KEY = 'journal_seq';

type Rec = Record<string, unknown>;

export interface JobJournalLine {
  v: 1;
  seq: number;
  at: string;
  job?: Rec;
  items?: [number, Rec][];
}

/** The line check (schemas.ts): job fields and items with the types job.json must have. */
export const jobJournalLine = JobJournalLineSchema as unknown as z.ZodType<JobJournalLine>;

/** Shallow equality: the owner replaces an item's fields (arrays included) rather than mutating them. */
export function sameShallow(a: Rec, b: Rec): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k] || !(k in b)) return false;
  return true;
}

/**
 * Pure: what changed between the last written copies (`shadow`: shallow copies of the job's top-level
 * fields and of each item) and the live job. Returns null when nothing did.
 */
export function jobChanges(shadowJob: Rec, shadowItems: readonly Rec[], job: Rec & { items: Rec[] }): { job?: Rec; items?: [number, Rec][] } | null {
  const top: Rec = {};
  for (const [k, v] of Object.entries(job)) if (k !== 'items' && k !== 'updated_at' && shadowJob[k] !== v) top[k] = v;
  const items: [number, Rec][] = [];
  job.items.forEach((it, i) => {
    const old = shadowItems[i];
    if (!old || !sameShallow(old, it)) items.push([i, it]);
  });
  const out: { job?: Rec; items?: [number, Rec][] } = {};
  if (Object.keys(top).length > 0) out.job = top;
  if (items.length > 0) out.items = items;
  return out.job || out.items ? out : null;
}

export function snapshotJobSeq(job: Rec): number {
  const v = job[JOB_JOURNAL_SEQ_KEY];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0;
}

/**
 * Pure: job.json + journal text (lines at or below job.json's seq are already in it). A complete line
 * that is not a journal line, or names an item position job.json does not have, is counted in `bad`
 * (the first in `firstBad`) and not applied; the readers refuse such a journal (job-store.ts).
 */
export function replayJobJournal<T extends Rec & { items: unknown[] }>(
  job: T,
  text: string,
  // A reader that already parsed `text` (JobTail checks the lines' seqs first) passes it, not to parse twice.
  parsed: ParsedLines<JobJournalLine> = parseJsonLines(text, jobJournalLine),
): { job: T; seq: number; bad: number; firstBad: string | null; torn: boolean } {
  const { values, torn } = parsed;
  let { bad, firstBad } = parsed;
  let seq = snapshotJobSeq(job);
  if (values.every((l) => l.seq <= seq)) return { job, seq, bad, firstBad, torn };
  const out = { ...job, items: [...job.items] } as T;
  for (const l of values) {
    if (l.seq <= seq) continue;
    const outside = (l.items ?? []).find(([i]) => i >= out.items.length);
    if (outside) {
      bad++;
      firstBad ??= `seq ${l.seq}: item position ${outside[0]} is not in job.json`;
      continue;
    }
    if (l.job) Object.assign(out, l.job);
    for (const [i, it] of l.items ?? []) out.items[i] = it;
    (out as Rec).updated_at = l.at;
    seq = l.seq;
  }
  return { job: out, seq, bad, firstBad, torn };
}
