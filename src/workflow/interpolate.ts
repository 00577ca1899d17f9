/**
 * Variable interpolation, pure: every value is a plain string substitution, as in Prodigy.
 *
 * One placeholder `${...}` is read by `parsePlaceholder` (placeholder.ts) into one of:
 *   ${name}            a variable (dotted path / [index] into JSON values too)
 *   ${name:-default}   the default when the name is unknown
 *   ${name:mod}        a registered modifier applied to the value (modifiers.ts: the extension point)
 *   ${fn:arg}          a computed value: date:FMT, file:path, cmd:command, env:VAR, json:path:from:var
 *   ${uuid}            a fresh v4 uuid
 * Anything else between braces (`${#arr[@]}`) is shell syntax and is left alone.
 *
 * Unknown names follow Prodigy: non-strict (the default) leaves `${name}` as text; strict (`--strict`)
 * throws UnknownVariableError naming every missing name. Bare `$NAME` is replaced only when NAME is a
 * workflow variable, so a shell's own `$1`, `$HOME` or loop variables pass through untouched.
 * Computed values that touch the world (file, cmd, date, uuid) come from the caller's `Effects`, so this
 * module stays pure and testable.
 */
import { MODIFIERS, type Modifier } from './modifiers.js';
import { parsePlaceholder } from './placeholder.js';

export class UnknownVariableError extends Error {
  constructor(readonly variables: readonly string[]) {
    super(`unknown variable${variables.length > 1 ? 's' : ''} ${variables.map((v) => `\${${v}}`).join(', ')}`);
    this.name = 'UnknownVariableError';
  }
  get variable(): string {
    return this.variables[0]!;
  }
}

/** A computed placeholder that could not be produced (`${file:missing}`, a failing `${cmd:...}`). */
export class InterpolationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InterpolationError';
  }
}

/** Resolves a variable name to its text, or undefined when there is no such variable. */
export type Lookup = (name: string) => string | undefined;

/** The impure parts, supplied by the runner (step-runner's `worldEffects`). Absent ones are errors. */
export interface Effects {
  /** Text of a file, the path confined to the working directory by the caller. */
  readFile?: (path: string) => string;
  /** Stdout of a shell command run in the working directory. */
  runCommand?: (command: string) => string;
  now?: () => Date;
  uuid?: () => string;
}

export interface InterpolateOptions {
  /** Only braced names may reach these (the runner's environment: `${HOME}`, not `$HOME`). */
  bracedOnly?: Lookup;
  strict?: boolean;
  effects?: Effects;
  /** Defaults to the registered MODIFIERS. */
  modifiers?: Readonly<Record<string, Modifier>>;
}

const BARE = /\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** strftime-style formats (`%Y-%m-%d`), as Prodigy's `${date:FMT}` takes them (chrono). */
export function formatDate(d: Date, fmt: string): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  const codes: Record<string, () => string> = {
    Y: () => String(d.getUTCFullYear()),
    y: () => p(d.getUTCFullYear() % 100),
    m: () => p(d.getUTCMonth() + 1),
    d: () => p(d.getUTCDate()),
    H: () => p(d.getUTCHours()),
    M: () => p(d.getUTCMinutes()),
    S: () => p(d.getUTCSeconds()),
    j: () => p(Math.floor((d.getTime() - start) / 86_400_000) + 1, 3),
    s: () => String(Math.floor(d.getTime() / 1000)),
    F: () => `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`,
    T: () => `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`,
    '%': () => '%',
  };
  return fmt.replace(/%(.)/g, (whole, c: string) => codes[c]?.() ?? whole);
}

function need<T>(fn: T | undefined, what: string): T {
  if (fn === undefined) throw new InterpolationError(`\${${what}:...} is not available here`);
  return fn;
}

export function interpolate(template: string, lookup: Lookup, opts: InterpolateOptions = {}): string {
  const missing: string[] = [];
  const modifiers = opts.modifiers ?? MODIFIERS;
  const effects = opts.effects ?? {};
  const find = (name: string) => lookup(name) ?? opts.bracedOnly?.(name);
  const out = template.replace(BARE, (whole, braced: string | undefined, bare: string | undefined) => {
    if (braced === undefined) return lookup(bare!) ?? whole;
    const ph = parsePlaceholder(braced, modifiers);
    switch (ph.kind) {
      case 'shell':
        return whole;
      case 'uuid':
        return need(effects.uuid, 'uuid')();
      case 'date':
        return formatDate(need(effects.now, 'date')(), ph.arg);
      case 'file':
        return need(effects.readFile, 'file')(ph.arg).replace(/\s+$/, '');
      case 'cmd':
        return need(effects.runCommand, 'cmd')(ph.arg).replace(/\s+$/, '');
      case 'env': {
        const v = opts.bracedOnly?.(ph.arg) ?? lookup(`env.${ph.arg}`);
        if (v !== undefined) return v;
        break;
      }
      case 'json': {
        const v = lookup(`${ph.from}.${ph.arg}`);
        if (v !== undefined) return v;
        break;
      }
      case 'name': {
        const v = find(ph.name);
        if (v !== undefined) return ph.modifier ? modifiers[ph.modifier]!(v) : v;
        if (ph.fallback !== undefined) return ph.fallback;
        break;
      }
    }
    missing.push(ph.kind === 'name' ? ph.name : braced.trim());
    return whole;
  });
  if (opts.strict && missing.length > 0) throw new UnknownVariableError([...new Set(missing)]);
  return out;
}

/** Everything a command can refer to. `outputs` holds `shell`, `claude`, `last`, `<id>` and `step_<i>_output`. */
export interface Scope {
  variables: Record<string, string>;
  outputs: Record<string, string>;
  /** Workflow `env:` entries (also exported to commands). */
  env: Record<string, string>;
  /** The runner's own environment, reachable as `${env.NAME}` and, braced, `${NAME}`. */
  processEnv?: Record<string, string | undefined>;
  workflowName: string;
  /** The session id (`${workflow.id}`). */
  workflowId?: string;
  iteration?: number;
  /** The step running now (`${step.name}`, `${step.index}`, 0-based as in Prodigy). */
  step?: { name: string; index: number };
  /** Extra names supplied by a caller (e.g. MapReduce `item`, `map.total`). Checked first. */
  extra?: Record<string, string>;
  /** `--strict`: an unknown `${name}` fails the step instead of staying as text. */
  strict?: boolean;
}

/** `a.b[0].c` -> ['a', 'b', '0', 'c']. */
export function pathParts(name: string): string[] {
  return name.replace(/\[(\d+)\]/g, '.$1').split('.').filter((p) => p.length > 0);
}

/** Walks a JSON text along path parts (array indices are numbers); non-text results come back as JSON. */
function jsonPath(text: string, parts: string[]): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  for (const p of parts) {
    if (v === null || typeof v !== 'object') return undefined;
    if (Array.isArray(v)) {
      if (!/^\d+$/.test(p)) return undefined;
      v = v[Number(p)];
    } else {
      v = Object.hasOwn(v, p) ? (v as Record<string, unknown>)[p] : undefined;
    }
  }
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function scopeLookup(scope: Scope): Lookup {
  const own = (name: string): string | undefined => {
    if (scope.extra && Object.hasOwn(scope.extra, name)) return scope.extra[name];
    if (Object.hasOwn(scope.variables, name)) return scope.variables[name];
    if (Object.hasOwn(scope.outputs, name)) return scope.outputs[name];
    if (Object.hasOwn(scope.env, name)) return scope.env[name];
    return undefined;
  };
  return (name) => {
    const direct = own(name);
    if (direct !== undefined) return direct;
    switch (name) {
      case 'workflow.name':
        return scope.workflowName;
      case 'workflow.id':
        return scope.workflowId;
      case 'workflow.iteration':
        return String(scope.iteration ?? 1);
      case 'step.name':
        return scope.step?.name;
      case 'step.index':
        return scope.step === undefined ? undefined : String(scope.step.index);
    }
    if (name.startsWith('env.')) {
      const key = name.slice(4);
      return Object.hasOwn(scope.env, key) ? scope.env[key] : scope.processEnv?.[key];
    }
    // `${shell.output}`, `${claude.output}`, `${last.output}`, `${<id>.output}`
    if (name.endsWith('.output')) {
      const base = name.slice(0, -7);
      if (Object.hasOwn(scope.outputs, base)) return scope.outputs[base];
    }
    // `${captured.field[0].sub}` into a JSON value (a capture_format: json variable, or a MapReduce item).
    const parts = pathParts(name);
    for (let i = parts.length - 1; i >= 1; i--) {
      const base = own(parts.slice(0, i).join('.'));
      if (base !== undefined) return jsonPath(base, parts.slice(i));
    }
    return undefined;
  };
}

/** Braced names may also name a variable of the runner's environment (`${HOME}`); bare ones may not. */
export function interpolateIn(template: string, scope: Scope, effects?: Effects): string {
  return interpolate(template, scopeLookup(scope), {
    bracedOnly: (name) => scope.processEnv?.[name],
    strict: scope.strict,
    effects,
  });
}
