/**
 * The CLI shell around the MapReduce runner, shared by `prodigy run` (its MapReduce hook),
 * `prodigy resume-job`, `prodigy resume` of a MapReduce session and `prodigy dlq retry`: parsing, the
 * interrupt, the printed lines (ids, phase changes, a progress line) and the exit code.
 */
import fs from 'node:fs';
import { parseMapReduce } from '../mapreduce/parse.js';
import { type JobLocation, locateJob } from '../mapreduce/locate.js';
import { type JobOutcome, type JobReporter, resumeJob, startJob } from '../mapreduce/runner.js';
import { type JobRead, readJob } from '../mapreduce/job-store.js';
import { finishedCount, progressLine, type ProgressCounts } from '../mapreduce/progress.js';
import type { MapReduceWorkflow } from '../mapreduce/workflow.js';
import { newSessionId, UnifiedSessionManager } from '../session/manager.js';
import { META } from '../session/types.js';
import { formatDurationMs } from '../view/format.js';
import { itemsProgress } from '../view/progress-text.js';
import type { JobPhase } from '../mapreduce/job-types.js';
import { formatWarning, WorkflowParseError } from '../workflow/yaml-source.js';
import { CliError, EXIT } from './errors.js';
import { placeRecord, type RunPlace } from './isolation.js';
import { faultStop, installInterrupt, type LoadedWorkflow, loadWorkflow } from './workflow-shared.js';
import { openQueue, type QueueRunFlags } from './queue-options.js';
import { safeLine } from '../view/safe-text.js';
import { firstWriteFault } from '../storage/io-fault.js';
import { type PreparedJob, prepareMapReduce, recordOf, type RunOptionsRecord } from './run-plan.js';
import { RUN_OPTIONS_KEY } from '../workflow/executor.js';
import { maskedJobReporter } from '../mapreduce/masked-job.js';

/** Pure: whether a progress line is due (at most one per `everyMs`, and always when the map finishes). */
export function progressDue(lastMs: number, nowMs: number, c: ProgressCounts, everyMs = 1000): boolean {
  return nowMs - lastMs >= everyMs || finishedCount(c) === c.total;
}

export function cliReporter(opts: { verbose?: boolean; notes?: string[] } = {}): JobReporter {
  const tty = Boolean(process.stdout.isTTY);
  let phase: JobPhase = 'Setup';
  let last = Number.NEGATIVE_INFINITY;
  let lastLine = '';
  return {
    started: (sessionId, jobId, resumed) => {
      process.stdout.write(`${resumed ? 'Resuming' : 'Session'} ${sessionId}\nJob ${jobId}\n`);
      for (const n of opts.notes ?? []) process.stdout.write(`${n}\n`);
    },
    phase: (p, detail) => {
      phase = p;
      if (tty && lastLine) process.stdout.write('\n');
      lastLine = '';
      process.stdout.write(`Phase ${p}: ${detail}\n`);
    },
    progress: (c) => {
      const now = Date.now();
      if (phase !== 'Map' || !progressDue(last, now, c, tty ? 100 : 1000)) return;
      const line = progressLine(phase, c);
      if (line === lastLine) return;
      last = now;
      lastLine = line;
      process.stdout.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    itemDead: (it, error) => {
      if (tty && lastLine) process.stdout.write('\r\x1b[2K');
      process.stdout.write(`✗ ${it.id} failed after ${it.attempts} attempt(s): ${safeLine(error)}\n`);
      if (tty && lastLine) process.stdout.write(lastLine);
    },
    output: opts.verbose ? (text) => process.stdout.write(text) : undefined,
    note: (line) => {
      if (tty && lastLine) process.stdout.write('\n');
      lastLine = '';
      process.stdout.write(`${line}\n`);
    },
  };
}

/** Prints the closing lines; returns the exit code. */
export function reportJob(r: JobOutcome, startedMs: number): number {
  const c = r.counts;
  // `npm run bench` measures the real CLI; this is how it learns the store's share of the wall time.
  const stats = process.env.PRODIGY_BENCH_STATS;
  if (stats) {
    fs.writeFileSync(stats, JSON.stringify({ wallMs: Date.now() - startedMs, storeWrites: r.storeWrites, storeBlockingMs: r.storeBlockingMs, eventLogMs: r.eventLogMs }));
  }
  if (process.stdout.isTTY) process.stdout.write('\n');
  if (firstWriteFault()) return faultStop(`prodigy resume-job ${r.jobId}`);
  if (r.status === 'completed') {
    process.stdout.write(`Completed in ${formatDurationMs(Date.now() - startedMs)}: ${c.completed} successful, ${c.dead} failed, ${c.total} total. Session ${r.sessionId}, job ${r.jobId}\n`);
    if (c.dead > 0) process.stdout.write(`Failed items are in the dead-letter queue: prodigy dlq list ${r.jobId}\n`);
    return EXIT.ok;
  }
  if (r.status === 'interrupted') {
    process.stdout.write(`Interrupted at ${itemsProgress(finishedCount(c), c.total, c.dead)}. Resume with: prodigy resume-job ${r.jobId}\n`);
    return EXIT.interrupted;
  }
  process.stderr.write(`prodigy: ${safeLine(`${r.error}`)}\n`);
  process.stdout.write(`Failed. Session ${r.sessionId}, job ${r.jobId}\n`);
  return EXIT.failed;
}

export function parsedMapReduce(loaded: LoadedWorkflow): MapReduceWorkflow {
  if (loaded.parsed.mode !== 'mapreduce') throw new CliError(`${loaded.file}: not a MapReduce workflow (mode: mapreduce)`, EXIT.usage);
  const src = loaded.parsed.source;
  const before = src.warnings.length;
  try {
    const wf = parseMapReduce(src);
    // loadWorkflow printed the warnings it saw; the MapReduce parser's own come after.
    for (const w of src.warnings.slice(before)) process.stderr.write(`${formatWarning(loaded.file, w)}\n`);
    return wf;
  } catch (err) {
    if (err instanceof WorkflowParseError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
}

export interface MapReduceCliOptions {
  verbose?: boolean;
  maxRetries?: number;
  strict?: boolean;
  /** Chosen by `prodigy run`'s live view, which starts this run as a child and must know its id. */
  sessionId?: string;
  /** `--queue` (or PRODIGY_QUEUE): items run on queue workers. */
  queueFlags?: QueueRunFlags;
}

/** A MapReduce file parsed (its warnings printed) and its run prepared: refused, exit 2, before any session. */
export function loadJob(loaded: LoadedWorkflow, rec: RunOptionsRecord, cwd: string, userDir?: string): PreparedJob {
  return prepareMapReduce(parsedMapReduce(loaded), rec, cwd, userDir);
}

/** `prodigy run` of a `mode: mapreduce` file, prepared by loadJob. */
export async function runMapReduceWorkflow(loaded: LoadedWorkflow, job: PreparedJob, ctx: { home: string; cwd: string; opts: MapReduceCliOptions; place?: RunPlace }): Promise<number> {
  const { workflow } = job;
  const started = Date.now();
  // Known before the session exists, so even a second Ctrl+C during setup can print how to resume.
  const sessionId = ctx.opts.sessionId ?? newSessionId();
  const remote = await openQueue(ctx.opts.queueFlags ?? {}, ctx.cwd, Boolean(ctx.place?.worktree));
  const interrupt = installInterrupt(sessionId);
  try {
    const r = await startJob({
      remote: remote ?? undefined,
      sessionId,
      home: ctx.home,
      cwd: ctx.cwd,
      workflow,
      workflowPath: loaded.file,
      workflowHash: loaded.hash,
      signal: interrupt.signal,
      maxRetries: ctx.opts.maxRetries,
      strict: ctx.opts.strict,
      mask: job.mask,
      secrets: job.secrets,
      runOptions: job.runOptions,
      reporter: maskedJobReporter(cliReporter({ ...ctx.opts, notes: [...(ctx.place?.notes ?? []), ...job.notes] }), job.mask),
      place: ctx.place && ctx.place.worktree ? placeRecord(ctx.place, sessionId, workflow.merge) : undefined,
      userDir: ctx.place?.worktree ? ctx.place.repoPath : undefined,
    });
    return reportJob(r, started);
  } finally {
    interrupt.dispose();
    await remote?.close();
  }
}

/** Where a job's commands run: the session's working directory, else --path, else here. */
async function jobContext(home: string, loc: JobLocation, preread?: JobRead | null): Promise<{ read: JobRead; workflowPath: string; cwd: string; sessionId: string; hash: string | null; isolated: boolean; record: RunOptionsRecord; userDir?: string }> {
  const read = preread ?? (await readJob(loc.jobStateFile));
  const state = read?.state;
  if (!read || !state) throw new CliError(`no job state for ${loc.jobId} (${loc.jobStateFile})`, EXIT.usage);
  const s = await new UnifiedSessionManager(home).load(state.session_id);
  const wd = s.metadata.working_directory;
  const hash = s.metadata[META.workflowHash];
  const isolated = typeof s.metadata[META.worktreePath] === 'string';
  // The run's own profile, params and strictness: the resume sees the same variables and secrets.
  const record = recordOf(s.metadata[RUN_OPTIONS_KEY]) ?? { params: {}, args: [] };
  const repo = s.metadata[META.repoPath];
  return {
    read,
    workflowPath: state.workflow_path,
    cwd: typeof wd === 'string' && wd ? wd : process.cwd(),
    sessionId: state.session_id,
    hash: typeof hash === 'string' ? hash : null,
    isolated,
    record,
    // A worktree run reads files it lacks (uncommitted) from the user's directory.
    userDir: isolated && typeof repo === 'string' ? repo : undefined,
  };
}

/** A job as a caller (resume-job's question) located and read it already: not read again (one read per file). */
export interface LocatedJob {
  loc: JobLocation;
  job: JobRead | null;
}

/** `prodigy resume-job`, `prodigy resume` of a MapReduce session, `prodigy dlq retry`. */
export async function continueJob(home: string, id: string, o: MapReduceCliOptions & { requeueDead?: boolean; cwd?: string; read?: LocatedJob }): Promise<number> {
  const loc = o.read?.loc ?? (await locateJob(home, id));
  const ctx = await jobContext(home, loc, o.read?.job);
  const loaded = loadWorkflow(ctx.workflowPath);
  const cwd = o.cwd ?? ctx.cwd;
  const job = loadJob(loaded, ctx.record, cwd, ctx.userDir);
  const { workflow } = job;
  // The items were selected when the job began; a changed file only changes the commands still to run.
  if (ctx.hash && ctx.hash !== loaded.hash) process.stderr.write(`prodigy: warning: ${ctx.workflowPath} changed since job ${loc.jobId} began; the remaining items run with the new file\n`);
  const started = Date.now();
  const remote = await openQueue(o.queueFlags ?? {}, o.cwd ?? ctx.cwd, ctx.isolated);
  const interrupt = installInterrupt(ctx.sessionId);
  try {
    const r = await resumeJob({
      remote: remote ?? undefined,
      home,
      cwd,
      workflow,
      workflowPath: loaded.file,
      workflowHash: loaded.hash,
      signal: interrupt.signal,
      maxRetries: o.maxRetries,
      strict: ctx.record.strict,
      mask: job.mask,
      secrets: job.secrets,
      reporter: maskedJobReporter(cliReporter({ ...o, notes: job.notes }), job.mask),
      jobId: loc.jobId,
      repo: loc.repo,
      requeueDead: o.requeueDead,
      read: ctx.read,
      isolateAgents: ctx.isolated,
      userDir: ctx.userDir,
    });
    return reportJob(r, started);
  } finally {
    interrupt.dispose();
    await remote?.close();
  }
}
