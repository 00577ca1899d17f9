/**
 * The session journal: `sessions/<id>.journal.jsonl`, beside the session file. A session's owner appends
 * one line per small change (a patch: the step started, a timing, the output tail) and one per
 * checkpoint (only what changed since the previous checkpoint), instead of rewriting the whole session
 * file each time. The session file stays the Prodigy-format snapshot; it is rewritten at status changes
 * and at compaction (snapshot = snapshot + journal, then the journal is emptied).
 *
 * Every line carries a sequence number; the snapshot records the last one folded into it in
 * `metadata.journal_seq`. So state = snapshot + the journal's lines with a greater seq, in order, and a
 * crash between "snapshot written" and "journal emptied" replays nothing twice. A reader reads the
 * journal FIRST, then the snapshot: the owner writes the snapshot before it empties the journal, so a
 * reader never pairs an old snapshot with an emptied journal.
 *
 * Line format, version 1 (one JSON object per line):
 *   {"v":1,"seq":7,"at":"<RFC 3339>","patch":{...SessionPatch without status...}}
 *   {"v":1,"seq":8,"at":"<RFC 3339>","checkpoint":{"id","created_at","metadata","delta":StateDelta}}
 * Pure rules here (merge, replay, checkpoint deltas, when to compact); the I/O is in session-store.ts.
 */
import type { SessionPatch } from '../session/manager.js';
import type { Checkpoint, JsonValue, UnifiedSession } from '../session/types.js';
import { parseJsonLines } from './jsonl.js';

export const JOURNAL_VERSION = 1;
/** Metadata key of the snapshot: the last journal seq folded into it. */
export const JOURNAL_SEQ_KEY = 'journal_seq';

type JsonObject = { [k: string]: JsonValue };

/**
 * A checkpoint state as what changed since the previous one. The executor's state grows with the run
 * (step results, step outputs, timings); a delta carries only the new entries, so a checkpoint line
 * costs the same at step 2,000 as at step 2.
 */
export interface StateDelta {
  /** The state with the growing parts left out (they are rebuilt from the previous state + changes). */
  rest: JsonValue;
  /** Keep this many of the previous list's entries, then append `add` (per growing list). */
  lists: Record<string, { keep: number; add: JsonValue[] }>;
  /** Keys set and removed (per growing map). */
  maps: Record<string, { set: JsonObject; unset: string[] }>;
}

export type JournalEntry =
  | { v: 1; seq: number; at: string; patch: SessionPatch }
  | { v: 1; seq: number; at: string; checkpoint: { id: string; created_at: string; metadata: JsonObject; delta: StateDelta } };

/** The parts of a checkpoint state that grow with the run: dotted paths into the state object. */
export const GROWING_LISTS = ['workflow_state.completed_steps'] as const;
export const GROWING_MAPS = ['command_timings', 'execution_context.step_outputs', 'execution_context.variables'] as const;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function getPath(root: JsonValue | undefined, dotted: string): JsonValue | undefined {
  let cur: JsonValue | undefined = root;
  for (const k of dotted.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** A copy of `root` along `dotted` with the value there replaced (or removed when `value` is undefined). */
function setPath(root: JsonValue, dotted: string, value: JsonValue | undefined): JsonValue {
  const [k, ...more] = dotted.split('.') as [string, ...string[]];
  if (!isObject(root)) return root;
  const out: JsonObject = { ...root };
  if (more.length === 0) {
    if (value === undefined) delete out[k];
    else out[k] = value;
  } else if (isObject(out[k])) {
    out[k] = setPath(out[k], more.join('.'), value);
  }
  return out;
}

/** Cheap equality for the values of growing parts: strings by value, flat objects by their fields, else JSON. */
function same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (!Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    let flat = true;
    for (const k of ka) {
      const x = a[k];
      if (typeof x === 'object' && x !== null) flat = false;
      else if (x !== b[k]) return false;
    }
    if (flat) return kb.every((k) => k in a);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Step results are the same result when index and completion time agree (no deep compare per step). */
function sameListEntry(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (isObject(a) && isObject(b) && 'step_index' in a && 'completed_at' in a) {
    return a.step_index === b.step_index && a.completed_at === b.completed_at && a.success === b.success;
  }
  return same(a, b);
}

/**
 * What the previous checkpoint held of the growing parts (GROWING_LISTS / GROWING_MAPS), copied once and
 * then advanced in place by each delta written. Why: diffing against the previous state object needs
 * that object unchanged, so every step copied maps of ~2,000 keys (timings, outputs) twice or more —
 * milliseconds per step at step 2,000 (V8 copies large objects slowly). With a shadow the state passed
 * in may share its maps with the live state; a diff reads each entry once (identity first) and copies
 * nothing. `diff` leaves the shadow as it is; `commit` the delta once it is written.
 */
export class StateShadow {
  private readonly lists = new Map<string, JsonValue[]>();
  private readonly maps = new Map<string, Map<string, JsonValue>>();

  constructor(prev: JsonValue | null) {
    for (const p of GROWING_LISTS) {
      const o = getPath(prev ?? undefined, p);
      this.lists.set(p, Array.isArray(o) ? [...o] : []);
    }
    for (const p of GROWING_MAPS) {
      const o = getPath(prev ?? undefined, p);
      this.maps.set(p, new Map(isObject(o) ? Object.entries(o) : []));
    }
  }

  /** The delta that turns the shadowed state into `next`. */
  diff(next: JsonValue): StateDelta {
    let rest: JsonValue = next;
    const lists: StateDelta['lists'] = {};
    const maps: StateDelta['maps'] = {};
    for (const p of GROWING_LISTS) {
      const n = getPath(next, p);
      if (!Array.isArray(n)) continue;
      const old = this.lists.get(p)!;
      let keep = 0;
      while (keep < old.length && keep < n.length && (old[keep] === n[keep] || sameListEntry(old[keep], n[keep]))) keep++;
      lists[p] = { keep, add: n.slice(keep) };
      rest = setPath(rest, p, []);
    }
    for (const p of GROWING_MAPS) {
      const n = getPath(next, p);
      if (!isObject(n)) continue;
      const old = this.maps.get(p)!;
      const set: JsonObject = {};
      let kept = 0;
      // Object.keys, not for-in: a quarter of the time on a 2,000-key dictionary object.
      const keys = Object.keys(n);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const v = n[k]!;
        if (old.has(k)) kept++;
        if (!same(old.get(k), v)) set[k] = v;
      }
      const unset = kept === old.size ? [] : [...old.keys()].filter((k) => !Object.hasOwn(n, k));
      maps[p] = { set, unset };
      rest = setPath(rest, p, {});
    }
    return { rest, lists, maps };
  }

  /** The delta was written: the shadow now holds what it describes. */
  commit(d: StateDelta): void {
    for (const p of GROWING_LISTS) {
      const l = this.lists.get(p)!;
      const e = d.lists[p];
      l.length = e ? e.keep : 0;
      if (e) for (const v of e.add) l.push(v);
    }
    for (const p of GROWING_MAPS) {
      const m = this.maps.get(p)!;
      const e = d.maps[p];
      if (!e) {
        m.clear();
        continue;
      }
      for (const k of e.unset) m.delete(k);
      for (const k in e.set) m.set(k, e.set[k]!);
    }
  }
}

/** Pure: the delta that turns `prev` (the previous checkpoint's state, null for none) into `next`. */
export function stateDelta(prev: JsonValue | null, next: JsonValue): StateDelta {
  return new StateShadow(prev).diff(next);
}

/** Pure: the state a delta describes, given the previous checkpoint's state. */
export function applyStateDelta(prev: JsonValue | null, d: StateDelta): JsonValue {
  let out = d.rest;
  for (const [p, { keep, add }] of Object.entries(d.lists)) {
    const o = getPath(prev ?? undefined, p);
    const old = Array.isArray(o) ? o : [];
    out = setPath(out, p, [...old.slice(0, keep), ...add]);
  }
  for (const [p, { set, unset }] of Object.entries(d.maps)) {
    const o = getPath(prev ?? undefined, p);
    const merged: JsonObject = { ...(isObject(o) ? o : {}), ...set };
    for (const k of unset) delete merged[k];
    out = setPath(out, p, merged);
  }
  return out;
}

/**
 * Pure: a patch merged into a session, without the status rule (journal lines never change status; the
 * manager checks transitions before it merges). Nested objects are merged, not replaced.
 * `owned`: the caller holds the only reference to `s` (the owner's in-memory session) and lets the parts
 * that grow with the run (timings, completed step indexes) be extended in place: copying them cost
 * O(steps) per step. Everything else is still copied, and `s` itself is not changed otherwise.
 */
export function mergePatch(s: UnifiedSession, patch: SessionPatch, updatedAt: string, owned = false): UnifiedSession {
  if ((patch.workflow || patch.variables || patch.completed_steps_add) && !s.workflow_data) throw new Error(`session ${s.id} has no workflow data`);
  if (patch.mapreduce && !s.mapreduce_data) throw new Error(`session ${s.id} has no MapReduce data`);
  const next: UnifiedSession = { ...s, updated_at: updatedAt };
  if (patch.error !== undefined) next.error = patch.error;
  if (s.workflow_data && (patch.workflow || patch.variables || patch.completed_steps_add)) {
    const wd = { ...s.workflow_data, ...patch.workflow };
    wd.variables = { ...s.workflow_data.variables, ...patch.workflow?.variables, ...patch.variables };
    const add = patch.completed_steps_add?.filter((i) => !wd.completed_steps.includes(i));
    if (add?.length) {
      if (owned && !patch.workflow?.completed_steps) wd.completed_steps.push(...add);
      else wd.completed_steps = [...wd.completed_steps, ...add];
    }
    next.workflow_data = wd;
  }
  if (s.mapreduce_data && patch.mapreduce) next.mapreduce_data = { ...s.mapreduce_data, ...patch.mapreduce };
  if (patch.timings) next.timings = owned ? Object.assign(s.timings, patch.timings) : { ...s.timings, ...patch.timings };
  if (patch.metadata) next.metadata = { ...s.metadata, ...patch.metadata };
  return next;
}

/** Checkpoints kept per session: the latest is what resume needs; older ones are history for humans. */
export const MAX_CHECKPOINTS = 20;

/** Pure: a new checkpoint appended; older ones keep id, time and metadata but drop their state. */
export function withCheckpoint(s: UnifiedSession, cp: Checkpoint, compactHistory: boolean): UnifiedSession {
  const history = compactHistory ? s.checkpoints.map((c) => (c.state === null ? c : { ...c, state: null })) : s.checkpoints;
  return { ...s, checkpoints: [...history, cp].slice(-MAX_CHECKPOINTS), updated_at: cp.created_at };
}

/** The latest checkpoint's state (what a delta is relative to), or null. */
export function latestState(s: UnifiedSession): JsonValue | null {
  return s.checkpoints[s.checkpoints.length - 1]?.state ?? null;
}

/** The last seq folded into a snapshot (0 for a snapshot that never had a journal, e.g. Prodigy's). */
export function snapshotSeq(s: UnifiedSession): number {
  const v = s.metadata[JOURNAL_SEQ_KEY];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0;
}

export function isJournalEntry(v: unknown): v is JournalEntry {
  if (!isObject(v as JsonValue) || (v as JsonObject).v !== JOURNAL_VERSION) return false;
  const e = v as JsonObject;
  if (typeof e.seq !== 'number' || !Number.isInteger(e.seq) || e.seq < 1 || typeof e.at !== 'string') return false;
  if ('patch' in e) return isObject(e.patch) && !('status' in e.patch);
  if ('checkpoint' in e) {
    const c = e.checkpoint;
    return isObject(c) && typeof c.id === 'string' && typeof c.created_at === 'string' && isObject(c.delta) && isObject(c.delta.lists) && isObject(c.delta.maps);
  }
  return false;
}

/** Pure: one journal line applied to the session (checkpoints are rebuilt from the previous state). */
export function applyEntry(s: UnifiedSession, e: JournalEntry): UnifiedSession {
  if ('patch' in e) return mergePatch(s, e.patch, e.at);
  const c = e.checkpoint;
  const state = applyStateDelta(latestState(s), c.delta);
  return withCheckpoint(s, { id: c.id, created_at: c.created_at, state, metadata: c.metadata }, true);
}

export interface Replayed {
  session: UnifiedSession;
  /** The last seq applied (the snapshot's when the journal added nothing). */
  seq: number;
  /** Lines skipped: complete lines that were not journal entries (a torn last line is not counted). */
  bad: number;
  torn: boolean;
}

/**
 * Pure: snapshot + journal text. Lines at or below the snapshot's seq are already in it; a torn last
 * line is ignored; a line that cannot be applied (e.g. a patch for data the session lacks) is skipped.
 */
export function replayJournal(snapshot: UnifiedSession, journalText: string): Replayed {
  const { values, bad, torn } = parseJsonLines(journalText, isJournalEntry);
  let session = snapshot;
  let seq = snapshotSeq(snapshot);
  let skipped = bad;
  for (const e of values) {
    if (e.seq <= seq) continue;
    try {
      session = applyEntry(session, e);
      seq = e.seq;
    } catch {
      skipped++;
    }
  }
  return { session, seq, bad: skipped, torn };
}

/**
 * Pure: compact when the journal has grown as large as the snapshot (and past a floor). Rewriting the
 * snapshot then costs at most as many bytes as were appended since the last one, so bytes written per
 * change stay bounded (amortised) however long the run.
 */
export function compactionDue(journalBytes: number, snapshotBytes: number, floorBytes = 256 * 1024): boolean {
  return journalBytes >= Math.max(floorBytes, snapshotBytes);
}
