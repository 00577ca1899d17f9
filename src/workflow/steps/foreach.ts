/**
 * `foreach:`: the `do` steps once per item (a list, or a command's output lines), `parallel` at a time,
 * each with its own copy of the scope (`${item}`, `${item_index}`, `${item_total}`). Without
 * continue_on_error the first failure stops new items from starting and fails the step.
 */
import { runCommand } from '../../exec/command.js';
import type { Scope } from '../interpolate.js';
import type { StepContext, StepHooks, StepsOutcome } from '../step-runner.js';
import type { ForeachSpec, WorkflowCommand } from '../types.js';
import { abortedResult, failResult, okResult } from './result.js';
import type { CommandResult } from '../../exec/command.js';

type RunSteps = (commands: WorkflowCommand[], ctx: StepContext, hooks?: StepHooks) => Promise<StepsOutcome>;

/** Pure: output lines as items (blank lines dropped). */
export function linesAsItems(output: string): string[] {
  return output.split('\n').map((l) => l.replace(/\r$/, '').trim()).filter((l) => l.length > 0);
}

export function itemScopeFor(scope: Scope, item: string, index: number, total: number): Scope {
  return { ...scope, variables: { ...scope.variables }, outputs: { ...scope.outputs }, extra: { ...scope.extra, item, item_index: String(index), item_total: String(total) } };
}

export async function runForeach(
  spec: ForeachSpec,
  ctx: StepContext,
  hooks: StepHooks,
  runSteps: RunSteps,
  interpolate: (s: string) => string,
  timeout?: number,
): Promise<CommandResult> {
  let items: string[];
  if ('list' in spec.items) items = spec.items.list.map(interpolate);
  else {
    const command = interpolate(spec.items.command);
    const r = await runCommand({ kind: 'shell', text: command, cwd: ctx.cwd, env: ctx.env, signal: ctx.signal, timeoutSec: timeout });
    if (r.aborted) return abortedResult();
    if (!r.success) return failResult(`foreach items command failed: ${r.error}`, r.output);
    items = linesAsItems(r.output);
  }
  if (spec.maxItems !== undefined) items = items.slice(0, spec.maxItems);
  const steps = timeout === undefined ? spec.do : spec.do.map((c) => ({ ...c, timeout: c.timeout ?? timeout }));
  const failures: string[] = [];
  let interrupted = false;
  let next = 0;
  const worker = async () => {
    while (next < items.length && !interrupted && (spec.continueOnError || failures.length === 0)) {
      const i = next++;
      hooks.onNested?.(`foreach item ${i + 1}/${items.length}: ${items[i]}`);
      const r = await runSteps(steps, { ...ctx, scope: itemScopeFor(ctx.scope, items[i]!, i, items.length) }, hooks);
      if (r.status === 'interrupted') interrupted = true;
      else if (r.status === 'failed') failures.push(`item ${i + 1} (${items[i]}): ${r.outcomes.at(-1)?.error}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(spec.parallel, items.length)) }, worker));
  if (interrupted) return abortedResult();
  const summary = `foreach: ${items.length} item${items.length === 1 ? '' : 's'}, ${failures.length} failed\n`;
  if (failures.length === 0) return okResult(summary);
  if (spec.continueOnError) return { ...okResult(summary), error: `${failures.length} item(s) failed (tolerated: continue_on_error): ${failures.join('; ')}` };
  return failResult(`foreach ${failures[0]}`, summary);
}
