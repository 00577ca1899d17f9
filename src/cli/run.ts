/** `prodigy run <workflow>`: parse first (nothing is created for a bad file), then run as a new session. */
import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { isValidSessionId, storePaths } from '../storage/paths.js';
import { CookSessionAdapter } from '../session/adapter.js';
import { newSessionId } from '../session/manager.js';
import { executeWorkflow } from '../workflow/executor.js';
import { homeOf } from './context.js';
import { loadJob, runMapReduceWorkflow } from './mapreduce-run.js';
import { CliError, EXIT } from './errors.js';
import { offerMerge, placeRecord, placeRun, type RunPlace } from './isolation.js';
import { type MergeEnvironment, ranWith } from './merge-env.js';
import { printPlan } from './dry-run.js';
import { discardWorktree } from '../git/session-worktree.js';
import { collect, type PlanFlags, type PreparedJob, prepareRun, readPlanFlags } from './run-plan.js';
import { addQueueOptions, queueArgs, type QueueRunFlags, queueUrlOf } from './queue-options.js';
import { displayPath, installInterrupt, stepRecordsDir, type LoadedWorkflow, loadWorkflow, plainReporter, reportResult, surviveClosedOutput } from './workflow-shared.js';

export interface RunOptions extends PlanFlags, QueueRunFlags {
  dryRun?: boolean;
  yes?: boolean;
  path?: string;
  verbose?: boolean;
  /** false with --no-tui: plain lines even on a terminal. */
  tui?: boolean;
  /** Set by the live view, which runs this command as its child (hidden option). */
  sessionId?: string;
  /** Unknown `${name}` fails the step (Prodigy's strict mode); default leaves it as text. */
  strict?: boolean;
  /** false with --no-worktree: the run works in place, in the user's tree. */
  worktree?: boolean;
  /** Set by the live view: it offers the merge itself once the view has closed (hidden option). */
  deferMerge?: boolean;
}

/** The working directory commands run in: --path, else the current directory. */
export function workingDir(opt: string | undefined): string {
  const dir = path.resolve(opt ?? process.cwd());
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CliError(`--path ${opt}: no such directory`, EXIT.usage);
  return dir;
}

/** MapReduce hook: `mode: mapreduce` files arrive here already read and recognised (src/mapreduce runs them). */
export async function runMapReduceHook(loaded: LoadedWorkflow, job: PreparedJob, ctx: { home: string; cwd: string; opts: RunOptions; place?: RunPlace }): Promise<number> {
  const { queue, remote, insecure, ...rest } = ctx.opts;
  return runMapReduceWorkflow(loaded, job, { ...ctx, opts: { ...rest, queueFlags: { queue, remote, insecure } } });
}

/**
 * The environment is resolved where the steps run (env files and env commands see the worktree, and
 * uncommitted files come from the user's directory); a bad env file or profile removes the worktree
 * just made, so nothing is left behind.
 */
async function preparedInPlace<T>(place: RunPlace, prepare: () => T): Promise<T> {
  try {
    return prepare();
  } catch (err) {
    if (place.worktree) await discardWorktree(place.worktree);
    throw err;
  }
}

/** A completed run's work goes back to the user's branch (or is left for `prodigy worktree merge`). */
async function afterRun(home: string, sessionId: string, code: number, opts: RunOptions, env?: MergeEnvironment): Promise<number> {
  if (code !== EXIT.ok || opts.deferMerge) return code;
  return offerMerge(home, sessionId, { yes: opts.yes, env });
}

async function run(file: string, opts: RunOptions, cmd: Command): Promise<void> {
  surviveClosedOutput();
  const home = homeOf(cmd);
  const cwd = workingDir(opts.path);
  const loaded = loadWorkflow(file, file);
  const record = readPlanFlags(opts, cwd);
  if (opts.dryRun) {
    process.exitCode = printPlan(loaded, record, cwd);
    return;
  }
  if (opts.tui !== false && opts.sessionId === undefined && process.stdout.isTTY && process.stdin.isTTY) {
    const { runWithLiveView } = await import('./run-live.js');
    const id = newSessionId();
    const childArgs = [
      'run', loaded.file, '--no-tui', '--defer-merge', '--session-id', id, '--path', cwd,
      ...(opts.verbose ? ['-v'] : []), ...(opts.strict ? ['--strict'] : []), ...(opts.worktree === false ? ['--no-worktree'] : []), ...forwardedFlags(opts), ...queueArgs(opts),
    ];
    const code = await runWithLiveView({ home, sessionId: id, childArgs, cwd });
    process.exitCode = await afterRun(home, id, code, { ...opts, deferMerge: false });
    return;
  }
  if (opts.sessionId !== undefined && !isValidSessionId(opts.sessionId)) throw new CliError(`--session-id ${opts.sessionId}: not a valid session id`, EXIT.usage);
  const sessionId = opts.sessionId ?? newSessionId();
  if (loaded.parsed.mode === 'mapreduce') {
    const place = await placeRun({ home, dir: cwd, sessionId, worktree: opts.worktree !== false });
    // Variables and secrets resolved (or refused) where the steps run, before the session exists.
    const job = await preparedInPlace(place, () => loadJob(loaded, record, place.cwd, cwd));
    const code = await runMapReduceHook(loaded, job, { home, cwd: place.cwd, opts: { ...opts, sessionId }, place });
    process.exitCode = await afterRun(home, sessionId, code, opts, ranWith(job));
    return;
  }
  if (queueUrlOf(opts) !== null && opts.queue !== undefined) process.stderr.write('prodigy: warning: --queue is for MapReduce workflows; this sequential workflow runs here\n');
  const place = await placeRun({ home, dir: cwd, sessionId, worktree: opts.worktree !== false });
  const sequential = loaded.parsed.workflow;
  const prepared = await preparedInPlace(place, () => prepareRun(sequential, record, place.cwd, cwd));
  const wf = prepared.workflow;
  const paths = storePaths(home);
  fs.mkdirSync(paths.logsDir, { recursive: true });
  const logFile = paths.sessionLog(sessionId);
  process.stdout.write(`Session ${sessionId}\n`);
  for (const n of [...place.notes, ...prepared.notes]) process.stdout.write(`${n}\n`);
  process.stdout.write(`Running ${wf.name} (${displayPath(loaded.file)}, ${wf.commands.length} steps), log ${logFile}\n`);
  const sessions = new CookSessionAdapter(home, { repoPath: place.repoPath });
  const interrupt = installInterrupt(sessionId);
  const started = Date.now();
  try {
    const result = await executeWorkflow({
      sessions,
      sessionId,
      workflow: wf,
      workflowPath: loaded.file,
      workflowHash: loaded.hash,
      cwd: place.cwd,
      place: placeRecord(place, sessionId, wf.merge),
      signal: interrupt.signal,
      logFile,
      stepRecords: stepRecordsDir(paths, sessionId),
      reporter: plainReporter({ verbose: opts.verbose }),
      strict: opts.strict,
      mask: prepared.mask,
      runOptions: prepared.runOptions,
    });
    if (result.status === 'interrupted') sessions.release();
    process.exitCode = await afterRun(home, sessionId, reportResult(sessionId, result, logFile, started), opts, ranWith(prepared));
  } finally {
    interrupt.dispose();
  }
}

/** The plan flags again, for the child the live view starts. */
function forwardedFlags(o: PlanFlags): string[] {
  return [
    ...(o.profile !== undefined ? ['--profile', o.profile] : []),
    ...(o.param ?? []).flatMap((p) => ['--param', p]),
    ...(o.paramFile !== undefined ? ['--param-file', o.paramFile] : []),
    ...(o.maxIterations !== undefined ? ['--max-iterations', o.maxIterations] : []),
    ...(o.args ?? []).flatMap((a) => ['--args', a]),
    ...(o.map ?? []).flatMap((m) => ['--map', m]),
  ];
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('run a workflow as a new session (Ctrl+C pauses it; prodigy resume carries on)')
    .argument('<workflow>', 'the workflow YAML file')
    .option('-y, --yes', "answer yes to every prompt (merges the run's commits back without asking)")
    .option('--path <dir>', 'the directory (repository) to run the commands in (default: current directory)')
    .option('-v, --verbose', "also print every step's output")
    .option('-n, --max-iterations <n>', 'run the commands this many times (${workflow.iteration}; default: max_iterations or 1)')
    .option('--args <values>', 'run once per value (comma-separated, repeatable) with $ARG / ${ARG} set', collect)
    .option('--map <glob>', 'run once per file matching the glob (repeatable) with $ARG set to its path', collect)
    .option('--param <key=value>', 'set a variable (repeatable; overrides env:)', collect)
    .option('--param-file <file>', 'variables from a JSON or YAML mapping')
    .option('--profile <name>', 'apply the env values of profiles.<name>')
    .option('--dry-run', 'print the plan (steps, items selected, variables known) and run nothing')
    .option('--strict', 'an unknown ${name} fails its step (default: left as text, as Prodigy does)')
    .option('--no-tui', 'plain lines even on a terminal (the default when stdout is not a terminal)')
    .option('--no-worktree', "run in place, in your working tree (default: in a git worktree of the run's own, merged back at the end)")
    .addOption(new Option('--defer-merge', 'leave the merge question to the caller (used by the live view)').hideHelp())
    .addOption(new Option('--session-id <id>', 'the new session id (used by the live view)').hideHelp());
  addQueueOptions(cmd).action((file: string, opts: RunOptions, c: Command) => run(file, opts, c));
}
