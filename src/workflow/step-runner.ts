/**
 * Runs one workflow command with everything around it: `when`, interpolation, the process, capture,
 * `on_failure` rounds, `commit_required`, `on_success`. It knows nothing of sessions, so the MapReduce
 * runner reuses it for setup, agent templates and reduce (`runSteps`), giving item variables through
 * `scope.extra`. The scope is updated in place (captured variables and last outputs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type CommandResult, runCommand } from '../exec/command.js';
import type { ShellLauncher } from '../exec/process.js';
import { gitHead } from '../exec/git.js';
import { captureValue } from './capture.js';
import { evaluateCondition } from './condition.js';
import { worldEffects } from './effects.js';
import { interpolateIn, type Scope } from './interpolate.js';
import { commandSummary, type WorkflowCommand } from './types.js';

export interface StepContext {
  scope: Scope;
  cwd: string;
  /** The environment children get (the runner's, workflow env, PRODIGY_SESSION_ID...). */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** How `shell:` commands run (MapReduce agents: their slot's host); default: spawned from here. */
  launcher?: ShellLauncher;
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

async function exec(cmd: WorkflowCommand, text: string, ctx: StepContext, hooks: StepHooks): Promise<CommandResult> {
  const r = await runCommand({
    kind: cmd.kind,
    text,
    cwd: ctx.cwd,
    env: ctx.env,
    timeoutSec: cmd.timeout,
    signal: ctx.signal,
    onOutput: hooks.onOutput,
    onSpawn: hooks.onSpawn,
    launcher: ctx.launcher,
  });
  // `${shell.output}` / `${claude.output}` is the last output of that kind, failed or not, so an
  // on_failure handler can read what went wrong.
  const output = r.output.replace(/\s+$/, '');
  ctx.scope.outputs[cmd.kind] = output;
  ctx.scope.outputs.last = output;
  ctx.scope.outputs['last.exit_code'] = String(r.exitCode ?? -1);
  return r;
}

/** The on_failure rounds. Returns the final result of the original command, or 'interrupted'. */
async function handleFailure(
  cmd: WorkflowCommand,
  text: string,
  first: CommandResult,
  ctx: StepContext,
  hooks: StepHooks,
): Promise<{ result: CommandResult; recovered: boolean } | 'interrupted'> {
  const h = cmd.onFailure!;
  let result = first;
  for (let attempt = 1; attempt <= h.maxAttempts; attempt++) {
    hooks.onNested?.(`on_failure (round ${attempt}/${h.maxAttempts}) after: ${result.error}`);
    const handler = await runSteps(h.commands, ctx, hooks);
    if (handler.status === 'interrupted') return 'interrupted';
    if (!h.retryOriginal) return { result, recovered: handler.status === 'ok' };
    hooks.onNested?.(`retry ${attempt}/${h.maxAttempts}: ${commandSummary(cmd)}`);
    result = await exec(cmd, text, ctx, hooks);
    if (result.aborted) return 'interrupted';
    if (result.success) return { result, recovered: true };
  }
  return { result, recovered: false };
}

export async function runStep(cmd: WorkflowCommand, ctx: StepContext, hooks: StepHooks = {}): Promise<StepOutcome> {
  if (ctx.signal?.aborted) return interrupted(cmd.text);
  let text: string;
  const effects = worldEffects(ctx.cwd, ctx.env);
  try {
    if (cmd.when !== undefined && !evaluateCondition(interpolateIn(cmd.when, ctx.scope, effects))) {
      return { status: 'skipped', output: '', exitCode: null, error: null, command: cmd.text };
    }
    text = interpolateIn(cmd.text, ctx.scope, effects);
  } catch (err) {
    return failed(cmd.text, (err as Error).message);
  }
  const headBefore = cmd.commitRequired ? await gitHead(ctx.cwd) : undefined;

  let r = await exec(cmd, text, ctx, hooks);
  if (r.aborted) return interrupted(text);
  let tolerated: string | null = null;
  if (!r.success && cmd.onFailure) {
    const handled = await handleFailure(cmd, text, r, ctx, hooks);
    if (handled === 'interrupted') return interrupted(text);
    r = handled.result;
    if (!handled.recovered && cmd.onFailure.failWorkflow) return failed(text, `${r.error} (on_failure did not recover it)`, r);
    if (!r.success) tolerated = `${r.error} (tolerated: fail_workflow is false or on_failure handled it)`;
  } else if (!r.success) {
    return failed(text, r.error ?? 'failed', r);
  }

  if (r.success) {
    try {
      if (cmd.capture) ctx.scope.variables[cmd.capture] = captureValue(r.output, r.exitCode, cmd.captureFormat);
    } catch (err) {
      return failed(text, `capture_output ${cmd.capture}: ${(err as Error).message}`, r);
    }
    if (cmd.id) ctx.scope.outputs[cmd.id] = r.output.replace(/\s+$/, '');
    if (cmd.outputFile) fs.writeFileSync(path.resolve(ctx.cwd, cmd.outputFile), r.output);
  }
  if (headBefore !== undefined && (await gitHead(ctx.cwd)) === headBefore) {
    return failed(text, 'commit_required: the step did not create a git commit', r);
  }
  if (cmd.onSuccess) {
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

/** Runs commands in order, stopping at the first failure or interrupt (setup, agents, reduce, handlers). */
export async function runSteps(commands: WorkflowCommand[], ctx: StepContext, hooks: StepHooks = {}): Promise<StepsOutcome> {
  const outcomes: StepOutcome[] = [];
  for (let i = 0; i < commands.length; i++) {
    const o = await runStep(commands[i]!, ctx, hooks);
    outcomes.push(o);
    if (o.status === 'failed' || o.status === 'interrupted') return { status: o.status, outcomes, stoppedAt: i };
  }
  return { status: 'ok', outcomes };
}
