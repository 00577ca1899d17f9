/**
 * `prodigy resume [id]`: carries an interrupted session on from its last checkpoint. Completed steps are
 * not run again; variables and outputs come back; the step that was in flight runs again. Every refusal
 * is one line and a non-zero exit: unknown id (2), nothing to resume (2), Completed/final (1), live owner
 * (1), changed workflow file without --force (1).
 */
import fs from 'node:fs';
import readline from 'node:readline/promises';
import { type Command, Option } from 'commander';
import { storePaths } from '../storage/paths.js';
import { resumeRefusal } from '../control/run-control.js';
import { groupBelongsToSession } from '../exec/orphans.js';
import { groupAlive, killGroup } from '../exec/process.js';
import { CookSessionAdapter } from '../session/adapter.js';
import { UnifiedSessionManager } from '../session/manager.js';
import type { UnifiedSession } from '../session/types.js';
import { META } from '../session/types.js';
import { CHILD_PGID_KEY, completedResults, executeWorkflow, RUN_OPTIONS_KEY } from '../workflow/executor.js';
import { prepareRun, recordOf } from './run-plan.js';
import { commandSummary } from '../workflow/types.js';
import { homeOf } from './context.js';
import { progressText } from '../view/progress-text.js';
import { continueJob } from './mapreduce-run.js';
import { addQueueOptions, queueArgs, type QueueRunFlags } from './queue-options.js';
import { CliError, EXIT } from './errors.js';
import { offerMerge, resumePlace } from './isolation.js';
import { type MergeEnvironment, ranWith } from './merge-env.js';
import { workingDir } from './run.js';
import { displayPath, installInterrupt, stepRecordsDir, loadWorkflow, plainReporter, reportResult, surviveClosedOutput, type LoadedWorkflow } from './workflow-shared.js';

export interface ResumeOptions extends QueueRunFlags {
  yes?: boolean;
  force?: boolean;
  path?: string;
  verbose?: boolean;
  /** false with --no-tui: plain lines even on a terminal. */
  tui?: boolean;
  /** Set by the live view, which offers the merge itself (hidden option). */
  deferMerge?: boolean;
}

/** MapReduce hook: the job runner resumes only unfinished items (src/cli/mapreduce-run.ts). */
export async function resumeMapReduceHook(session: UnifiedSession, ctx: { home: string; opts: ResumeOptions }): Promise<number> {
  const jobId = session.mapreduce_data?.job_id ?? session.metadata[META.jobId];
  if (typeof jobId !== 'string') throw new CliError(`${session.id} records no MapReduce job: it cannot be resumed`);
  return continueJob(ctx.home, jobId, { verbose: ctx.opts.verbose, cwd: ctx.opts.path !== undefined ? workingDir(ctx.opts.path) : undefined, queueFlags: ctx.opts });
}

async function pickSession(manager: UnifiedSessionManager, id: string | undefined, repo: string): Promise<UnifiedSession> {
  if (id !== undefined) return manager.load(await manager.resolveId(id));
  const last = await manager.getLastInterrupted({ repo_path: repo });
  if (!last) throw new CliError(`nothing to resume: no interrupted session for ${repo}`, EXIT.usage);
  return last;
}

/** The recorded workflow file, refused when it is gone or (without --force) changed since the run began. */
function recordedWorkflow(s: UnifiedSession, force: boolean): LoadedWorkflow {
  const file = s.metadata[META.workflowPath];
  if (typeof file !== 'string') throw new CliError(`${s.id} records no workflow file: it cannot be resumed`);
  if (!fs.existsSync(file)) throw new CliError(`${s.id}: its workflow file ${file} no longer exists`);
  const loaded = loadWorkflow(file, displayPath(file));
  const recorded = s.metadata[META.workflowHash];
  if (typeof recorded === 'string' && recorded !== loaded.hash && !force) {
    throw new CliError(`${displayPath(file)} changed since ${s.id} began: refusing to resume (use --force to resume with the new file)`);
  }
  return loaded;
}

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** A crashed owner (SIGKILL, power loss) may have left its step's process group running: stop it first. */
function reapOrphans(manager: UnifiedSessionManager, s: UnifiedSession): void {
  const pgid = s.metadata[CHILD_PGID_KEY];
  if (s.status !== 'Running' || manager.ownerAlive(s) !== false || typeof pgid !== 'number') return;
  if (groupAlive(pgid) && groupBelongsToSession(pgid, s.id) && killGroup(pgid, 'SIGKILL')) {
    process.stderr.write(`Stopped process group ${pgid} left running by the crashed run.\n`);
  }
}

async function resume(id: string | undefined, opts: ResumeOptions, cmd: Command): Promise<void> {
  surviveClosedOutput();
  const home = homeOf(cmd);
  const manager = new UnifiedSessionManager(home);
  const s = await pickSession(manager, id, workingDir(opts.path));
  const refusal = resumeRefusal(s, manager.ownerAlive(s));
  if (!refusal.ok) throw new CliError(refusal.reason);
  resumePlace(s);
  const afterRun = async (code: number, env?: MergeEnvironment) => (code === EXIT.ok && !opts.deferMerge ? offerMerge(home, s.id, { yes: opts.yes, env }) : code);
  const mapReduce = s.session_type === 'MapReduce' || s.mapreduce_data !== null || s.metadata[META.workflowType] === 'MapReduce';
  const loaded = mapReduce ? null : recordedWorkflow(s, Boolean(opts.force));
  if (loaded && loaded.parsed.mode !== 'standard') throw new CliError(`${displayPath(loaded.file)} is now a MapReduce workflow: it cannot resume ${s.id}`);
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (loaded && loaded.parsed.mode === 'standard' && !opts.yes && terminal) {
    const wf = loaded.parsed.workflow;
    const ok = await confirm(`Resume ${s.id} (${wf.name}, at ${progressText(s)})? [y/N] `);
    if (!ok) throw new CliError('not resumed', EXIT.failed);
  }
  if (terminal && opts.tui !== false) {
    // The same live view as `prodigy run`: the resume itself runs as the plain command in a child.
    const { runWithLiveView } = await import('./run-live.js');
    const childArgs = ['resume', s.id, '-y', '--no-tui', '--defer-merge', ...(opts.force ? ['--force'] : []), ...(opts.path !== undefined ? ['--path', opts.path] : []), ...(opts.verbose ? ['-v'] : []), ...queueArgs(opts)];
    const code = await runWithLiveView({ home, sessionId: s.id, childArgs, cwd: workingDir(opts.path) });
    process.exitCode = code === EXIT.ok ? await offerMerge(home, s.id, { yes: opts.yes }) : code;
    return;
  }
  if (mapReduce || !loaded || loaded.parsed.mode !== 'standard') {
    process.exitCode = await afterRun(await resumeMapReduceHook(s, { home, opts }));
    return;
  }
  reapOrphans(manager, s);

  const recorded = typeof s.metadata.working_directory === 'string' && fs.existsSync(s.metadata.working_directory) ? s.metadata.working_directory : null;
  // Where it ran: its worktree (checked to exist above) or, in place, its directory.
  const cwd = recorded ?? workingDir(opts.path);
  const repoPath = typeof s.metadata[META.repoPath] === 'string' ? (s.metadata[META.repoPath] as string) : cwd;
  // The same plan as the run: its recorded profile, params, iterations and args.
  const record = recordOf(s.metadata[RUN_OPTIONS_KEY]) ?? { params: {}, args: [] };
  const prepared = prepareRun(loaded.parsed.workflow, record, cwd, repoPath);
  const wf = prepared.workflow;
  const sessions = new CookSessionAdapter(manager, { repoPath });
  // Claims the writer lock: a live owner that slipped in since the check above is refused here.
  const state = await sessions.resumeSession(s.id);
  if (loaded.hash !== state.workflow_hash) {
    await sessions.updateSession({ type: 'SetWorkflowHash', hash: loaded.hash });
    await sessions.updateSession({ type: 'SetMetadata', key: META.steps, value: wf.commands.map((c) => commandSummary(c)) });
  }
  const paths = storePaths(home);
  fs.mkdirSync(paths.logsDir, { recursive: true });
  const logFile = paths.sessionLog(s.id);
  const done = completedResults(state).length;
  process.stdout.write(`Session ${s.id}\n`);
  for (const n of prepared.notes) process.stdout.write(`${n}\n`);
  process.stdout.write(`Resuming ${wf.name} (${displayPath(loaded.file)}) at step ${Math.min(done + 1, wf.commands.length)}/${wf.commands.length}, log ${logFile}\n`);
  const interrupt = installInterrupt(s.id);
  const started = Date.now();
  try {
    const result = await executeWorkflow({
      sessions,
      sessionId: s.id,
      workflow: wf,
      workflowPath: loaded.file,
      workflowHash: loaded.hash,
      cwd,
      signal: interrupt.signal,
      resumed: state,
      logFile,
      stepRecords: stepRecordsDir(paths, s.id),
      reporter: plainReporter({ verbose: opts.verbose }),
      mask: prepared.mask,
      strict: record.strict,
    });
    if (result.status === 'interrupted') sessions.release();
    process.exitCode = await afterRun(reportResult(s.id, result, logFile, started), ranWith(prepared));
  } finally {
    interrupt.dispose();
  }
}

export function registerResume(program: Command): void {
  const cmd = program
    .command('resume')
    .description('resume an interrupted session from its last checkpoint (default: the last one of this repository)')
    .argument('[session-id]', 'session id, job id, or an unambiguous id prefix')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--force', 'resume even if the workflow file changed since the run began')
    .option('--path <dir>', 'the repository whose last interrupted session to resume (default: current directory)')
    .option('-v, --verbose', "also print every step's output")
    .option('--no-tui', 'plain lines even on a terminal (the default when stdout is not a terminal)')
    .addOption(new Option('--defer-merge', 'leave the merge question to the caller (used by the live view)').hideHelp());
  addQueueOptions(cmd).action((id: string | undefined, opts: ResumeOptions, c: Command) => resume(id, opts, c));
}
