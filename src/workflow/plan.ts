/**
 * The run plan, pure: the commands repeated once per iteration (`-n` / `max_iterations`) and, with
 * `--args` / `--map`, once per argument (`$ARG`). Each copy carries its iteration and argument, so the
 * executor sets `${workflow.iteration}` and `$ARG` per step and a resume finds the same step indices.
 */
import type { SequentialWorkflow, WorkflowCommand } from './types.js';

export interface PlanOptions {
  iterations?: number;
  args?: string[];
}

export function expandPlan(wf: SequentialWorkflow, o: PlanOptions): SequentialWorkflow {
  const iterations = o.iterations ?? wf.maxIterations ?? 1;
  const args: Array<string | undefined> = o.args && o.args.length > 0 ? o.args : [undefined];
  if (iterations === 1 && args[0] === undefined) return wf;
  const commands: WorkflowCommand[] = [];
  for (const arg of args) {
    for (let it = 1; it <= iterations; it++) {
      for (const c of wf.commands) commands.push({ ...c, iteration: it, ...(arg === undefined ? {} : { arg }) });
    }
  }
  return { ...wf, commands };
}

