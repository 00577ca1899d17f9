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

function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}

export function exportedEnv(scope: Scope): Record<string, string> {
  const out: Record<string, string> = {};
  let total = 0;
  const put = (key: string, value: string) => {
    if (value.length > MAX_ENV_VALUE || total + value.length > MAX_ENV_TOTAL || value.includes('\0')) return;
    out[key] = value;
    total += value.length;
  };
  const extra = scope.extra ?? {};
  if (extra.item !== undefined) {
    put('PRODIGY_ITEM', extra.item);
    if (extra.item_json !== undefined) put('PRODIGY_ITEM_JSON', extra.item_json);
    if (extra.item_id !== undefined) put('PRODIGY_ITEM_ID', extra.item_id);
    if (extra.item_index !== undefined) put('PRODIGY_ITEM_INDEX', extra.item_index);
    let item: unknown;
    try {
      item = JSON.parse(extra.item_json ?? 'null');
    } catch {
      item = null;
    }
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      // The unambiguous names first: they are the ones kept when the environment budget runs out.
      for (const [prefix, fields] of [['PRODIGY_FIELD_', item], ['PRODIGY_ITEM_', item]] as const) {
        for (const [k, v] of Object.entries(fields)) {
          const key = `${prefix}${envName(k)}`;
          if (!(key in out)) put(key, asText(v));
        }
      }
    }
  }
  if (extra['map.results'] !== undefined) put('PRODIGY_MAP_RESULTS', extra['map.results']);
  for (const [k, v] of Object.entries(scope.variables)) put(`PRODIGY_VAR_${envName(k)}`, v);
  for (const [k, v] of Object.entries(scope.outputs)) put(`PRODIGY_OUTPUT_${envName(k)}`, v);
  return out;
}
