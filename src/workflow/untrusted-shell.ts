/**
 * Pure: which item data and captured output a `shell:` command text interpolates as plain text. Such a
 * value is substituted before `sh -c` reads the command (Prodigy's rule, kept for compatibility), so a
 * quote, `$(...)` or `;` in it runs as shell code. `${name:sh}` (shell-quoted) and the PRODIGY_* variables
 * (env-export.ts) are the safe forms; `prodigy validate` and `run` warn about the rest, once per step.
 */
import type { Node } from 'yaml';
import { envName } from './env-export.js';
import { MODIFIERS } from './modifiers.js';
import { parsePlaceholder } from './placeholder.js';
import type { WorkflowCommand } from './types.js';
import type { YamlSource } from './yaml-source.js';

const BARE_OUTPUTS = new Set(['shell', 'claude', 'last']);

const REF = /\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Names whose text comes from the items or from commands' output, whatever the workflow captured. */
function alwaysUntrusted(name: string): boolean {
  const root = name.split(/[.[]/)[0]!;
  if (root === 'item' || root === 'item_json' || root === 'item_id') return true;
  if (name === 'map.results' || name === 'output' || /^step_\d+_output$/.test(name)) return true;
  return name.endsWith('.output');
}

/**
 * The untrusted names `text` interpolates without `:sh`, in order, each once. `captured` holds the
 * variables earlier steps capture (`capture:`, and `<id>` for a step with `outputs:`).
 */
export function unquotedUntrusted(text: string, captured: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(REF)) {
    const bare = m[2];
    let name: string;
    if (bare !== undefined) name = bare;
    else {
      const ph = parsePlaceholder(m[1]!, MODIFIERS);
      if (ph.kind !== 'name' || ph.modifier === 'sh') continue;
      name = ph.name;
    }
    // Bare `$shell`, `$last` and `$claude` are outputs too (a bare name is replaced when it is ours).
    const untrusted = alwaysUntrusted(name) || captured.has(name.split(/[.[]/)[0]!) || (bare !== undefined && BARE_OUTPUTS.has(name));
    if (untrusted) found.push(name);
  }
  return [...new Set(found)];
}

/**
 * The environment variable (env-export.ts) holding exactly the value `${name}` gives, or null when
 * there is none (a path into a capture's JSON, a value only the step's own scope knows).
 * `outputIds`: step ids whose `outputs:` give `${<id>.<name>}`.
 */
export function safeVariable(name: string, captured: ReadonlySet<string>, outputIds: ReadonlySet<string> = new Set()): string | null {
  const fixed: Record<string, string> = { item: 'PRODIGY_ITEM', item_json: 'PRODIGY_ITEM_JSON', item_id: 'PRODIGY_ITEM_ID', 'map.results': 'PRODIGY_MAP_RESULTS' };
  if (fixed[name]) return fixed[name];
  if (BARE_OUTPUTS.has(name) || /^step_\d+_output$/.test(name)) return `PRODIGY_OUTPUT_${envName(name)}`;
  const field = /^item\.([^.[]+)$/.exec(name);
  if (field) return `PRODIGY_FIELD_${envName(field[1]!)}`;
  if (outputIds.has(name)) return `PRODIGY_OUTPUT_${envName(name)}`;
  if (captured.has(name)) return `PRODIGY_VAR_${envName(name)}`;
  const root = name.split('.')[0]!;
  if (outputIds.has(root) && /^[^.[]+\.[^.[]+$/.test(name)) return `PRODIGY_OUTPUT_${envName(name)}`;
  if (name.endsWith('.output') && !name.slice(0, -'.output'.length).includes('.')) return `PRODIGY_OUTPUT_${envName(name.slice(0, -'.output'.length))}`;
  return null;
}

/** The warning for one step: every such name, and what to write instead (`:sh`, or the exact variable). */
export function untrustedWarning(names: readonly string[], captured: ReadonlySet<string> = new Set(), outputIds?: ReadonlySet<string>): string {
  const list = names.map((n) => `\${${n}}`).join(', ');
  const instead = names.map((n) => {
    const v = safeVariable(n, captured, outputIds);
    return `\${${n}:sh}${v ? ` or "$${v}"` : ''}`;
  });
  return `untrusted data reaches sh -c unquoted: ${list} (a quote, $(...) or ; in the value runs as shell code); write ${instead.join(', ')} (README "Running untrusted data")`;
}

const CAPTURED = new WeakMap<YamlSource, { captured: Set<string>; outputIds: Set<string> }>();

/**
 * Called for each parsed step, in file order: warns (at the command text) when a `shell:` step
 * interpolates untrusted data unquoted, then remembers what the step captures for the steps after it.
 */
export function checkShellStep(src: YamlSource, textNode: Node | null | undefined, cmd: WorkflowCommand): void {
  let seen = CAPTURED.get(src);
  if (!seen) CAPTURED.set(src, (seen = { captured: new Set(), outputIds: new Set() }));
  const { captured, outputIds } = seen;
  if (cmd.kind === 'shell') {
    const names = unquotedUntrusted(cmd.text, captured);
    if (names.length > 0) src.warn(textNode, untrustedWarning(names, captured, outputIds));
  }
  if (cmd.capture) captured.add(cmd.capture);
  if (cmd.id && cmd.outputs) {
    captured.add(cmd.id);
    outputIds.add(cmd.id);
  }
}
