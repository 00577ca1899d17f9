/**
 * Variable interpolation, pure. `${name}` must resolve (an unknown name is an error naming it, as in
 * Prodigy); bare `$NAME` is replaced only when NAME is a workflow variable, so a shell's own `$1`, `$HOME`
 * or loop variables pass through untouched. `${...}` whose inside is not a name (`${x:-default}`) is shell
 * syntax and is left alone too.
 */

export class UnknownVariableError extends Error {
  constructor(readonly variable: string) {
    super(`unknown variable \${${variable}}`);
    this.name = 'UnknownVariableError';
  }
}

/** Resolves a variable name to its text, or undefined when there is no such variable. */
export type Lookup = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
const PATTERN = /\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** `bracedOnly` answers names that only the braced form may reach (the runner's environment). */
export function interpolate(template: string, lookup: Lookup, bracedOnly?: Lookup): string {
  return template.replace(PATTERN, (whole, braced: string | undefined, bare: string | undefined) => {
    if (braced !== undefined) {
      const name = braced.trim();
      if (!NAME.test(name)) return whole;
      const v = lookup(name) ?? bracedOnly?.(name);
      if (v === undefined) throw new UnknownVariableError(name);
      return v;
    }
    return lookup(bare!) ?? whole;
  });
}

/** Everything a command can refer to. `outputs` holds `shell`, `claude`, `<id>` and `step_<i>_output`. */
export interface Scope {
  variables: Record<string, string>;
  outputs: Record<string, string>;
  /** Workflow `env:` entries (also exported to commands). */
  env: Record<string, string>;
  /** The runner's own environment, reachable as `${env.NAME}` and, braced, `${NAME}`. */
  processEnv?: Record<string, string | undefined>;
  workflowName: string;
  iteration?: number;
  /** Extra names supplied by a caller (e.g. MapReduce `item`, `map.total`). Checked first. */
  extra?: Record<string, string>;
}

/** Walks a JSON text along a dotted path; non-text results come back as JSON. */
function jsonPath(text: string, pathParts: string[]): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  for (const p of pathParts) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function scopeLookup(scope: Scope): Lookup {
  const own = (name: string): string | undefined => {
    if (scope.extra && name in scope.extra) return scope.extra[name];
    if (name in scope.variables) return scope.variables[name];
    if (name in scope.outputs) return scope.outputs[name];
    if (name in scope.env) return scope.env[name];
    return undefined;
  };
  return (name) => {
    const direct = own(name);
    if (direct !== undefined) return direct;
    if (name === 'workflow.name') return scope.workflowName;
    if (name === 'workflow.iteration') return String(scope.iteration ?? 1);
    if (name.startsWith('env.')) {
      const key = name.slice(4);
      return scope.env[key] ?? scope.processEnv?.[key];
    }
    // `${shell.output}`, `${claude.output}`, `${<id>.output}`
    if (name.endsWith('.output') && name.slice(0, -7) in scope.outputs) return scope.outputs[name.slice(0, -7)];
    // `${captured.field.sub}` into a JSON value (a capture_format: json variable, or a MapReduce item).
    const parts = name.split('.');
    for (let i = parts.length - 1; i >= 1; i--) {
      const base = own(parts.slice(0, i).join('.'));
      if (base !== undefined) return jsonPath(base, parts.slice(i));
    }
    return undefined;
  };
}

/** Braced names may also name a variable of the runner's environment (`${HOME}`); bare ones may not. */
export function interpolateIn(template: string, scope: Scope): string {
  return interpolate(template, scopeLookup(scope), (name) => scope.processEnv?.[name]);
}
