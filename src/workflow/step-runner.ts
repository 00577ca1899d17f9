/**
 * Runs one workflow step with everything around it: `when`, interpolation, step env / working_dir,
 * the command (or step kind), `retry`, `on_exit_code`, `on_failure` rounds, capture, `outputs`,
 * `validate`, `commit_required`, `on_success`. It knows nothing of sessions, so the MapReduce runner
 * reuses it for setup, agent templates and reduce (`runSteps`), giving item variables through
 * `scope.extra`. The scope is updated in place (captured variables and last outputs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type CommandResult, runCommand } from '../exec/command.js';
import type { ShellLauncher } from '../exec/process.js';
import { gitHead } from '../git/repo.js';
import { captureValue } from './capture.js';
import { evaluateCondition } from './condition.js';
import { worldEffects } from './effects.js';
import { interpolateIn, type Scope } from './interpolate.js';
import { retryDelayMs, shouldRetry } from './retry.js';
import { runForeach } from './steps/foreach.js';
import { matchingFiles } from './steps/outputs.js';
import { okResult, sleep } from './steps/result.js';
import { runValidation } from './steps/validate.js';
import { writeFileStep } from './steps/write-file.js';
import { commandSummary, type WorkflowCommand } from './types.js';
import { exportedEnv, shellEnv } from './env-export.js';
import type { Mask } from './mask.js';

export interface StepContext {
  scope: Scope;
  cwd: string;
  /** The environment children get (the runner's, workflow env, PRODIGY_SESSION_ID...). */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** How `shell:` commands run (MapReduce agents: their slot's host); default: spawned from here. */
  launcher?: ShellLauncher;
  /** The run's secrets: every output given to `onOutput` is masked with it, streams as streams. */
  mask?: Mask;
}

export interface StepHooks {
  /** Output text as it arrives, from the command and its handlers. */
  onOutput?: (text: string) => void;
  /** A nested command (on_failure handler, retry, on_success) is starting: one line for the log. */
  onNested?: (label: string) => void;
  onSpawn?: (pid: number) => void;
}

export type StepStatus = 'ok' | 'skipped' | 'failed' | 'interrupted';

export interface StepOutcome {
  status: StepStatus;
  /** The command's output as variables saw it ('' when it never ran). */
  output: string;
  exitCode: number | null;
  /** Why it failed, one line; for an ok step whose failure on_failure tolerated, what happened. */
  error: string | null;
  /** The command text after interpolation. */
  command: string;
}

const interrupted = (command: string): StepOutcome => ({ status: 'interrupted', output: '', exitCode: null, error: 'interrupted', command });
const failed = (command: string, error: string, r?: CommandResult): StepOutcome => ({
  status: 'failed',
  output: r?.output ?? '',
  exitCode: r?.exitCode ?? null,
  error,
  command,
});

/** The step's own environment and directory (`env`, `clear_env`, `working_dir`), interpolated. */
function stepContext(cmd: WorkflowCommand, ctx: StepContext, interpolate: (s: string) => string): StepContext {
  if (!cmd.env && !cmd.clearEnv && cmd.workingDir === undefined) return ctx;
  const own = Object.fromEntries(Object.entries(cmd.env ?? {}).map(([k, v]) => [k, interpolate(v)]));
  const base: NodeJS.ProcessEnv = cmd.clearEnv ? { PATH: ctx.env.PATH, PRODIGY_SESSION_ID: ctx.env.PRODIGY_SESSION_ID } : ctx.env;
  const cwd = cmd.workingDir === undefined ? ctx.cwd : path.resolve(ctx.cwd, interpolate(cmd.workingDir));
  return { ...ctx, env: { ...base, ...own }, cwd, scope: ctx.scope };
}

async function execOnce(cmd: WorkflowCommand, text: string, ctx: StepContext, hooks: StepHooks, interpolate: (s: string) => string): Promise<CommandResult> {
  let r: CommandResult;
  switch (cmd.kind) {
    case 'shell':
    case 'claude': {
      // A launcher (slot host) keeps one environment and takes the exports as `export` lines; a spawn
      // gets them in its environment, merged in place (shellEnv: no 2,000-key object built per step).
      const shell = cmd.kind === 'shell';
      const env = shell && !ctx.launcher ? shellEnv(ctx.scope, ctx.env) : ctx.env;
      const exports = shell && ctx.launcher ? exportedEnv(ctx.scope) : undefined;
      r = await runCommand({ kind: cmd.kind, text, cwd: ctx.cwd, env, exports, timeoutSec: cmd.timeout, signal: ctx.signal, onOutput: hooks.onOutput, onSpawn: hooks.onSpawn, launcher: ctx.launcher, mask: ctx.mask });
      break;
    }
    case 'write_file':
      r = writeFileStep(cmd.writeFile!, interpolate, ctx.cwd);
      break;
    case 'foreach':
      r = await runForeach(cmd.foreach!, ctx, hooks, runSteps, interpolate, cmd.timeout);
      break;
    case 'validate':
      r = await runValidation({ ...cmd.validate!, timeout: cmd.validate!.timeout ?? cmd.timeout }, ctx, hooks, runSteps, interpolate);
      break;
    case 'analyze':
      r = okResult('');
      break;
  }
  if (r.output && cmd.kind !== 'shell' && cmd.kind !== 'claude') hooks.onOutput?.(ctx.mask ? ctx.mask(r.output) : r.output);
  // `${shell.output}` / `${claude.output}` / `${last.output}` is the last output, failed or not, so an
  // on_failure handler can read what went wrong.
  const output = r.output.replace(/\s+$/, '');
  if (cmd.kind === 'shell' || cmd.kind === 'claude') ctx.scope.outputs[cmd.kind] = output;
  ctx.scope.outputs.last = output;
  ctx.scope.outputs['last.exit_code'] = String(r.exitCode ?? -1);
  // A text capture is there for the step's own handlers too (on_failure, on_exit_code), failed or not.
  if (cmd.capture && cmd.captureFormat === 'string' && (!cmd.captureStreams || cmd.captureStreams.stdout)) ctx.scope.variables[cmd.capture] = output;
  return r;
}

/** The command with its `retry:` policy: tries again after the backoff delay while the failure qualifies. */
async function exec(cmd: WorkflowCommand, text: string, ctx: StepContext, hooks: StepHooks, interpolate: (s: string) => string): Promise<CommandResult> {
  let r = await execOnce(cmd, text, ctx, hooks, interpolate);
  const retry = cmd.retry;
  if (!retry) return r;
  for (let n = 1; n < retry.attempts && !r.success && !r.aborted && shouldRetry(retry.retryOn, r); n++) {
    const delay = retryDelayMs(retry, n);
    hooks.onNested?.(`retry ${n}/${retry.attempts - 1} in ${delay}ms after: ${r.error}`);
    if (!(await sleep(delay, ctx.signal))) return { ...r, aborted: true };
    r = await execOnce(cmd, text, ctx, hooks, interpolate);
  }
  return r;
}

type Handled = { result: CommandResult; recovered: boolean; fatal?: string } | 'interrupted';

/** The on_failure rounds. Returns the final result of the original command, or 'interrupted'. */
async function handleFailure(cmd: WorkflowCommand, text: string, first: CommandResult, ctx: StepContext, hooks: StepHooks, interpolate: (s: string) => string): Promise<Handled> {
  const h = cmd.onFailure!;
  let result = first;
  if (h.commands.length === 0) return { result, recovered: false };
  const commands = h.timeout === undefined ? h.commands : h.commands.map((c) => ({ ...c, timeout: c.timeout ?? h.timeout }));
  for (let attempt = 1; attempt <= h.maxAttempts; attempt++) {
    hooks.onNested?.(`on_failure (round ${attempt}/${h.maxAttempts}) after: ${result.error}`);
    const handler = await runSteps(commands, ctx, hooks, h.continueOnError);
    if (handler.status === 'interrupted') return 'interrupted';
    if (handler.status === 'failed' && h.handlerFailureFatal) return { result, recovered: false, fatal: `on_failure handler failed: ${handler.outcomes.at(-1)?.error}` };
    if (!h.retryOriginal) return { result, recovered: handler.status === 'ok' };
    hooks.onNested?.(`retry ${attempt}/${h.maxAttempts}: ${commandSummary(cmd)}`);
    result = await exec(cmd, text, ctx, hooks, interpolate);
    if (result.aborted) return 'interrupted';
    if (result.success) return { result, recovered: true };
  }
  return { result, recovered: false };
}

/** Captured variables: `capture` (with `capture_streams` beside it), `id`, `output_file`, `outputs`. */
function recordOutputs(cmd: WorkflowCommand, r: CommandResult, ctx: StepContext, ms: number): void {
  const vars = ctx.scope.variables;
  if (cmd.capture) {
    const s = cmd.captureStreams;
    if (r.success && (!s || s.stdout)) vars[cmd.capture] = captureValue(r.output, r.exitCode, cmd.captureFormat);
    if (s?.stderr) vars[`${cmd.capture}.stderr`] = (r.stderr ?? '').replace(/\s+$/, '');
    if (s?.exitCode) vars[`${cmd.capture}.exit_code`] = String(r.exitCode ?? -1);
    if (s?.success) vars[`${cmd.capture}.success`] = String(r.success);
    if (s?.duration) vars[`${cmd.capture}.duration`] = (ms / 1000).toFixed(3);
  }
  if (cmd.id && r.success) ctx.scope.outputs[cmd.id] = r.output.replace(/\s+$/, '');
  if (cmd.outputFile && r.success) fs.writeFileSync(path.resolve(ctx.cwd, cmd.outputFile), r.output);
  for (const [name, glob] of Object.entries(cmd.outputs ?? {})) ctx.scope.outputs[`${cmd.id}.${name}`] = matchingFiles(ctx.cwd, glob).join(' ');
}

export async function runStep(cmd: WorkflowCommand, outer: StepContext, hooks: StepHooks = {}): Promise<StepOutcome> {
  if (outer.signal?.aborted) return interrupted(cmd.text);
  const effects = worldEffects(outer.cwd, outer.env);
  const interpolate = (s: string) => interpolateIn(s, outer.scope, effects);
  let text: string;
  let ctx: StepContext;
  try {
    if (cmd.when !== undefined && !evaluateCondition(interpolate(cmd.when))) {
      return { status: 'skipped', output: '', exitCode: null, error: null, command: cmd.text };
    }
    text = cmd.kind === 'shell' || cmd.kind === 'claude' ? interpolate(cmd.text) : cmd.text;
    ctx = stepContext(cmd, outer, interpolate);
  } catch (err) {
    return failed(cmd.text, (err as Error).message);
  }
  const headBefore = cmd.commitRequired ? await gitHead(ctx.cwd) : undefined;
  const t0 = performance.now();
  let r = await exec(cmd, text, ctx, hooks, interpolate);
  if (r.aborted) return interrupted(text);
  let tolerated: string | null = r.success ? r.error : null;

  const byCode = r.exitCode !== null ? cmd.onExitCode?.[r.exitCode] : undefined;
  if (byCode) {
    hooks.onNested?.(`on_exit_code ${r.exitCode}: ${commandSummary(byCode)}`);
    const handled = await runStep(byCode, ctx, hooks);
    if (handled.status === 'interrupted') return interrupted(text);
    if (handled.status === 'failed') return failed(text, `on_exit_code ${r.exitCode} handler failed: ${handled.error}`, r);
    if (!r.success) tolerated = `${r.error} (handled by on_exit_code ${r.exitCode})`;
    r = { ...r, success: true, error: null };
  } else if (!r.success && cmd.onFailure) {
    const handled = await handleFailure(cmd, text, r, ctx, hooks, interpolate);
    if (handled === 'interrupted') return interrupted(text);
    r = handled.result;
    if (handled.fatal) return failed(text, handled.fatal, r);
    if (!r.success) {
      const fail = cmd.onFailure.failWorkflow && !handled.recovered;
      if (fail) return failed(text, cmd.onFailure.commands.length ? `${r.error} (on_failure did not recover it)` : (r.error ?? 'failed'), r);
      tolerated = `${r.error} (tolerated: ${cmd.onFailure.commands.length ? 'on_failure handled it' : 'on_failure: true'})`;
    }
  } else if (!r.success) {
    if (cmd.retry?.onFailure !== 'continue') return failed(text, r.error ?? 'failed', r);
    tolerated = `${r.error} (tolerated: retry.on_failure is continue)`;
  }

  try {
    recordOutputs(cmd, r, ctx, performance.now() - t0);
  } catch (err) {
    return failed(text, `capture ${cmd.capture}: ${(err as Error).message}`, r);
  }
  if (r.success && cmd.validate && cmd.kind !== 'validate') {
    hooks.onNested?.('validate');
    const v = await runValidation(cmd.validate, ctx, hooks, runSteps, interpolate);
    if (v.aborted) return interrupted(text);
    if (!v.success) return failed(text, v.error ?? 'validation failed', r);
    if (v.error) tolerated = v.error;
  }
  if (headBefore !== undefined && (await gitHead(ctx.cwd)) === headBefore) {
    return failed(text, 'commit_required: the step did not create a git commit', r);
  }
  if (cmd.onSuccess && r.success) {
    hooks.onNested?.(`on_success: ${commandSummary(cmd.onSuccess)}`);
    const after = await runStep(cmd.onSuccess, ctx, hooks);
    if (after.status === 'interrupted') return interrupted(text);
    if (after.status === 'failed') return failed(text, `on_success failed: ${after.error}`, r);
  }
  return { status: 'ok', output: r.output, exitCode: r.exitCode, error: tolerated, command: text };
}

export interface StepsOutcome {
  status: 'ok' | 'failed' | 'interrupted';
  outcomes: StepOutcome[];
  /** Index of the command that failed or was interrupted. */
  stoppedAt?: number;
}

/**
 * Runs commands in order, stopping at the first failure or interrupt (setup, agents, reduce, handlers).
 * `continueOnError[i]` lets command i fail without stopping the rest (on_failure's handler list).
 */
export async function runSteps(commands: WorkflowCommand[], ctx: StepContext, hooks: StepHooks = {}, continueOnError?: readonly boolean[]): Promise<StepsOutcome> {
  const outcomes: StepOutcome[] = [];
  for (let i = 0; i < commands.length; i++) {
    const o = await runStep(commands[i]!, ctx, hooks);
    outcomes.push(o);
    if (o.status === 'interrupted') return { status: o.status, outcomes, stoppedAt: i };
    if (o.status === 'failed' && !continueOnError?.[i]) return { status: o.status, outcomes, stoppedAt: i };
  }
  return { status: 'ok', outcomes };
}
