import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JOB_JOURNAL_SEQ_KEY, jobChanges, replayJobJournal, type JobJournalLine } from '../../src/storage/job-journal.js';

type Item = { id: string; index: number; item: number; status: string; attempts: number };
type Job = { job_id: string; phase: string; items: Item[]; [k: string]: unknown };

/** A run: each step sets some items' status (by replacing the item) and maybe the phase. */
const runArb = fc.record({
  n: fc.integer({ min: 1, max: 30 }),
  steps: fc.array(fc.record({ at: fc.array(fc.nat(29), { maxLength: 5 }), status: fc.constantFrom('running', 'completed', 'dead'), phase: fc.option(fc.constantFrom('Map', 'Reduce')) }), { maxLength: 20 }),
});

function play(n: number, steps: { at: number[]; status: string; phase: string | null }[]) {
  const job: Job = { job_id: 'j', phase: 'Setup', items: Array.from({ length: n }, (_, i) => ({ id: `item-${i}`, index: i, item: i, status: 'pending', attempts: 0 })) };
  let shadowJob: Record<string, unknown> = { ...job };
  let shadowItems = job.items.map((it) => ({ ...it }));
  const base = structuredClone(job);
  const lines: JobJournalLine[] = [];
  const states: Job[] = [];
  steps.forEach((st, k) => {
    for (const i of st.at) if (i < n) job.items[i] = { ...job.items[i]!, status: st.status, attempts: job.items[i]!.attempts + 1 };
    if (st.phase) job.phase = st.phase;
    const ch = jobChanges(shadowJob, shadowItems, job as never);
    if (ch) {
      lines.push({ v: 1, seq: lines.length + 1, at: `t${k}`, ...ch });
      for (const [i, it] of ch.items ?? []) shadowItems[i] = { ...(it as Item) };
      if (ch.job) shadowJob = { ...shadowJob, ...ch.job };
    }
    states.push(structuredClone(job));
  });
  return { base, lines, final: job };
}

const text = (ls: JobJournalLine[]) => ls.map((l) => `${JSON.stringify(l)}\n`).join('');
const strip = (j: Record<string, unknown>) => {
  const { updated_at: _u, [JOB_JOURNAL_SEQ_KEY]: _s, ...rest } = j;
  return rest;
};

describe('job journal', () => {
  it('job.json + the lines of changed items rebuild the live job exactly', () => {
    fc.assert(
      fc.property(runArb, ({ n, steps }) => {
        const { base, lines, final } = play(n, steps);
        expect(strip(replayJobJournal(base, text(lines)).job)).toEqual(strip(final));
      }),
    );
  });

  it('compaction at any line keeps every item; a crash before the journal is emptied replays nothing twice', () => {
    fc.assert(
      fc.property(runArb, fc.nat(), fc.boolean(), ({ n, steps }, cutAt, emptied) => {
        const { base, lines, final } = play(n, steps);
        const cut = cutAt % (lines.length + 1);
        const folded = replayJobJournal(base, text(lines.slice(0, cut)));
        const snapshot = JSON.parse(JSON.stringify({ ...folded.job, [JOB_JOURNAL_SEQ_KEY]: folded.seq }));
        const again = replayJobJournal(snapshot, text(emptied ? lines.slice(cut) : lines)).job;
        expect(strip(again)).toEqual(strip(final));
      }),
    );
  });

  it('ignores a torn last line and lines that are not journal lines', () => {
    const { base, lines } = play(3, [{ at: [0], status: 'completed', phase: null }, { at: [1], status: 'completed', phase: null }]);
    const t = text(lines);
    const r = replayJobJournal(base, `${t.slice(0, t.lastIndexOf('{'))}garbage\n${t.slice(t.lastIndexOf('{'), -5)}`);
    expect(r.torn).toBe(true);
    expect(r.bad).toBe(1);
    expect(r.job.items.map((i) => i.status)).toEqual(['completed', 'pending', 'pending']);
  });

  it('names the first complete line with wrong types or an item position job.json lacks, and does not apply it', () => {
    const { base, lines } = play(3, [{ at: [0], status: 'completed', phase: null }]);
    const wrong = { v: 1, seq: 2, at: 't', items: [[1, { id: 'item-1', index: 1, item: 1, status: 'done', attempts: 1 }]] };
    const outside = { v: 1, seq: 3, at: 't', items: [[9, { id: 'item-9', index: 9, item: 9, status: 'completed', attempts: 1 }]] };
    const r = replayJobJournal(base, text(lines) + `${JSON.stringify(wrong)}\n${JSON.stringify(outside)}\n`);
    expect(r.firstBad).toBe('line 2: field items[0][1].status: not one of "pending", "running", "completed", "failed", "dead"');
    expect(r.bad).toBe(2);
    expect(r.job.items.map((i) => i.status)).toEqual(['completed', 'pending', 'pending']);
    const r2 = replayJobJournal(base, text(lines) + `${JSON.stringify(outside)}\n`);
    expect(r2.firstBad).toBe('seq 3: item position 9 is not in job.json');
  });
});
