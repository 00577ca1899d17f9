/** `prodigy resume-job <job-id> [-y] [--max-retries N]`: carry on an interrupted MapReduce job. */
import readline from 'node:readline/promises';
import { type Command, Option } from 'commander';
import { countItems, finishedCount } from '../mapreduce/progress.js';
import { readJob } from '../mapreduce/job-store.js';
import { locateJob } from '../mapreduce/locate.js';
import { homeOf } from './context.js';
import { itemsProgress } from '../view/progress-text.js';
import { CliError, EXIT } from './errors.js';
import { offerMerge } from './isolation.js';
import { continueJob } from './mapreduce-run.js';
import { addQueueOptions, queueArgs, type QueueRunFlags } from './queue-options.js';
import { workingDir } from './run.js';

export interface ResumeJobOptions extends QueueRunFlags {
  yes?: boolean;
  maxRetries?: number;
  path?: string;
  verbose?: boolean;
  /** false with --no-tui: plain lines even on a terminal. */
  tui?: boolean;
  /** Set by a caller that offers the merge itself (hidden option). */
  deferMerge?: boolean;
}

export function parseMaxRetries(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--max-retries must be a whole number, not "${v}"`, EXIT.usage);
  return n;
}

/** Asks only when a person is there to answer (stdin is a TTY) and -y was not given. */
async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes || !process.stdin.isTTY) return true;
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return !/^n/i.test((await rl.question(`${question} [Y/n] `)).trim());
  } finally {
    rl.close();
  }
}

async function resumeJobCommand(id: string, o: ResumeJobOptions, cmd: Command): Promise<void> {
  const home = homeOf(cmd);
  const loc = await locateJob(home, id);
  const job = await readJob(loc.jobStateFile);
  const state = job?.state;
  if (state) {
    const c = countItems(state.items);
    const left = c.total - finishedCount(c);
    if (!(await confirm(`Resume job ${loc.jobId} (${state.workflow_name}) at ${itemsProgress(finishedCount(c), c.total, c.dead)}: ${left} left to run?`, o.yes))) {
      process.stdout.write('Not resumed.\n');
      return;
    }
  }
  if (loc.sessionId && o.tui !== false && process.stdin.isTTY && process.stdout.isTTY) {
    // The same live view as `prodigy run`: the job itself runs as the plain command in a child.
    const { runWithLiveView } = await import('./run-live.js');
    const childArgs = [
      'resume-job', loc.jobId, '-y', '--no-tui',
      ...(o.maxRetries !== undefined ? ['--max-retries', String(o.maxRetries)] : []),
      ...(o.path !== undefined ? ['--path', o.path] : []),
      ...(o.verbose ? ['-v'] : []),
      ...queueArgs(o),
      '--defer-merge',
    ];
    const code = await runWithLiveView({ home, sessionId: loc.sessionId, childArgs, cwd: workingDir(o.path) });
    process.exitCode = code === EXIT.ok ? await offerMerge(home, loc.sessionId, { yes: o.yes }) : code;
    return;
  }
  const code = await continueJob(home, loc.jobId, { maxRetries: o.maxRetries, verbose: o.verbose, cwd: o.path === undefined ? undefined : workingDir(o.path), queueFlags: o, read: { loc, job } });
  process.exitCode = code === EXIT.ok && loc.sessionId && !o.deferMerge ? await offerMerge(home, loc.sessionId, { yes: o.yes }) : code;
}

export function registerResumeJob(program: Command): void {
  const cmd = program
    .command('resume-job')
    .description('resume an interrupted MapReduce job: only items not completed run; setup does not run again')
    .argument('<job-id>', 'a job id, or its session id')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--max-retries <n>', 'extra attempts per item in this run (default: the error policy)', parseMaxRetries)
    .option('--path <dir>', 'the directory to run the commands in (default: where the job started)')
    .option('-v, --verbose', 'also print setup and reduce output')
    .option('--no-tui', 'plain lines even on a terminal (the default when stdout is not a terminal)')
    .addOption(new Option('--defer-merge', 'leave the merge question to the caller (used by the live view)').hideHelp());
  addQueueOptions(cmd).action((id: string, o: ResumeJobOptions, c: Command) => resumeJobCommand(id, o, c));
}

/** `prodigy dlq retry <job-id>`: dead items back through the agent pool, same job and session. */
export async function dlqRetry(id: string, o: { maxRetries?: number }, cmd: Command): Promise<void> {
  process.exitCode = await continueJob(homeOf(cmd), id, { maxRetries: o.maxRetries, requeueDead: true });
}
