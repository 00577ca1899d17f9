/**
 * `validate:` (a step, or a field of a shell/claude step): run the validation commands, read the result
 * (result_file, else the last command's output), and while it is incomplete run `on_incomplete` with
 * `${validation.gaps}` and `${validation.attempt_number}`, then validate again, up to max_attempts.
 */
import fs from 'node:fs';
import type { CommandResult } from '../../exec/command.js';
import { gitHead } from '../../git/repo.js';
import { confinedPath } from '../effects.js';
import type { StepContext, StepHooks, StepsOutcome } from '../step-runner.js';
import type { ValidateSpec, WorkflowCommand } from '../types.js';
import { abortedResult, failResult, okResult } from './result.js';
import { isComplete, readValidationResult, type ValidationResult } from './validation-result.js';

type RunSteps = (commands: WorkflowCommand[], ctx: StepContext, hooks?: StepHooks) => Promise<StepsOutcome>;

const withTimeout = (cs: WorkflowCommand[], t: number | undefined) => (t === undefined ? cs : cs.map((c) => ({ ...c, timeout: c.timeout ?? t })));

async function validateOnce(spec: ValidateSpec, ctx: StepContext, hooks: StepHooks, runSteps: RunSteps, interpolate: (s: string) => string): Promise<ValidationResult | CommandResult> {
  let text = '';
  if (spec.commands.length > 0) {
    const r = await runSteps(withTimeout(spec.commands, spec.timeout), ctx, hooks);
    if (r.status === 'interrupted') return abortedResult();
    if (r.status === 'failed') return failResult(`validation command failed: ${r.outcomes.at(-1)?.error}`);
    text = r.outcomes.at(-1)?.output ?? '';
  }
  let source = 'output';
  if (spec.resultFile !== undefined) {
    const rel = interpolate(spec.resultFile);
    source = rel;
    try {
      text = fs.readFileSync(confinedPath(ctx.cwd, rel, 'validate.result_file'), 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return failResult(e.code === 'ENOENT' ? `validation result ${rel}: no such file` : e.message);
    }
  }
  try {
    return readValidationResult(text.trim(), source);
  } catch (err) {
    return failResult((err as Error).message);
  }
}

const isResult = (v: ValidationResult | CommandResult): v is CommandResult => 'success' in v;

export async function runValidation(spec: ValidateSpec, ctx: StepContext, hooks: StepHooks, runSteps: RunSteps, interpolate: (s: string) => string): Promise<CommandResult> {
  let v = await validateOnce(spec, ctx, hooks, runSteps, interpolate);
  const oi = spec.onIncomplete;
  let attempt = 0;
  const vars = ctx.scope.variables;
  while (!isResult(v) && !isComplete(v, spec.threshold) && oi && attempt < oi.maxAttempts) {
    attempt++;
    vars['validation.gaps'] = JSON.stringify(v.gaps);
    vars['validation.incomplete_specs'] = JSON.stringify(v.incompleteSpecs);
    vars['validation.completion'] = String(v.percentage);
    vars['validation.attempt_number'] = String(attempt);
    hooks.onNested?.(`on_incomplete (attempt ${attempt}/${oi.maxAttempts}): ${v.percentage}% < ${spec.threshold}%`);
    const head = oi.commitRequired ? await gitHead(ctx.cwd) : undefined;
    const h = await runSteps(oi.commands, ctx, hooks);
    if (h.status === 'interrupted') return abortedResult();
    if (h.status === 'failed') return failResult(`on_incomplete failed: ${h.outcomes.at(-1)?.error}`);
    if (head !== undefined && (await gitHead(ctx.cwd)) === head) return failResult('on_incomplete: commit_required, but no commit was made');
    v = await validateOnce(spec, ctx, hooks, runSteps, interpolate);
  }
  if (isResult(v)) return v;
  vars['validation.completion'] = String(v.percentage);
  vars['validation.gaps'] = JSON.stringify(v.gaps);
  const summary = `validation ${v.percentage}% (threshold ${spec.threshold}%)${v.gaps.length ? `, gaps: ${v.gaps.join('; ')}` : ''}\n`;
  if (isComplete(v, spec.threshold)) return okResult(summary);
  const failWorkflow = oi?.failWorkflow ?? true;
  const why = `validation incomplete: ${v.percentage}% < ${spec.threshold}%${attempt ? ` after ${attempt} on_incomplete attempt${attempt > 1 ? 's' : ''}` : ''}`;
  if (!failWorkflow) return { ...okResult(summary), error: `${why} (tolerated: on_incomplete.fail_workflow is false)` };
  return failResult(why, summary);
}
