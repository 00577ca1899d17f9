/**
 * From `prodigy run` flags to the workflow that runs: the environment resolved (env_files, profile,
 * --param/--param-file, dynamic env, secrets), the plan expanded (-n iterations, --args / --map with
 * $ARG), and the mask for secrets. Everything wrong is one line, exit 2, before any session exists.
 * The options are recorded in the session (run_options) so `prodigy resume` rebuilds the same plan.
 */
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { JsonValue } from '../session/types.js';
import { EnvironmentError, resolveEnvironment } from '../workflow/environment.js';
import { type Mask, makeMask } from '../workflow/mask.js';
import { expandPlan } from '../workflow/plan.js';
import { matchingFiles } from '../workflow/steps/outputs.js';
import { MAX_PARALLEL_CAP, maxParallelCapWarning, resolveNumberRef } from '../mapreduce/parse.js';
import type { MapReduceWorkflow, NumberRef } from '../mapreduce/workflow.js';
import type { SequentialWorkflow } from '../workflow/types.js';
import { CliError, EXIT } from './errors.js';

export interface PlanFlags {
  profile?: string;
  param?: string[];
  paramFile?: string;
  maxIterations?: string;
  args?: string[];
  map?: string[];
}

/** What is recorded for resume: the flags after reading (param files folded in, globs expanded). */
export interface RunOptionsRecord {
  profile?: string;
  params: Record<string, string>;
  iterations?: number;
  args: string[];
  /** --strict, so a resume is as strict as its run. */
  strict?: boolean;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

function readParams(flags: PlanFlags): Record<string, string> {
  const out: Record<string, string> = {};
  if (flags.paramFile !== undefined) {
    let v: unknown;
    try {
      v = parseYaml(fs.readFileSync(flags.paramFile, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(`--param-file ${flags.paramFile}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message.split('\n')[0]}`, EXIT.usage);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new CliError(`--param-file ${flags.paramFile}: must be a JSON or YAML mapping of names to values`, EXIT.usage);
    for (const [k, val] of Object.entries(v)) out[k] = typeof val === 'string' ? val : JSON.stringify(val);
  }
  for (const p of flags.param ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new CliError(`--param ${p}: expected KEY=VALUE`, EXIT.usage);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

function mapFiles(globs: string[], cwd: string): string[] {
  return [...new Set(globs.flatMap((g) => matchingFiles(cwd, g)))].sort();
}

export function readPlanFlags(flags: PlanFlags & { strict?: boolean }, cwd: string): RunOptionsRecord {
  let iterations: number | undefined;
  if (flags.maxIterations !== undefined) {
    iterations = Number(flags.maxIterations);
    if (!Number.isInteger(iterations) || iterations <= 0) throw new CliError(`--max-iterations ${flags.maxIterations}: must be a positive whole number`, EXIT.usage);
  }
  const args = (flags.args ?? []).flatMap((a) => a.split(',')).map((a) => a.trim()).filter(Boolean);
  if (flags.map && flags.map.length > 0) {
    const files = mapFiles(flags.map, cwd);
    if (files.length === 0) throw new CliError(`--map ${flags.map.join(' ')}: no file matches`, EXIT.usage);
    args.push(...files);
  }
  return { profile: flags.profile, params: readParams(flags), iterations, args, ...(flags.strict ? { strict: true } : {}) };
}

export function recordOf(v: unknown): RunOptionsRecord | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Partial<RunOptionsRecord>;
  return { profile: typeof o.profile === 'string' ? o.profile : undefined, params: o.params ?? {}, iterations: typeof o.iterations === 'number' ? o.iterations : undefined, args: Array.isArray(o.args) ? o.args : [], strict: o.strict === true };
}

export interface PreparedRun {
  workflow: SequentialWorkflow;
  mask: Mask;
  runOptions: JsonValue;
  /** Files read from the user's directory because the worktree lacks them (one line each). */
  notes: string[];
}

/**
 * The run's environment resolved (refused as one line, exit 2) and the record to keep, secrets masked.
 * Also what a later merge: block runs with (merge-env.ts): secrets are read from their source each time.
 */
export function resolved(wf: Pick<SequentialWorkflow, 'env' | 'environment' | 'name'>, rec: RunOptionsRecord, cwd: string, userDir: string | undefined, processEnv: NodeJS.ProcessEnv) {
  let env;
  try {
    env = resolveEnvironment(wf, { cwd, userDir, processEnv, profile: rec.profile, params: rec.params });
  } catch (err) {
    if (err instanceof EnvironmentError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  const mask = makeMask(env.secrets);
  const runOptions = JSON.parse(JSON.stringify({ ...rec, params: Object.fromEntries(Object.entries(rec.params).map(([k, v]) => [k, mask(v)])) })) as JsonValue;
  // Recorded masked, such a param cannot be rebuilt: say so now rather than let a resume get `***`.
  for (const [k] of Object.entries(rec.params).filter(([, v]) => mask(v) !== v)) process.stderr.write(`prodigy: warning: --param ${k} contains a secret's value: the session records it masked, so a resume or a later worktree merge will not have it (give secrets as secrets: {NAME: "\${env:VAR}"})\n`);
  return { env: env.env, mask, runOptions, notes: env.notes, secrets: env.secrets };
}

/** `userDir`: the user's directory when `cwd` is the run's worktree (uncommitted files are read there). */
export function prepareRun(wf: SequentialWorkflow, rec: RunOptionsRecord, cwd: string, userDir?: string, processEnv: NodeJS.ProcessEnv = process.env): PreparedRun {
  const r = resolved(wf, rec, cwd, userDir, processEnv);
  const workflow = expandPlan({ ...wf, env: r.env }, { iterations: rec.iterations, args: rec.args });
  return { workflow, mask: r.mask, runOptions: r.runOptions, notes: r.notes };
}

export interface PreparedJob {
  workflow: MapReduceWorkflow;
  mask: Mask;
  /** The secret values themselves: queue workers mask with them (src/queue/worker-item.ts). */
  secrets: Record<string, string>;
  runOptions: JsonValue;
  notes: string[];
}

/**
 * A MapReduce workflow's run: the same environment as a sequential run (env_files, env, profile,
 * --param, dynamic env, secrets), and `max_parallel` / `agent_timeout_secs: ${VAR}` resolved with it.
 * Iterations and --args / --map belong to sequential workflows: refused here rather than ignored.
 */
export function prepareMapReduce(wf: MapReduceWorkflow, rec: RunOptionsRecord, cwd: string, userDir?: string, processEnv: NodeJS.ProcessEnv = process.env): PreparedJob {
  if (rec.iterations !== undefined) throw new CliError('--max-iterations applies to sequential workflows: a MapReduce workflow runs once over its items', EXIT.usage);
  if (rec.args.length > 0) throw new CliError('--args / --map apply to sequential workflows: a MapReduce workflow takes its items from map.input', EXIT.usage);
  const r = resolved(wf, rec, cwd, userDir, processEnv);
  const numberOf = (ref: NumberRef | undefined, given: number | undefined) => {
    if (!ref) return given;
    try {
      return resolveNumberRef(ref, r.env, processEnv);
    } catch (err) {
      throw new CliError((err as Error).message, EXIT.usage);
    }
  };
  let maxParallel = numberOf(wf.map.max_parallel_var, wf.map.max_parallel)!;
  if (maxParallel > MAX_PARALLEL_CAP) {
    const ref = wf.map.max_parallel_var!;
    process.stderr.write(`${ref.where}: warning: ${maxParallelCapWarning(maxParallel, ` (\${${ref.name}})`)}\n`);
    maxParallel = MAX_PARALLEL_CAP;
  }
  const map = { ...wf.map, max_parallel: maxParallel, agent_timeout_secs: numberOf(wf.map.agent_timeout_var, wf.map.agent_timeout_secs) };
  return { workflow: { ...wf, env: r.env, map }, mask: r.mask, runOptions: r.runOptions, notes: r.notes, secrets: r.secrets };
}
