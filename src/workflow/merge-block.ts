/**
 * The workflow's `merge:` block (Prodigy syntax): the steps that replace the default merge of a finished
 * run's branch into the branch it started from. Either a list of steps, or `{commands, timeout}` where
 * the timeout (seconds) bounds the whole block. Parsing is pure; running reuses the step runner, in the
 * session worktree, with `${merge.*}` variables and the run's own environment (env:, secrets: masked).
 */
import { isMap, type Node } from 'yaml';
import { parseCommandList, parsingMergeBlock } from './commands.js';
import type { Scope } from './interpolate.js';
import type { Mask } from './mask.js';
import { runSteps, type StepHooks, type StepOutcome } from './step-runner.js';
import { commandSummary, type WorkflowCommand } from './types.js';
import { asPositiveInt, entriesOf, type YamlSource } from './yaml-source.js';

export interface MergeBlock {
  commands: WorkflowCommand[];
  /** Seconds for the whole block (`{commands, timeout}` form only). */
  timeout?: number;
}

/** `merge:` as a list of steps or `{commands, timeout}`; anything else is refused with its position. */
export function parseMergeBlock(src: YamlSource, node: Node | null): MergeBlock {
  if (!isMap(node)) {
    return { commands: parsingMergeBlock(src, () => parseCommandList(src, node, 'merge')) };
  }
  const block: MergeBlock = { commands: [] };
  let sawCommands = false;
  for (const e of entriesOf(src, node)) {
    if (e.key === 'commands') {
      block.commands = parsingMergeBlock(src, () => parseCommandList(src, e.value, 'merge.commands'));
      sawCommands = true;
    } else if (e.key === 'timeout') block.timeout = asPositiveInt(src, e.value, 'merge.timeout');
    else src.warn(e.keyNode, `key "merge.${e.key}" is ignored: merge: takes commands and timeout`);
  }
  if (!sawCommands || block.commands.length === 0) throw src.error(node, 'merge: needs commands: (a list of steps)');
  return block;
}

/** What the block's steps can refer to as `${merge.<name>}`. */
export interface MergeFacts {
  /** The worktree's name (Prodigy's `${merge.worktree}`: the session id). */
  worktree: string;
  worktreePath: string;
  repoPath: string;
  sourceBranch: string;
  targetBranch: string;
  sessionId: string;
  commitIds: string[];
  modifiedFiles: string[];
}

/** Pure: the `${merge.*}` names. Lists are one entry per line. */
export function mergeVariables(f: MergeFacts): Record<string, string> {
  return {
    'merge.worktree': f.worktree,
    'merge.worktree_path': f.worktreePath,
    'merge.repo_path': f.repoPath,
    'merge.source_branch': f.sourceBranch,
    'merge.target_branch': f.targetBranch,
    'merge.session_id': f.sessionId,
    'merge.commits': f.commitIds.join('\n'),
    'merge.commit_ids': f.commitIds.join('\n'),
    'merge.commit_count': String(f.commitIds.length),
    'merge.modified_files': f.modifiedFiles.join('\n'),
    'merge.file_count': String(f.modifiedFiles.length),
  };
}

export type MergeBlockResult =
  | { status: 'ok' }
  | { status: 'failed'; step: number; summary: string; outcome: StepOutcome }
  | { status: 'interrupted' }
  | { status: 'timeout'; seconds: number };

export interface MergeBlockRun {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The run's variables (workflow `env:`, secrets...), as `${NAME}` and in the commands' environment. */
  workflowEnv?: Record<string, string>;
  /** The run's secrets: the steps' output reaches `hooks.onOutput` masked. */
  mask?: Mask;
  facts: MergeFacts;
  workflowName: string;
  signal?: AbortSignal;
  hooks?: StepHooks;
  /** A step is starting: its 1-based number and one-line summary. */
  onStep?: (n: number, summary: string) => void;
}

/** Runs the block's steps in order; the first failure stops it (nothing after it runs). */
export async function runMergeBlock(block: MergeBlock, o: MergeBlockRun): Promise<MergeBlockResult> {
  const timer = block.timeout !== undefined ? AbortSignal.timeout(block.timeout * 1000) : undefined;
  const signals = [o.signal, timer].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  const scope: Scope = {
    variables: {},
    outputs: {},
    env: { ...o.workflowEnv },
    processEnv: o.env,
    workflowName: o.workflowName,
    workflowId: o.facts.sessionId,
    extra: mergeVariables(o.facts),
  };
  const env: NodeJS.ProcessEnv = { ...o.env, ...o.workflowEnv, PRODIGY_SESSION_ID: o.facts.sessionId, PRODIGY_AUTOMATION: 'true' };
  for (let i = 0; i < block.commands.length; i++) {
    const cmd = block.commands[i]!;
    o.onStep?.(i + 1, commandSummary(cmd));
    const r = await runSteps([cmd], { scope, cwd: o.cwd, env, signal, mask: o.mask }, o.hooks);
    const outcome = r.outcomes[0]!;
    if (r.status === 'interrupted') {
      if (timer?.aborted && !o.signal?.aborted) return { status: 'timeout', seconds: block.timeout! };
      return { status: 'interrupted' };
    }
    if (r.status === 'failed') return { status: 'failed', step: i + 1, summary: commandSummary(cmd), outcome };
  }
  return { status: 'ok' };
}
