import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonLines } from '../../src/storage/jsonl.js';
import {
  JOURNAL_SEQ_KEY,
  applyStateDelta,
  compactionDue,
  replayJournal,
  StateShadow,
  stateDelta,
  type JournalEntry,
} from '../../src/storage/session-journal.js';
import type { JsonValue, UnifiedSession } from '../../src/session/types.js';

const base: UnifiedSession = {
  id: 'session-j', session_type: 'Workflow', status: 'Running', started_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z', completed_at: null, metadata: {}, checkpoints: [], timings: {}, error: null,
  workflow_data: {
    workflow_id: 'w', workflow_name: 'w', current_step: 0, total_steps: 50, completed_steps: [], variables: {},
    iterations_completed: 0, files_changed: 0, worktree_name: null,
  },
  mapreduce_data: null,
};

const result = (i: number, tag = 'a') => ({
  step_index: i, command: `c${i}`, success: true, output: `out ${i} ${tag}`, duration: { secs: 0, nanos: i },
  error: null, started_at: `s${i}`, completed_at: `e${i}${tag}`, exit_code: 0,
});

/** A checkpoint state shaped like the executor's, with its growing parts. */
const stateArb = fc
  .record({
    steps: fc.array(fc.tuple(fc.nat(40), fc.constantFrom('a', 'b')), { maxLength: 12 }),
    outputs: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.string({ maxLength: 6 }), { maxKeys: 6 }),
    vars: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.string({ maxLength: 6 }), { maxKeys: 6 }),
    timings: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.record({ secs: fc.nat(9), nanos: fc.nat(9) }), { maxKeys: 6 }),
    current: fc.nat(50),
  })
  .map(
    (r) =>
      ({
        session_id: 'session-j',
        status: 'InProgress',
        command_timings: r.timings,
        workflow_state: { current_step: r.current, completed_steps: r.steps.map(([i, t]) => result(i, t)) },
        execution_context: { variables: r.vars, step_outputs: r.outputs, environment: {} },
      }) as unknown as JsonValue,
  );

/** Entries of a run: checkpoints and patches, numbered from 1. */
function entriesOf(states: JsonValue[]): JournalEntry[] {
  const out: JournalEntry[] = [];
  let prev: JsonValue | null = null;
  let seq = 0;
  states.forEach((st, k) => {
    out.push({ v: 1, seq: ++seq, at: `t${k}`, patch: { workflow: { current_step: k }, completed_steps_add: [k] } });
    out.push({ v: 1, seq: ++seq, at: `t${k}`, checkpoint: { id: `cp-${k}`, created_at: `t${k}`, metadata: { step: k }, delta: stateDelta(prev, st) } });
    prev = st;
  });
  return out;
}

const text = (entries: JournalEntry[]) => entries.map((e) => `${JSON.stringify(e)}\n`).join('');

describe('checkpoint deltas', () => {
  it('rebuild exactly the next state from the previous one, whatever changed', () => {
    fc.assert(
      fc.property(fc.option(stateArb, { nil: null }), stateArb, (prev, next) => {
        expect(applyStateDelta(prev, stateDelta(prev, next))).toEqual(next);
      }),
    );
  });

  it('carry only the new step results when the run appended one', () => {
    const prev = { workflow_state: { completed_steps: Array.from({ length: 500 }, (_, i) => result(i)) } } as unknown as JsonValue;
    const next = { workflow_state: { completed_steps: Array.from({ length: 501 }, (_, i) => result(i)) } } as unknown as JsonValue;
    const d = stateDelta(prev, next);
    expect(d.lists['workflow_state.completed_steps']).toEqual({ keep: 500, add: [result(500)] });
    expect(JSON.stringify(d).length).toBeLessThan(400);
  });
});

describe('the owner\'s shadow of the last checkpoint', () => {
  it('gives the deltas of a state whose maps and lists are changed in place between checkpoints', () => {
    // The adapter and executor hand the same step_outputs / command_timings objects to every checkpoint;
    // the deltas must still rebuild each checkpoint as it was when it was taken.
    fc.assert(
      fc.property(fc.option(stateArb, { nil: null }), fc.array(stateArb, { minLength: 1, maxLength: 6 }), (first, states) => {
        const live = structuredClone(first ?? states[0]!) as Record<string, any>;
        const shadow = new StateShadow(first === null ? null : structuredClone(first));
        let rebuilt: JsonValue | null = first === null ? null : structuredClone(first);
        for (const st of states as Record<string, any>[]) {
          // Bring the live objects to `st` in place (same objects, new contents).
          for (const [obj, want] of [
            [live.command_timings, st.command_timings],
            [live.execution_context.step_outputs, st.execution_context.step_outputs],
            [live.execution_context.variables, st.execution_context.variables],
          ] as [Record<string, unknown>, Record<string, unknown>][]) {
            for (const k of Object.keys(obj)) if (!(k in want)) delete obj[k];
            Object.assign(obj, structuredClone(want));
          }
          live.workflow_state.completed_steps = st.workflow_state.completed_steps;
          live.workflow_state.current_step = st.workflow_state.current_step;
          const d = shadow.diff(live as JsonValue);
          shadow.commit(d);
          rebuilt = applyStateDelta(rebuilt, JSON.parse(JSON.stringify(d)));
          expect(rebuilt).toEqual(st);
        }
      }),
    );
  });

  it('an uncommitted diff changes nothing: the next diff says the same', () => {
    const prev = { command_timings: { a: { secs: 1, nanos: 0 } } } as unknown as JsonValue;
    const next = { command_timings: { a: { secs: 1, nanos: 0 }, b: { secs: 2, nanos: 0 } } } as unknown as JsonValue;
    const shadow = new StateShadow(prev);
    expect(shadow.diff(next)).toEqual(shadow.diff(next));
    expect(shadow.diff(next).maps.command_timings).toEqual({ set: { b: { secs: 2, nanos: 0 } }, unset: [] });
  });
});

describe('replay', () => {
  it('snapshot + journal = every state in order; the latest checkpoint holds every completed step', () => {
    fc.assert(
      fc.property(fc.array(stateArb, { minLength: 1, maxLength: 8 }), (states) => {
        const { session, seq, bad, torn } = replayJournal(base, text(entriesOf(states)));
        expect({ seq, bad, torn }).toEqual({ seq: states.length * 2, bad: 0, torn: false });
        expect(session.checkpoints.at(-1)!.state).toEqual(states.at(-1));
        expect(session.workflow_data!.completed_steps).toEqual(states.map((_, k) => k));
        expect(session.checkpoints.slice(0, -1).every((c) => c.state === null)).toBe(true);
      }),
    );
  });

  it('compaction at any point keeps every completed step: replaying the rest over the snapshot gives the same session', () => {
    fc.assert(
      fc.property(fc.array(stateArb, { minLength: 1, maxLength: 8 }), fc.nat(), fc.boolean(), (states, cutAt, truncated) => {
        const entries = entriesOf(states);
        const cut = cutAt % (entries.length + 1);
        const whole = replayJournal(base, text(entries)).session;
        // The owner folds the first `cut` lines into the snapshot (recording their seq) ...
        const folded = replayJournal(base, text(entries.slice(0, cut)));
        const snapshot = { ...folded.session, metadata: { ...folded.session.metadata, [JOURNAL_SEQ_KEY]: folded.seq } };
        // ... and empties the journal, or crashes before it does (the old lines are then skipped by seq).
        const rest = truncated ? entries.slice(cut) : entries;
        const again = replayJournal(JSON.parse(JSON.stringify(snapshot)), text(rest)).session;
        const { [JOURNAL_SEQ_KEY]: _, ...meta } = again.metadata;
        expect({ ...again, metadata: meta }).toEqual(whole);
      }),
    );
  });

  it('ignores a torn last line (a writer killed mid-write), never fatal', () => {
    fc.assert(
      fc.property(fc.array(stateArb, { minLength: 2, maxLength: 5 }), fc.nat(), (states, at) => {
        const entries = entriesOf(states);
        const full = text(entries);
        const lastLine = `${JSON.stringify(entries.at(-1))}\n`;
        const cutInto = 1 + (at % (lastLine.length - 1)); // a prefix of the last line, without its newline
        const torn = full.slice(0, full.length - lastLine.length + cutInto);
        const r = replayJournal(base, torn);
        expect(r.torn).toBe(true);
        expect(r.bad).toBe(0);
        expect(r.seq).toBe(entries.length - 1);
        expect(r.session.checkpoints.length).toBe(states.length - 1);
      }),
    );
  });

  it('skips complete lines that are not journal entries, and counts them', () => {
    const good = entriesOf([{ a: 1 } as JsonValue]);
    const r = replayJournal(base, `not json\n${text(good)}{"v":1,"seq":9,"at":"x","patch":{"status":"Failed"}}\n`);
    expect(r.bad).toBe(2);
    expect(r.seq).toBe(2);
    expect(r.session.status).toBe('Running');
  });
});

describe('jsonl parsing and the compaction rule', () => {
  it('parses complete lines; an unterminated last line is torn even if it parses', () => {
    expect(parseJsonLines('1\n2\n3')).toEqual({ values: [1, 2], bad: 0, firstBad: null, torn: true });
    expect(parseJsonLines('1\n\n2\n')).toEqual({ values: [1, 2], bad: 0, firstBad: null, torn: false });
  });

  it('compacts once the journal is as large as the snapshot (and past the floor)', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(10_000_000), (j, s) => {
        expect(compactionDue(j, s)).toBe(j >= Math.max(256 * 1024, s));
      }),
    );
  });
});
