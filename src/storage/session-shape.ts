/**
 * A quick yes for the common case: a session file that plainly satisfies `SessionFileSchema`. Why: a
 * listing validates every file, and zod (which builds a new copy of every object it checks) was a
 * third of a 20,000-session `sessions list` with the garbage it left. This checks the same fields with
 * plain tests and copies nothing; anything it is not sure of (a field of the wrong type, an odd number,
 * a `__proto__` key) says no, and the caller then asks zod, whose verdict and words stand. So it accepts
 * only files zod accepts (tests/unit/session-shape.property.test.ts), never more.
 */
import { SESSION_STATUSES } from './session-format.js';
import { isSafeId, isSafeRepoName } from './schemas.js';

type Obj = Record<string, unknown>;

const STATUSES: ReadonlySet<unknown> = new Set(SESSION_STATUSES);
const PHASES: ReadonlySet<unknown> = new Set(['Setup', 'Map', 'Reduce', 'Complete']);

/** A plain object without a `__proto__` key of its own (zod drops or refuses those: let it decide). */
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !Object.hasOwn(v, '__proto__');
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const opt = (v: unknown, test: (v: unknown) => boolean): boolean => v === undefined || test(v);
const optNull = (v: unknown, test: (v: unknown) => boolean): boolean => v === undefined || v === null || test(v);
const isId = (v: unknown): boolean => isStr(v) && isSafeId(v);

function everyValue(o: unknown, test: (v: unknown) => boolean): boolean {
  if (!isObj(o)) return false;
  for (const k in o) if (!test(o[k])) return false;
  return true;
}

const isDuration = (v: unknown): boolean => isObj(v) && isNum(v.secs) && v.secs >= 0 && isNum(v.nanos) && v.nanos >= 0;

function isMetadata(m: Obj): boolean {
  return (
    opt(m.owner_pid, Number.isSafeInteger) &&
    opt(m.owner_host, isStr) &&
    optNull(m.owner_start_ticks, isNum) &&
    optNull(m.owner_boot_id, isStr) &&
    opt(m.workflow_path, isStr) &&
    opt(m.workflow_hash, isStr) &&
    opt(m.repo_path, isStr) &&
    opt(m.repo_name, (v) => isStr(v) && isSafeRepoName(v)) &&
    opt(m.job_id, isId)
  );
}

function isCheckpoint(c: unknown): boolean {
  // `state` may hold anything, but must be there (zod's unknown() in an object is not optional).
  return isObj(c) && isStr(c.id) && isStr(c.created_at) && c.state !== undefined && opt(c.metadata, (m) => everyValue(m, () => true));
}

function isWorkflowData(w: unknown): boolean {
  if (!isObj(w)) return false;
  return (
    opt(w.workflow_id, isStr) &&
    opt(w.workflow_name, isStr) &&
    opt(w.current_step, isCount) &&
    opt(w.total_steps, isCount) &&
    opt(w.completed_steps, (l) => Array.isArray(l) && l.every(isNum)) &&
    opt(w.variables, (vars) => everyValue(vars, isStr))
  );
}

function isMapReduceData(m: unknown): boolean {
  if (!isObj(m)) return false;
  return (
    isId(m.job_id) &&
    opt(m.total_items, isCount) &&
    opt(m.processed_items, isCount) &&
    opt(m.failed_items, isCount) &&
    opt(m.agent_count, isCount) &&
    opt(m.phase, (p) => PHASES.has(p))
  );
}

/**
 * True only when `v` satisfies SessionFileSchema; then the schema's defaults are filled in place
 * (metadata, checkpoints, timings, a checkpoint's metadata), so `v` is what zod would have returned,
 * field for field. False means "ask zod", not "invalid".
 */
export function acceptSessionQuickly(v: unknown): v is Obj {
  if (!isObj(v)) return false;
  const ok =
    isId(v.id) &&
    (v.session_type === 'Workflow' || v.session_type === 'MapReduce') &&
    STATUSES.has(v.status) &&
    isStr(v.started_at) &&
    opt(v.updated_at, isStr) &&
    optNull(v.completed_at, isStr) &&
    opt(v.metadata, (m) => isObj(m) && isMetadata(m)) &&
    opt(v.checkpoints, (l) => Array.isArray(l) && l.every(isCheckpoint)) &&
    opt(v.timings, (t) => everyValue(t, isDuration)) &&
    optNull(v.error, isStr) &&
    optNull(v.workflow_data, isWorkflowData) &&
    optNull(v.mapreduce_data, isMapReduceData);
  if (!ok) return false;
  v.metadata ??= {};
  v.checkpoints ??= [];
  v.timings ??= {};
  for (const c of v.checkpoints as Obj[]) c.metadata ??= {};
  return true;
}
