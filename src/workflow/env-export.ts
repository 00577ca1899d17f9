/**
 * Pure: the untrusted values a `shell:` step can read as environment variables instead of interpolated
 * text — `"$PRODIGY_ITEM_NAME"` in a command is data to the shell, never code. Names (README "Running
 * untrusted data"):
 *   PRODIGY_ITEM, PRODIGY_ITEM_JSON, PRODIGY_ITEM_ID, PRODIGY_ITEM_INDEX   the map item (text / JSON / id / index)
 *   PRODIGY_FIELD_<FIELD>      each top-level field of an object item (text as is, other values as JSON)
 *   PRODIGY_ITEM_<FIELD>       the same, the older name: not for a field named id, json or index, whose
 *                              PRODIGY_ITEM_ID/JSON/INDEX are the work item's own
 *   PRODIGY_VAR_<NAME>         each workflow variable (captures: `capture: name`, setup captures, --param)
 *   PRODIGY_OUTPUT_<NAME>      each command output (`SHELL`, `CLAUDE`, `LAST`, `STEP_<i>_OUTPUT`, `<ID>`)
 *   PRODIGY_MAP_RESULTS        reduce: `${map.results}`
 * <FIELD>/<NAME> is the name upper-cased with every character outside [A-Z0-9_] as `_`. A value longer
 * than MAX_ENV_VALUE is not exported (the kernel refuses a single environment string over 128 KiB, and
 * the whole environment shares the argument space); nor is anything past MAX_ENV_TOTAL.
 */
import type { Scope } from './interpolate.js';

export const MAX_ENV_VALUE = 32 * 1024;
export const MAX_ENV_TOTAL = 256 * 1024;

export function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** `<prefix><envName(name)>`, remembered: a run asks for the same names every step, and a remembered
 * string hashes once (building 2,000 names per step, then hashing each, was most of a step's cost). */
const keyCache = new Map<string, Map<string, string>>();
function envKey(prefix: string, name: string): string {
  let byName = keyCache.get(prefix);
  if (!byName) keyCache.set(prefix, (byName = new Map()));
  let k = byName.get(name);
  if (k === undefined) {
    if (byName.size >= 10_000) byName.clear();
    byName.set(name, (k = prefix + envName(name)));
  }
  return k;
}

function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}

const fits = (value: string) => value.length <= MAX_ENV_VALUE && !value.includes('\0');

/**
 * Every name and value that may be exported, in order, before the total limit. `onlyIfAbsent`: a
 * field of the item, exported only when no earlier export took its name.
 */
function eachCandidate(scope: Scope, visit: (key: string, value: string, onlyIfAbsent: boolean) => void): void {
  const extra = scope.extra ?? {};
  if (extra.item !== undefined) {
    visit('PRODIGY_ITEM', extra.item, false);
    if (extra.item_json !== undefined) visit('PRODIGY_ITEM_JSON', extra.item_json, false);
    if (extra.item_id !== undefined) visit('PRODIGY_ITEM_ID', extra.item_id, false);
    if (extra.item_index !== undefined) visit('PRODIGY_ITEM_INDEX', extra.item_index, false);
    let item: unknown;
    try {
      item = JSON.parse(extra.item_json ?? 'null');
    } catch {
      item = null;
    }
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      // The unambiguous names first: they are the ones kept when the environment budget runs out.
      for (const prefix of ['PRODIGY_FIELD_', 'PRODIGY_ITEM_']) {
        for (const [k, v] of Object.entries(item)) visit(envKey(prefix, k), asText(v), true);
      }
    }
  }
  if (extra['map.results'] !== undefined) visit('PRODIGY_MAP_RESULTS', extra['map.results'], false);
  for (const [prefix, values] of [['PRODIGY_VAR_', scope.variables], ['PRODIGY_OUTPUT_', scope.outputs]] as const) {
    const keys = Object.keys(values);
    for (let i = 0; i < keys.length; i++) visit(envKey(prefix, keys[i]!), values[keys[i]!]!, false);
  }
}

export function exportedEnv(scope: Scope): Record<string, string> {
  const out: Record<string, string> = {};
  let total = 0;
  eachCandidate(scope, (key, value, onlyIfAbsent) => {
    if ((onlyIfAbsent && key in out) || !fits(value) || total + value.length > MAX_ENV_TOTAL) return;
    out[key] = value;
    total += value.length;
  });
  return out;
}

/** One scope's merged environment and what its last call saw, candidate by candidate. */
interface MergedEnv {
  base: NodeJS.ProcessEnv;
  env: NodeJS.ProcessEnv;
  keys: string[];
  values: string[];
  fit: boolean[];
  taken: boolean[];
  /** Every candidate's name, to tell a new one that repeats an old one. */
  names: Set<string>;
  /** Two candidates share a name (`a-b` and `a_b`, an item field `json`): always rebuilt, never in place. */
  shared: boolean;
}

const merged = new WeakMap<Scope, MergedEnv>();

/**
 * `{ ...base, ...exportedEnv(scope) }`, kept per scope and brought up to date in place. Why: a sequential
 * run exports one PRODIGY_OUTPUT_STEP_<i>_OUTPUT per step done, and building an object of 2,000 keys
 * per step (then spreading it over the base) cost milliseconds, so every step cost more than the one
 * before. Here a candidate whose name and value are the ones of the last call (pointer compares) costs
 * nothing; only changed ones touch the object. The object returned is changed by the next call for the
 * same scope: hand it to `spawn` (which copies it at once), never keep it.
 */
export function shellEnv(scope: Scope, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const last = merged.get(scope);
  const keys: string[] = [];
  const values: string[] = [];
  const fit: boolean[] = [];
  const taken: boolean[] = [];
  let total = 0;
  let inPlace = last !== undefined && last.base === base && !last.shared;
  const changed: number[] = [];
  const takenItemKeys = new Set<string>();
  const appended = new Set<string>();
  eachCandidate(scope, (key, value, onlyIfAbsent) => {
    const i = keys.length;
    const same = last !== undefined && last.keys[i] === key && last.values[i] === value;
    const ok = same ? last.fit[i]! : fits(value);
    const take = ok && total + value.length <= MAX_ENV_TOTAL && !(onlyIfAbsent && takenItemKeys.has(key));
    if (take) {
      total += value.length;
      if (key.startsWith('PRODIGY_ITEM') || key.startsWith('PRODIGY_FIELD_')) takenItemKeys.add(key);
    }
    keys.push(key);
    values.push(value);
    fit.push(ok);
    taken.push(take);
    if (same && last.taken[i] === take) return;
    changed.push(i);
    // In place only when every change is a value set under a name that was there or is new: anything
    // else (a name dropped, refused, or repeated) is rare and rebuilt.
    if (!take || last === undefined) inPlace = false;
    else if (i < last.keys.length ? last.keys[i] !== key : last.names.has(key) || appended.has(key)) inPlace = false;
    else if (i >= last.keys.length) appended.add(key);
  });
  if (last !== undefined && keys.length < last.keys.length) inPlace = false;
  if (inPlace) {
    const { env, names } = last!;
    for (const i of changed) {
      env[keys[i]!] = values[i];
      names.add(keys[i]!);
    }
    merged.set(scope, { ...last!, keys, values, fit, taken });
    return env;
  }
  // Null prototype: a dictionary from the start, so adding a key later costs the same at 2,000 keys as at 2.
  const env = Object.assign(Object.create(null) as NodeJS.ProcessEnv, base);
  const names = new Set<string>();
  let shared = false;
  for (let i = 0; i < keys.length; i++) {
    if (names.has(keys[i]!)) shared = true;
    names.add(keys[i]!);
    if (taken[i]) env[keys[i]!] = values[i];
  }
  merged.set(scope, { base, env, keys, values, fit, taken, names, shared });
  return env;
}
