/**
 * The run's environment, decided once when the run starts: env_files, then the workflow's static
 * `env`, then the profile's values, then --param values, then dynamic entries (`{command}` output,
 * `{condition}` choices), then secrets. Secrets are returned apart so every writer can mask them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { evaluateCondition } from './condition.js';
import { locateRunFile } from './user-files.js';
import { interpolateIn, type Scope } from './interpolate.js';
import type { EnvironmentSpec, SequentialWorkflow } from './types.js';

export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/** Pure: a .env file's KEY=VALUE lines (blank lines, `#` comments and `export ` allowed; quotes removed). */
export function parseDotEnv(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new EnvironmentError(`${file}:${i + 1}: expected KEY=VALUE`);
    let v = m[2]!;
    if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) v = v.slice(1, -1);
    out[m[1]!] = v;
  });
  return out;
}

export interface EnvironmentInput {
  cwd: string;
  /** The user's directory, when the run happens in a worktree: files missing there are read from here. */
  userDir?: string;
  processEnv: NodeJS.ProcessEnv;
  profile?: string;
  params?: Record<string, string>;
}

export interface ResolvedEnvironment {
  /** Everything exported to commands and known as variables, secrets included. */
  env: Record<string, string>;
  /** Secret name -> value: the values every output masks. */
  secrets: Record<string, string>;
  /** One line per file read from the user's directory instead of the worktree. */
  notes: string[];
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv, what: string): string {
  const r = spawnSync('sh', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) throw new EnvironmentError(`${what}: command "${command}" failed${r.status !== null ? ` (exit ${r.status})` : ''}`);
  return r.stdout.replace(/\s+$/, '');
}

export function resolveEnvironment(wf: Pick<SequentialWorkflow, 'env' | 'environment' | 'name'>, o: EnvironmentInput): ResolvedEnvironment {
  const spec: EnvironmentSpec = wf.environment ?? { dynamic: {}, secrets: {}, envFiles: [], profiles: {} };
  const env: Record<string, string> = {};
  const notes: string[] = [];
  const locate = (rel: string, what: string) => {
    const found = locateRunFile(rel, o.cwd, o.userDir, what);
    if (found.note) notes.push(found.note);
    return found.path;
  };
  for (const f of spec.envFiles) {
    const file = locate(f, 'env_files entry');
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new EnvironmentError(`env_files: ${f}: no such file`);
    }
    Object.assign(env, parseDotEnv(text, f));
  }
  Object.assign(env, wf.env);
  if (o.profile !== undefined) {
    const p = spec.profiles[o.profile];
    if (!p) throw new EnvironmentError(`--profile ${o.profile}: no such profile (known: ${Object.keys(spec.profiles).join(', ') || 'none'})`);
    Object.assign(env, p);
  }
  Object.assign(env, o.params);
  const scope = (): Scope => ({ variables: {}, outputs: {}, env, processEnv: o.processEnv, workflowName: wf.name });
  const childEnv = () => ({ ...o.processEnv, ...env });
  for (const [k, v] of Object.entries(spec.dynamic)) {
    if (o.params && k in o.params) continue;
    if ('command' in v) env[k] = run(interpolateIn(v.command, scope()), o.cwd, childEnv(), `env.${k}`);
    else if ('condition' in v) env[k] = evaluateCondition(interpolateIn(v.condition, scope())) ? v.whenTrue : v.whenFalse;
  }
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.secrets)) {
    if ('text' in v) secrets[k] = interpolateIn(v.text, scope());
    else if (v.provider === 'env') {
      const val = o.processEnv[v.key];
      if (val === undefined) throw new EnvironmentError(`secrets.${k}: environment variable ${v.key} is not set`);
      secrets[k] = val;
    } else {
      try {
        secrets[k] = fs.readFileSync(locate(v.key, `secrets.${k} file`), 'utf8').replace(/\s+$/, '');
      } catch {
        throw new EnvironmentError(`secrets.${k}: ${v.key}: no such file`);
      }
    }
  }
  // `${env:VAR}` that names nothing stays as text in non-strict interpolation; a secret must not.
  for (const [k, v] of Object.entries(secrets)) if (/\$\{env:[^}]+\}/.test(v)) throw new EnvironmentError(`secrets.${k}: ${v} names an environment variable that is not set`);
  return { env: { ...env, ...secrets }, secrets, notes };
}
