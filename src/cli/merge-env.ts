/**
 * The environment a run's `merge:` block runs with when the run's own process is not there to hand it
 * over (`prodigy worktree merge <id>`, the live view's merge, `resume-job`): the workflow's `env:`,
 * profile, params and secrets resolved again as `prodigy resume` does, from the recorded workflow file and
 * `run_options`. Secrets are never stored, so they are read from their source again, now.
 */
import fs from 'node:fs';
import { parseMapReduce } from '../mapreduce/parse.js';
import { META, type UnifiedSession } from '../session/types.js';
import { RUN_OPTIONS_KEY } from '../workflow/executor.js';
import { makeMask, type Mask } from '../workflow/mask.js';
import { parseWorkflow } from '../workflow/parse.js';
import { WorkflowParseError } from '../workflow/yaml-source.js';
import { CliError, EXIT } from './errors.js';
import { recordOf, resolved } from './run-plan.js';
import { sha256 } from './workflow-shared.js';

export interface MergeEnvironment {
  /** Every variable of the run, secrets included. */
  env: Record<string, string>;
  mask: Mask;
  /** Lines to print before the block runs (a file read from the user's directory, a changed workflow). */
  notes: string[];
}

/** What a run that just ended resolved itself: handed to its merge: block, nothing resolved twice. */
export const ranWith = (p: { workflow: { env: Record<string, string> }; mask: Mask }): MergeEnvironment => ({ env: p.workflow.env, mask: p.mask, notes: [] });

/** Nothing to add: a block recorded by a run whose workflow file is gone runs with the process environment only. */
const bare = (note: string): MergeEnvironment => ({ env: {}, mask: makeMask({}), notes: [note] });

/** `cwd`: where the block runs (the session worktree); `userDir`: the user's tree, for files the worktree lacks. */
export function mergeEnvironment(s: UnifiedSession, cwd: string, userDir: string | undefined, processEnv: NodeJS.ProcessEnv = process.env): MergeEnvironment {
  const file = s.metadata[META.workflowPath];
  if (typeof file !== 'string' || !fs.existsSync(file)) {
    return bare(`prodigy: warning: the workflow file of ${s.id}${typeof file === 'string' ? ` (${file})` : ''} is gone: its merge: block runs without the workflow's env: and secrets:`);
  }
  const text = fs.readFileSync(file, 'utf8');
  let wf;
  try {
    const parsed = parseWorkflow(text, file);
    wf = parsed.mode === 'mapreduce' ? parseMapReduce(parsed.source) : parsed.workflow;
  } catch (err) {
    if (err instanceof WorkflowParseError) throw new CliError(`not merged: the merge: block needs the run's environment: ${err.message}`, EXIT.usage);
    throw err;
  }
  const notes: string[] = [];
  const hash = s.metadata[META.workflowHash];
  if (typeof hash === 'string' && hash !== sha256(text)) notes.push(`prodigy: warning: ${file} changed since ${s.id} began: its merge: block gets the env: and secrets: of the file as it is now`);
  const record = recordOf(s.metadata[RUN_OPTIONS_KEY]) ?? { params: {}, args: [] };
  let r;
  try {
    r = resolved(wf, record, cwd, userDir, processEnv);
  } catch (err) {
    // Before any step runs: nothing is merged, the worktree stays.
    if (err instanceof CliError) throw new CliError(`not merged: the merge: block needs the run's environment: ${err.message}`, err.exitCode);
    throw err;
  }
  return { env: r.env, mask: r.mask, notes: [...notes, ...r.notes] };
}
