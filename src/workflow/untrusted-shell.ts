/**
 * Pure: which item data and captured output a `shell:` command text interpolates as plain text. Such a
 * value is substituted before `sh -c` reads the command (Prodigy's rule, kept for compatibility), so a
 * quote, `$(...)` or `;` in it runs as shell code. `${name:sh}` (shell-quoted) and the PRODIGY_* variables
 * (env-export.ts) are the safe forms; `prodigy validate` and `run` warn about the rest, once per step.
 */
import type { Node } from 'yaml';
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

/** The warning for one step: every such name, and what to write instead. */
export function untrustedWarning(names: readonly string[]): string {
  const list = names.map((n) => `\${${n}}`).join(', ');
  const first = names[0]!;
  return `untrusted data reaches sh -c unquoted: ${list} (a quote, $(...) or ; in the value runs as shell code); write \${${first}:sh} or use its environment variable (README "Running untrusted data")`;
}

const CAPTURED = new WeakMap<YamlSource, Set<string>>();

/**
 * Called for each parsed step, in file order: warns (at the command text) when a `shell:` step
 * interpolates untrusted data unquoted, then remembers what the step captures for the steps after it.
 */
export function checkShellStep(src: YamlSource, textNode: Node | null | undefined, cmd: WorkflowCommand): void {
  let captured = CAPTURED.get(src);
  if (!captured) CAPTURED.set(src, (captured = new Set()));
  if (cmd.kind === 'shell') {
    const names = unquotedUntrusted(cmd.text, captured);
    if (names.length > 0) src.warn(textNode, untrustedWarning(names));
  }
  if (cmd.capture) captured.add(cmd.capture);
  if (cmd.id && cmd.outputs) captured.add(cmd.id);
}
