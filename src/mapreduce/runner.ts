/**
 * The MapReduce job runner: setup once, map through the agent pool, reduce once, with the job's state
 * in its own store (job.json, events, DLQ) and its progress mirrored into the unified session.
 *
 * - Sessions: only through `SessionManager` (CookSessionAdapter): StartSession / resumeSession,
 *   `UpdateMapReduce` for phase and totals, MarkInterrupted, completeSession. One exception: `dlq retry`
 *   on a job whose session is already final (Completed/Failed) may not move it back to Running (the
 *   lifecycle forbids it), so it only refreshes the totals through UnifiedSessionManager.update.
 * - Durability: an item's AgentCompleted event (with its result) and, for a dead item, its DLQ file are
 *   written synchronously before its agent slot is reused; job.json follows, coalesced (~10 writes/s).
 *   A resume reconciles job.json with the event log (job-state.ts), so SIGKILL loses no completion.
 * - Interrupt (the signal aborts): every agent's process group is stopped (exec does it), their items go
 *   back to pending, job.json is flushed, the session is Paused. The caller exits 130.
 */
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Coalescer, liveTail, TailBuffer } from '../exec/output-tail.js';
import { runCommand } from '../exec/command.js';
import { groupAlive, killGroup } from '../exec/process.js';
import { SlotHosts } from '../exec/slot-host.js';
import { writeMapping } from '../storage/job-mapping.js';
import { repoNameOf, storePaths } from '../storage/paths.js';
import { CookSessionAdapter, NotResumableError } from '../session/adapter.js';
import type { SessionUpdate } from '../session/cook-state.js';
import { isFinal } from '../session/lifecycle.js';
import { newSessionId } from '../session/manager.js';
import type { RunPlaceRecord } from '../session/cook-state.js';
import type { JsonValue } from '../session/types.js';
import { SerialQueue } from '../exec/serial-queue.js';
import { interpolateIn, type Scope } from '../workflow/interpolate.js';
import { type Mask, maskDeep, maskSoFar } from '../workflow/mask.js';
import { inputSource, inputValue } from './map-input.js';
import { runSteps } from '../workflow/step-runner.js';
import { RUN_OPTIONS_KEY } from '../workflow/executor.js';
import type { WorkflowCommand } from '../workflow/types.js';
import { type AgentWorktree, AgentWorktrees, agentBranch } from './agent-worktrees.js';
import { removeDlqItem, writeDlqItem } from './dlq.js';
import { ItemAttemptLog, attemptFooter, attemptHeader } from './item-log.js';
import { EventLog, readEventsAfter } from './events.js';
import type { JobEvent, JobPhase, JobState, WorkItemState } from './job-types.js';
import {
  exceedsFailureLimits,
  mapResults,
  newJobId,
  newJobState,
  newWorkItems,
  reconcileWithEvents,
} from './job-state.js';
import { type JobRead, JobStore } from './job-store.js';
import { type AgentContext, type AttemptOutcome, runPool } from './pool.js';
import { countItems, type ProgressCounts } from './progress.js';
import { selectItems } from './select.js';
import type { MapReduceWorkflow } from './workflow.js';
import { MAP_INPUT_LIMIT, readTextWithin } from '../storage/size-limit.js';
import type { RemoteDispatch } from './remote.js';
import { remoteRunItem } from './remote-item.js';
import { appendLogSync } from '../storage/io-fault.js';
import { type CompletionRecord, completionsFileOf, isRecordOutput, isSlotScript, loadCompletions, recordOutputsDir, recordingLauncher } from '../exec/completions.js';
import { recordedShell } from '../exec/recorded-shell.js';

export interface JobReporter {
  started?(sessionId: string, jobId: string, resumed: boolean): void;
  phase?(phase: JobPhase, detail: string): void;
  /** Called with the counts at most every writeIntervalMs while items change, and when the map ends. */
  progress?(counts: ProgressCounts): void;
  itemDead?(item: WorkItemState, error: string): void;
  /** Output of setup and reduce commands as it arrives. */
  output?(text: string): void;
  /** One line for the user (e.g. map.input read from their directory, not the worktree). */
  note?(line: string): void;
}

export interface JobRunOptions {
  home: string;
  /** Where commands run (the repository). */
  cwd: string;
  workflow: MapReduceWorkflow;
  workflowPath: string;
  workflowHash: string;
  signal: AbortSignal;
  reporter?: JobReporter;
  env?: NodeJS.ProcessEnv;
  /** Overrides error_policy.max_retries for this run (`resume-job --max-retries`). */
  maxRetries?: number;
  /** Minimum gap between job.json writes (default 100 ms). */
  writeIntervalMs?: number;
  /** Session id for a new job (default: a fresh one). */
  sessionId?: string;
  /** `--strict`: an unknown `${name}` fails its command (default: left as text, as Prodigy does). */
  strict?: boolean;
  /** Where a new job is isolated (its session worktree): recorded in the new session. */
  place?: RunPlaceRecord;
  /** Each item in a git worktree of its own, merged back into `cwd` (the session worktree). */
  isolateAgents?: boolean;
  /** Agents are queue workers (`prodigy run --queue`): items go out through this dispatcher. */
  remote?: RemoteDispatch;
  /** Secret values, sent (signed) to queue workers so they mask them too. */
  secrets?: Record<string, string>;
  /** The user's directory when `cwd` is the session worktree: an uncommitted map.input file is read there. */
  userDir?: string;
  /** Secret values -> `***` in everything the job writes: job.json, events, DLQ, log, session, reporter. */
  mask?: Mask;
  /** The run's flags (profile, params, strict), recorded in a new session so a resume rebuilds its variables. */
  runOptions?: JsonValue;
}

export interface JobOutcome {
  status: 'completed' | 'failed' | 'interrupted';
  sessionId: string;
  jobId: string;
  counts: ProgressCounts;
  error?: string;
  /** Figures for the benchmark: job.json writes, the event-loop time they and the event log took. */
  storeWrites: number;
  storeBlockingMs: number;
  eventLogMs: number;
}

/** Agent results keep only the end of long outputs: `${map.results}` must stay a sane size. */
const MAX_RESULT_OUTPUT = 4096;
const OUTPUT_TAIL_LINES = 5;

export class JobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobError';
  }
}

/** Pure: the scope an agent's commands see (`${item}`, `${item.a.b}`, `${item_index}`, `${item_id}`). */
export function itemScope(base: Omit<Scope, 'extra' | 'outputs'>, it: Pick<WorkItemState, 'id' | 'index' | 'item'>, total?: number): Scope {
  const json = JSON.stringify(it.item);
  return {
    ...base,
    variables: { ...base.variables },
    outputs: {},
    extra: {
      item: typeof it.item === 'string' ? it.item : JSON.stringify(it.item),
      item_json: json,
      item_index: String(it.index),
      item_id: it.id,
      ...(total === undefined ? {} : { item_total: String(total) }),
    },
  };
}

/** Pure: the reduce phase's extra variables. */
export function reduceVariables(items: readonly WorkItemState[]): Record<string, string> {
  const c = countItems(items);
  return {
    'map.successful': String(c.completed),
    'map.failed': String(c.dead),
    'map.total': String(c.total),
    'map.results': JSON.stringify(mapResults(items)),
  };
}

/** Pure: the agent_timeout_secs default applied to commands that set no timeout of their own. */
export function withAgentTimeout(commands: WorkflowCommand[], secs: number | undefined): WorkflowCommand[] {
  return secs === undefined ? commands : commands.map((c) => ({ ...c, timeout: c.timeout ?? secs }));
}

class JobRun {
  private readonly queue = new SerialQueue();
  private readonly progress: Coalescer;
  private lastPushed = '';
  private stopReason: string | null = null;
  private readonly processEnv: NodeJS.ProcessEnv;
  private readonly childEnv: NodeJS.ProcessEnv;
  private readonly log: number;
  private logOpen = true;
  private readonly mask: Mask;
  /** Setup's captured variables with their real values (job.json keeps them masked). */
  private liveVariables: Record<string, string> | null = null;
  /** Agent-side completion records of a crashed run, replayed instead of run (completions.ts). */
  replays: ReadonlyMap<string, CompletionRecord> = new Map();

  constructor(
    private readonly o: JobRunOptions,
    private readonly store: JobStore,
    private readonly events: EventLog,
    private readonly sessions: CookSessionAdapter,
    private readonly sessionId: string,
    /** The session is final (dlq retry after the job ended): totals only, no status changes. */
    private readonly finalSession: boolean,
  ) {
    this.processEnv = o.env ?? process.env;
    this.mask = o.mask ?? ((t) => t);
    // Every running command listens on the one interrupt signal: max_parallel listeners are expected.
    setMaxListeners(Math.max(o.workflow.map.max_parallel, store.state.max_parallel) + 16, o.signal);
    // PRODIGY_USER_DIR: the user's own directory, for commands of a worktree run that must look there.
    this.childEnv = { ...this.processEnv, ...o.workflow.env, PRODIGY_SESSION_ID: sessionId, PRODIGY_JOB_ID: store.state.job_id, ...(o.userDir ? { PRODIGY_USER_DIR: o.userDir } : {}) };
    const paths = storePaths(o.home);
    fs.mkdirSync(paths.logsDir, { recursive: true });
    this.log = fs.openSync(paths.sessionLog(sessionId), 'a');
    // The session mirrors the job's totals at most ~10 times a second, like job.json.
    this.progress = new Coalescer(o.writeIntervalMs ?? 100, () => {
      // Counting 2,000 items on every agent event would cost more than the agents' own bookkeeping.
      this.o.reporter?.progress?.(this.counts());
      void this.pushTotals().catch(() => undefined);
    });
  }

  private get job(): JobState {
    return this.store.state;
  }

  private emit(e: Omit<JobEvent, 'timestamp' | 'job_id'>): void {
    this.events.append(maskDeep({ job_id: this.job.job_id, ...e }, this.mask));
  }

  private writeLog(text: string): void {
    // A full disk stops the log, not the agent's output handler (the run stops through io-fault.ts).
    if (this.logOpen) this.logOpen = appendLogSync(this.log, storePaths(this.o.home).sessionLog(this.sessionId), this.mask(text));
  }

  private session(update: SessionUpdate): Promise<void> {
    update = maskDeep(update, this.mask);
    return this.queue.run(async () => {
      if (!this.finalSession) return this.sessions.updateSession(update);
      if (update.type === 'UpdateMapReduce') await this.sessions.manager.update(this.sessionId, { mapreduce: update.data });
    });
  }

  private counts(): ProgressCounts {
    return countItems(this.job.items);
  }

  private async pushTotals(): Promise<void> {
    const c = this.counts();
    const data = { total_items: c.total, processed_items: c.completed + c.dead, failed_items: c.dead, agent_count: c.running, phase: this.job.phase };
    const key = JSON.stringify(data);
    if (key === this.lastPushed) return;
    this.lastPushed = key;
    await this.session({ type: 'UpdateMapReduce', data });
  }

  /** An item (or a top-level field) changed: the journal and the session follow, coalesced. */
  private changed(it?: WorkItemState): void {
    if (it) this.store.changed(it.index);
    else this.store.changed();
    this.progress.poke();
  }

  /** A phase change is a journal line at once; `snapshot` when the item list was just made (job.json whole). */
  private async setPhase(phase: JobPhase, detail: string, snapshot = false): Promise<void> {
    this.job.phase = phase;
    this.emit({ type: 'PhaseChanged', phase, message: detail });
    this.writeLog(`[${new Date().toISOString()}] phase ${phase}: ${detail}\n`);
    this.o.reporter?.phase?.(phase, detail);
    if (snapshot) await this.store.flush();
    else this.store.commit();
    await this.pushTotals();
  }

  private baseScope(): Omit<Scope, 'extra' | 'outputs'> {
    return { variables: { ...(this.liveVariables ?? this.job.variables) }, env: { ...this.o.workflow.env }, processEnv: this.processEnv, workflowName: this.o.workflow.name, strict: this.o.strict };
  }

  /** Setup and reduce: commands in order, output to the log and the reporter. */
  private async runPhaseCommands(phase: 'setup' | 'reduce', commands: WorkflowCommand[], scope: Scope, tail?: TailBuffer): Promise<'ok' | 'interrupted' | string> {
    // Their shell commands record their own completion, like agents' (exec/completions.ts): run once.
    const launcher = recordingLauncher(recordedShell(recordOutputsDir(this.job.job_id)), { file: completionsFileOf(this.store.file), itemId: phase, attempt: 1, replays: this.replays });
    const r = await runSteps(commands, { scope, cwd: this.o.cwd, env: this.childEnv, signal: this.o.signal, mask: this.mask, launcher }, {
      onOutput: (text) => {
        this.writeLog(text);
        tail?.push(text);
        this.o.reporter?.output?.(text);
      },
    });
    if (r.status === 'ok') return 'ok';
    if (r.status === 'interrupted') return 'interrupted';
    const failed = r.outcomes.at(-1)!;
    return `command ${r.stoppedAt! + 1} (${failed.command}) failed: ${failed.error}`;
  }

  private resumedRun = false;

  async run(resumed: boolean): Promise<JobOutcome> {
    this.resumedRun = resumed;
    this.emit({ type: resumed ? 'JobResumed' : 'JobStarted', message: `${this.o.workflow.name} (${this.o.workflowPath})` });
    this.o.reporter?.started?.(this.sessionId, this.job.job_id, resumed);
    try {
      if (!this.job.setup_completed) {
        const r = await this.setup();
        if (r) return r;
      }
      if (this.job.phase === 'Setup') {
        const r = await this.loadItems();
        if (r) return r;
      }
      if (this.job.items.some((i) => i.status !== 'completed' && i.status !== 'dead')) {
        const r = await this.map();
        if (r) return r;
      }
      if (!this.job.reduce_completed) {
        const r = await this.reduce();
        if (r) return r;
      }
      return await this.complete();
    } finally {
      this.progress.done();
      await this.store.close();
      await this.queue.run(async () => undefined);
      this.events.close();
      fs.closeSync(this.log);
    }
  }

  private async setup(): Promise<JobOutcome | null> {
    await this.setPhase('Setup', this.o.workflow.setup.length ? `${this.o.workflow.setup.length} command(s)` : 'nothing to run');
    const scope: Scope = { ...this.baseScope(), outputs: {} };
    const r = await this.runPhaseCommands('setup', this.o.workflow.setup, scope);
    if (r === 'interrupted') return this.interrupted();
    if (r !== 'ok') return this.fail(`setup ${r}`);
    this.liveVariables = { ...scope.variables };
    this.job.variables = maskDeep({ ...scope.variables }, this.mask);
    this.job.setup_completed = true;
    this.store.commit();
    return null;
  }

  /** Reads map.input (file or command) and selects the items. Runs once: then phase is Map. */
  private async loadItems(): Promise<JobOutcome | null> {
    const { map } = this.o.workflow;
    const scope: Scope = { ...this.baseScope(), outputs: {} };
    let text: string;
    let where: string;
    let fromCommand = false;
    try {
      const source = inputSource(interpolateIn(map.input.value, scope), this.o.cwd, this.o.userDir);
      if (source.kind === 'file') {
        if (source.note) this.o.reporter?.note?.(source.note);
        where = source.path;
        text = readTextWithin(where, MAP_INPUT_LIMIT, 'map.input');
      } else {
        where = `command "${source.command}"`;
        const r = await runCommand({ kind: 'shell', text: source.command, cwd: this.o.cwd, env: this.childEnv, signal: this.o.signal });
        if (r.aborted) return this.interrupted();
        if (!r.success) return this.fail(`map.input ${where} ${r.error}`);
        text = r.output;
      }
      fromCommand = source.kind === 'command';
    } catch (err) {
      return this.fail(`map.input: ${(err as Error).message}`);
    }
    let input: JsonValue;
    try {
      input = inputValue(text, fromCommand, where);
    } catch (err) {
      return this.fail((err as Error).message);
    }
    try {
      // Items are stored (and so handed to agents) masked: job.json must never hold a secret.
      this.job.items = newWorkItems(maskDeep(selectItems(input, map), this.mask));
    } catch (err) {
      return this.fail(`map: ${(err as Error).message}`);
    }
    await this.setPhase('Map', `${this.job.items.length} items, ${this.job.max_parallel} at a time`, true);
    return null;
  }

  private async map(): Promise<JobOutcome | null> {
    if (this.job.phase !== 'Map') await this.setPhase('Map', `${this.job.items.length} items, ${this.job.max_parallel} at a time`);
    else this.o.reporter?.phase?.('Map', `${this.counts().pending} of ${this.job.items.length} items to run, ${this.job.max_parallel} at a time`);
    const wf = this.o.workflow;
    const template = withAgentTimeout(wf.map.agent_template, wf.map.agent_timeout_secs);
    // An item of one plain command needs no output kept past its end (the slot's shared files do);
    // anything that can run a second command in the attempt keeps each recorded command's own files.
    const only = template.length === 1 ? template[0]! : null;
    const keepOutputs = !only || Boolean(only.onFailure || only.onSuccess || only.onExitCode || only.foreach || only.retry || only.validate);
    const policy = wf.error_policy;
    const retries = this.o.maxRetries ?? policy.max_retries;
    const dlqDir = storePaths(this.o.home).dlqItemsDir(this.job.repo, this.job.job_id);
    // The pool's queue is item positions: the live record is looked up when an item starts, and a settled
    // item's record leaves memory (store.release) once it is on disk.
    const pending = this.job.items.filter((i) => i.status === 'pending').map((i) => i.index);
    const at = (i: number): WorkItemState => this.job.items[i]!;
    const tails = new Map<string, TailBuffer>();
    const now = () => new Date().toISOString();
    // Agents' shell commands run on one long-lived shell per slot (slot-host.ts): no fork of this big
    // process per command. Their output is read from files: whole at each command's end, and here, as
    // often as job.json may be written, the running commands' output so far for the live tail.
    const hosts = new SlotHosts();
    const running = new Map<string, WorkItemState>();
    const peeker = setInterval(() => {
      for (const it of running.values()) {
        const p = it.agent_id ? hosts.slot(it.agent_id).peek() : null;
        if (!p || (!p.stdout && !p.stderr)) continue;
        const next = liveTail(tails.get(it.id)?.snapshot() ?? [], [maskSoFar(this.mask, p.stdout), maskSoFar(this.mask, p.stderr)], OUTPUT_TAIL_LINES);
        if (next.join('\n') === it.output_tail.join('\n')) continue;
        it.output_tail = next;
        this.store.changed(it.index);
      }
    }, this.o.writeIntervalMs ?? 100);
    peeker.unref();

    const agents = this.o.isolateAgents ? await AgentWorktrees.forJob(this.o.cwd, storePaths(this.o.home).agentWorktreesDir(this.job.repo, this.sessionId), this.job.job_id) : null;
    const checkouts = new Map<string, AgentWorktree>();
    const cleanups: Promise<void>[] = [];
    const cleanUp = (it: WorkItemState, keepBranch: boolean) => {
      const wt = checkouts.get(it.id);
      if (!agents || !wt) return;
      checkouts.delete(it.id);
      cleanups.push(
        agents
          .remove(wt, keepBranch)
          .then(() => this.emit({ type: 'worktree_cleaned', item_id: it.id, agent_id: it.agent_id ?? undefined, worktree_name: path.basename(wt.path), branch: wt.branch }))
          .catch((err) => this.writeLog(`[${now()}] ${it.id}: could not remove its worktree ${wt.path}: ${(err as Error).message}\n`)),
      );
    };

    const attempt = async (it: WorkItemState, ctx: AgentContext, itemLog: ItemAttemptLog): Promise<AttemptOutcome<JsonValue>> => {
      const tail = new TailBuffer(OUTPUT_TAIL_LINES);
      tails.set(it.id, tail);
      const t0 = performance.now();
      let cwd = this.o.cwd;
      if (agents) {
        // A crash after the merge but before the completion was recorded: the work is in, do not redo it.
        if (await agents.alreadyMerged(it.id)) {
          const branch = agentBranch(this.job.job_id, it.id);
          checkouts.set(it.id, { itemId: it.id, path: path.join(agents.dir, `${it.id}.gone`), branch, base: '' });
          Object.assign(it, { merge: 'merged', branch });
          return { ok: true, result: { item_id: it.id, status: 'success', output: '', duration_ms: 0 } };
        }
        try {
          const wt = await agents.create(it.id, ctx.agentId);
          checkouts.set(it.id, wt);
          Object.assign(it, { branch: wt.branch, commits: 0, merge: null, base_commit: wt.base, head_commit: null });
          this.emit({ type: 'worktree_created', item_id: it.id, agent_id: ctx.agentId, worktree_name: path.basename(wt.path), branch: wt.branch });
          cwd = wt.path;
        } catch (err) {
          return { ok: false, error: `WorktreeError: ${(err as Error).message.split('\n')[0]}` };
        }
      }
      running.set(it.id, it);
      const launcher = recordingLauncher(hosts.slot(ctx.agentId).run, { file: completionsFileOf(this.store.file), itemId: it.id, attempt: it.attempts, replays: this.replays, keep: keepOutputs });
      const r = await runSteps(template, { scope: itemScope(this.baseScope(), it, this.job.items.length), cwd, env: this.childEnv, signal: ctx.signal, launcher, mask: this.mask }, {
        onOutput: (text) => {
          tail.push(text);
          itemLog.write(text);
          it.output_tail = tail.snapshot();
          this.store.changed(it.index);
        },
        onSpawn: (pid) => {
          // The slot host's group: what a resume after a crash kills. Written with the next job.json.
          if (it.pgid === pid) return;
          it.pgid = pid;
          this.store.changed(it.index);
        },
      });
      it.pgid = null;
      running.delete(it.id);
      const last = r.outcomes.at(-1);
      it.exit_code = last?.exitCode ?? null;
      const wt = checkouts.get(it.id);
      if (r.status === 'ok' && agents && wt) {
        it.merge = 'queued';
        this.changed(it);
        const m = await agents.merge(wt);
        if (m.kind === 'conflict') {
          // Kept for inspection: out of its pool slot, named in the DLQ entry.
          checkouts.set(it.id, await agents.keep(wt));
          Object.assign(it, { merge: 'conflict', commits: m.commits, head_commit: m.tip });
          return { ok: false, error: `MergeConflict: ${wt.branch} conflicts with the session worktree in ${m.files.join(', ') || 'some files'}` };
        }
        Object.assign(it, { merge: m.kind === 'merged' ? 'merged' : 'none', commits: m.kind === 'merged' ? m.commits : 0, head_commit: m.kind === 'merged' ? m.tip : null });
        if (m.kind === 'merged') this.emit({ type: 'worktree_merged', item_id: it.id, agent_id: ctx.agentId, branch: wt.branch, commits: m.commits });
      } else if (wt) {
        cleanUp(it, false);
      }
      if (r.status === 'ok') {
        const output = this.mask(last?.output ?? '').replace(/\s+$/, '');
        return {
          ok: true,
          result: {
            item_id: it.id,
            status: 'success',
            output: output.length > MAX_RESULT_OUTPUT ? output.slice(-MAX_RESULT_OUTPUT) : output,
            duration_ms: Math.round(performance.now() - t0),
          },
        };
      }
      if (r.status === 'interrupted') return { ok: false, error: 'interrupted' };
      return { ok: false, error: `command ${r.stoppedAt! + 1} failed: ${last?.error ?? 'failed'}` };
    };

    // Every attempt's whole output goes to the item's log file (the job file keeps a few lines).
    this.job.max_attempts = retries + 1;
    const runItem = async (it: WorkItemState, ctx: AgentContext): Promise<AttemptOutcome<JsonValue>> => {
      const file = storePaths(this.o.home).jobItemLog(this.job.repo, this.job.job_id, it.id);
      // Tries left in this run, after those of earlier runs (a dlq retry gives dead items a new budget).
      const of = it.attempts - ctx.attempt + retries + 1;
      const itemLog = new ItemAttemptLog(file, attemptHeader(it.attempts, of, now(), ctx.agentId));
      try {
        const r = await attempt(it, ctx, itemLog);
        itemLog.end(attemptFooter(it.attempts, now(), r.ok ? r : { ok: false, error: this.mask(r.error) }), r.ok);
        return r;
      } catch (err) {
        itemLog.end(attemptFooter(it.attempts, now(), { ok: false, error: this.mask((err as Error).message ?? String(err)) }), false);
        throw err;
      }
    };

    const remote = this.o.remote;
    if (remote) {
      // Every item waits on the interrupt signal at once.
      setMaxListeners(pending.length + 16, this.o.signal);
      let lastDepth = '';
      await remote.begin({
        cwd: this.o.cwd,
        jobId: this.job.job_id,
        sessionId: this.sessionId,
        resumed: this.resumedRun,
        isolated: agents !== null,
        // Mirrored into job.json (coalesced with everything else) so the dashboard reads it from disk.
        onDepth: (d) => {
          const key = JSON.stringify(d);
          if (key === lastDepth && this.job.queue) return;
          lastDepth = key;
          this.job.queue = { ...d, at: new Date().toISOString() };
          this.store.changed();
        },
      });
    }
    const remoteRun = remote
      ? remoteRunItem({ dispatch: remote, agents, jobId: this.job.job_id, total: this.job.items.length, template, variables: { ...this.job.variables }, env: { ...this.o.workflow.env }, secrets: this.o.secrets ?? {}, strict: Boolean(this.o.strict), workflowName: wf.name, checkouts, tails, emit: (e) => this.emit(e), changed: (it) => this.changed(it) })
      : runItem;
    const result = await runPool<number, JsonValue>(pending, {
      // Queue workers pull items as they have room: every item goes out at once, the queue holds them.
      maxParallel: remote ? Math.max(1, pending.length) : this.job.max_parallel,
      maxAttempts: retries + 1,
      signal: this.o.signal,
      run: async (i, ctx) => {
        const r = await (remote ? remoteRun : runItem)(at(i), ctx).catch((err: unknown): AttemptOutcome<JsonValue> => ({ ok: false, error: (err as Error).message ?? String(err) }));
        return r.ok ? r : { ...r, error: this.mask(r.error) };
      },
      onStart: (i, ctx) => {
        const it = at(i);
        it.status = 'running';
        // A queue worker's host:pid replaces the slot name once one takes the item (remote-item.ts).
        it.agent_id = remote ? null : ctx.agentId;
        if (remote) it.worker = null;
        it.attempts += 1;
        it.started_at = now();
        it.ended_at = null;
        it.output_tail = [];
        this.emit({ type: 'AgentStarted', item_id: it.id, agent_id: ctx.agentId, attempt: it.attempts });
        this.changed(it);
      },
      onCompleted: (i, ctx, res) => {
        const it = at(i);
        const tail = tails.get(it.id)?.snapshot() ?? [];
        // The event is the durable record of the completion: written before the slot is reused.
        this.emit({ type: 'AgentCompleted', item_id: it.id, agent_id: ctx.agentId, attempt: it.attempts, exit_code: it.exit_code, result: res, output_tail: tail });
        if (!remote) hosts.slot(ctx.agentId).dropKept();
        if (it.error !== null || it.attempts > 1) removeDlqItem(dlqDir, it.id);
        Object.assign(it, { status: 'completed', result: res, error: null, ended_at: now(), agent_id: it.worker ?? ctx.agentId, output_tail: tail });
        tails.delete(it.id);
        // Only now, with the completion recorded, may the merged branch go (see alreadyMerged).
        cleanUp(it, false);
        this.changed(it);
        this.store.release(i);
      },
      onRetry: (i, ctx, error) => {
        const it = at(i);
        // Each failed attempt's output is kept in its event, so the dashboard's item log shows every attempt.
        const tail = tails.get(it.id)?.snapshot() ?? [];
        this.emit({ type: 'AgentFailed', item_id: it.id, agent_id: ctx.agentId, attempt: it.attempts, exit_code: it.exit_code, message: error, output_tail: tail });
        this.emit({ type: 'AgentRetried', item_id: it.id, agent_id: ctx.agentId, attempt: it.attempts + 1, message: error });
        if (!remote) hosts.slot(ctx.agentId).dropKept();
        Object.assign(it, { status: 'failed', error, ended_at: now() });
        this.changed(it);
      },
      onDead: (i, ctx, error) => {
        const it = at(i);
        const tail = tails.get(it.id)?.snapshot() ?? [];
        tails.delete(it.id);
        this.emit({ type: 'AgentFailed', item_id: it.id, agent_id: ctx.agentId, attempt: it.attempts, exit_code: it.exit_code, message: error, output_tail: tail });
        // A conflicting agent's worktree and branch are kept for inspection and named in its DLQ entry.
        const kept = it.merge === 'conflict' ? checkouts.get(it.id) : undefined;
        if (kept) checkouts.delete(it.id);
        else cleanUp(it, false);
        if (policy.on_item_failure !== 'skip') {
          const artifacts = kept ? { worktree_artifacts: { worktree_path: kept.path, branch_name: kept.branch } } : {};
          writeDlqItem(dlqDir, { item_id: it.id, item: it.item, error, attempts: it.attempts, output_tail: tail, failed_at: now(), ...artifacts });
        }
        this.emit({ type: 'ItemDeadLettered', item_id: it.id, agent_id: ctx.agentId, attempt: it.attempts, message: error });
        if (!remote) hosts.slot(ctx.agentId).dropKept();
        Object.assign(it, { status: 'dead', error, ended_at: now(), output_tail: tail });
        this.writeLog(`[${now()}] ${it.id} failed after ${it.attempts} attempt(s): ${error}\n`);
        this.o.reporter?.itemDead?.(it, error);
        this.changed(it);
        this.store.release(i);
        const dead = this.counts().dead;
        if (policy.on_item_failure === 'stop' || !policy.continue_on_failure) this.stopReason ??= `${it.id} failed (${error}) and the error policy stops the job`;
        else if (exceedsFailureLimits(dead, this.job.items.length, policy)) this.stopReason ??= `${dead} of ${this.job.items.length} items failed: over the error policy's limit`;
      },
      onAbandoned: (i, ctx) => {
        const it = at(i);
        this.emit({ type: 'AgentInterrupted', item_id: it.id, agent_id: ctx.agentId, attempt: it.attempts, message: 'interrupted; the item goes back to pending' });
        // An attempt cut short by an interrupt does not count against the item's retries.
        Object.assign(it, { status: 'pending', agent_id: null, ended_at: now(), attempts: Math.max(0, it.attempts - 1) });
        this.changed(it);
      },
      shouldStop: () => this.stopReason !== null,
    }).finally(async () => {
      clearInterval(peeker);
      // Interrupted: the slot folder stays for the resume to replay recorded commands from (completions.ts).
      hosts.close(this.o.signal.aborted, { keepFiles: this.o.signal.aborted });
      for (const it of this.job.items) if (checkouts.has(it.id) && it.merge !== 'conflict') cleanUp(it, false);
      await Promise.all(cleanups);
      await remote?.end(this.o.signal.aborted);
      await agents?.close();
    });
    if (result.interrupted) return this.interrupted();
    this.o.reporter?.progress?.(this.counts());
    if (this.stopReason) return this.fail(this.stopReason);
    return null;
  }

  private async reduce(): Promise<JobOutcome | null> {
    const c = this.counts();
    await this.setPhase('Reduce', `${c.completed} successful, ${c.dead} failed, ${c.total} total`);
    // Every result, released ones read back from job.json + journal: a transient copy, dropped after this.
    const scope: Scope = { ...this.baseScope(), outputs: {}, extra: reduceVariables(this.store.fullState().items) };
    // The job file keeps how reduce went (the dashboard's job header shows it).
    const tail = new TailBuffer(OUTPUT_TAIL_LINES);
    this.job.reduce = { status: 'running', started_at: new Date().toISOString(), ended_at: null, output_tail: [], error: null };
    this.store.commit();
    const r = await this.runPhaseCommands('reduce', this.o.workflow.reduce, scope, tail);
    const status = r === 'ok' ? 'completed' : r === 'interrupted' ? 'interrupted' : 'failed';
    this.job.reduce = { ...this.job.reduce, status, ended_at: new Date().toISOString(), output_tail: tail.snapshot(), error: status === 'failed' ? this.mask(`reduce ${r}`) : null };
    this.store.changed();
    if (r === 'interrupted') return this.interrupted();
    if (r !== 'ok') return this.fail(`reduce ${r}`);
    this.job.reduce_completed = true;
    this.store.commit();
    return null;
  }

  private outcome(status: JobOutcome['status'], error?: string): JobOutcome {
    return {
      status,
      sessionId: this.sessionId,
      jobId: this.job.job_id,
      counts: this.counts(),
      ...(error ? { error } : {}),
      storeWrites: this.store.writes,
      storeBlockingMs: this.store.blockingMs,
      eventLogMs: this.events.ms,
    };
  }

  private async complete(): Promise<JobOutcome> {
    // Pending coalesced totals go out now, not after the session is completed and its lock released.
    this.progress.done();
    await this.setPhase('Complete', 'done');
    const c = this.counts();
    this.emit({ type: 'JobCompleted', message: `${c.completed} successful, ${c.dead} failed, ${c.total} total` });
    // No resume will replay setup's or reduce's output copies now.
    fs.rmSync(recordOutputsDir(this.job.job_id), { recursive: true, force: true });
    if (!this.finalSession) {
      await this.queue.run(() => this.sessions.completeSession());
    } else {
      this.sessions.manager.release(this.sessionId);
    }
    return this.outcome('completed');
  }

  private async interrupted(): Promise<JobOutcome> {
    this.progress.done();
    this.store.commit();
    this.emit({ type: 'JobInterrupted', phase: this.job.phase });
    this.writeLog(`[${new Date().toISOString()}] interrupted\n`);
    await this.pushTotals();
    if (!this.finalSession) await this.session({ type: 'MarkInterrupted' });
    await this.queue.run(async () => this.sessions.release());
    if (this.finalSession) this.sessions.manager.release(this.sessionId);
    return this.outcome('interrupted');
  }

  private async fail(unmasked: string): Promise<JobOutcome> {
    const error = this.mask(unmasked);
    this.progress.done();
    this.store.commit();
    this.emit({ type: 'JobFailed', phase: this.job.phase, message: error });
    this.writeLog(`[${new Date().toISOString()}] failed: ${error}\n`);
    await this.pushTotals();
    if (!this.finalSession) {
      await this.session({ type: 'AddError', error });
      await this.session({ type: 'UpdateStatus', status: 'Failed' });
      await this.queue.run(() => this.sessions.completeSession());
    } else {
      this.sessions.manager.release(this.sessionId);
    }
    return this.outcome('failed', error);
  }
}

/** A new job: session (MapReduce, Running), mapping, job.json, event log; then setup, map, reduce. */
export async function startJob(o: JobRunOptions): Promise<JobOutcome> {
  const repoPath = o.place?.repoPath ?? o.cwd;
  const sessions = new CookSessionAdapter(o.home, { repoPath });
  const sessionId = o.sessionId ?? newSessionId();
  const jobId = newJobId();
  const repo = repoNameOf(repoPath);
  const paths = storePaths(o.home);
  await sessions.startSession(sessionId, {
    workflowName: o.workflow.name,
    workflowPath: o.workflowPath,
    workflowType: 'MapReduce',
    workingDirectory: o.cwd,
    workflowHash: o.workflowHash,
    jobId,
    metadata: { ...o.place?.metadata, repo_name: repo, ...(o.runOptions !== undefined ? { [RUN_OPTIONS_KEY]: o.runOptions } : {}) },
    repoPath: o.place?.repoPath,
    worktreeName: o.place?.worktreeName,
  });
  o.isolateAgents ??= o.place?.worktreeName !== undefined;
  const state = newJobState({
    job_id: jobId,
    session_id: sessionId,
    workflow_name: o.workflow.name,
    workflow_path: o.workflowPath,
    repo,
    max_parallel: o.workflow.map.max_parallel,
  });
  writeMapping(o.home, { session_id: sessionId, job_id: jobId, repo, workflow_name: o.workflow.name, created_at: state.created_at });
  const store = await JobStore.create(paths.jobStateFile(repo, jobId), state, o.writeIntervalMs);
  const events = new EventLog(paths.eventsDir(repo, jobId));
  store.markWith(() => events.mark());
  return new JobRun(o, store, events, sessions, sessionId, false).run(false);
}

export interface ResumeJobOptions extends JobRunOptions {
  jobId: string;
  repo: string;
  /** `dlq retry`: dead items go back to pending first (their DLQ files stay until they complete). */
  requeueDead?: boolean;
  /** job.json + journal as the caller read them already: not read again unless they changed since. */
  read?: JobRead;
}

/**
 * Carries on an interrupted (Paused, or crashed) job: completed items are never run again, in-flight
 * and pending ones run, setup is skipped once it completed, reduce runs once at the end.
 */
export async function resumeJob(o: ResumeJobOptions): Promise<JobOutcome> {
  const paths = storePaths(o.home);
  const store = await JobStore.open(paths.jobStateFile(o.repo, o.jobId), o.writeIntervalMs, o.read);
  const eventsDir = paths.eventsDir(o.repo, o.jobId);
  // Only the events since job.json + journal were last written can correct them: read from the end.
  const reconciled = reconcileWithEvents(store.state, await readEventsAfter(eventsDir, store.state.events_mark));
  const sessionId = reconciled.session_id;
  const sessions = new CookSessionAdapter(o.home, { repoPath: o.cwd });
  const s = await sessions.manager.load(sessionId);
  let finalSession = false;
  const dead = reconciled.items.filter((i) => i.status === 'dead');
  if (isFinal(s.status)) {
    if (!o.requeueDead) throw new NotResumableError(sessionId, `it is ${s.status}${dead.length ? ` (its ${dead.length} dead item(s) can be retried: prodigy dlq retry ${o.jobId})` : ''}`);
    if (dead.length === 0) throw new JobError(`job ${o.jobId} has no dead items to retry`);
    await sessions.manager.claim(sessionId);
    finalSession = true;
  } else {
    await sessions.resumeSession(sessionId);
  }
  // After a crash (SIGKILL) the agents' process groups may still run: stop them before their items rerun.
  if (!finalSession && s.status === 'Running') {
    for (const it of store.state.items) if (it.status === 'running' && typeof it.pgid === 'number' && groupAlive(it.pgid)) killGroup(it.pgid, 'SIGKILL');
  }
  // Before anything runs (and before the new slot hosts clear the crashed runner's folder).
  const open = new Set(reconciled.items.filter((i) => i.status !== 'completed' && i.status !== 'dead').map((i) => i.id));
  if (!reconciled.setup_completed) open.add('setup');
  if (!reconciled.reduce_completed) open.add('reduce');
  const phaseOutput = isRecordOutput(o.jobId);
  const replays = loadCompletions(completionsFileOf(store.file), open, (p) => isSlotScript(p) || phaseOutput(p));
  const events = new EventLog(eventsDir);
  store.markWith(() => events.mark());
  // Items the events corrected are new objects: the store finds them by identity (changed()).
  Object.assign(store.state, reconciled);
  store.changed();
  for (const it of store.state.items) {
    if (it.pgid === null || it.pgid === undefined) continue;
    it.pgid = null;
    store.changed(it.index);
  }
  if (o.requeueDead) {
    for (const it of store.state.items) {
      if (it.status !== 'dead') continue;
      events.append({ job_id: o.jobId, type: 'ItemRequeued', item_id: it.id, message: 'dlq retry' });
      Object.assign(it, { status: 'pending', agent_id: null });
      store.changed(it.index);
    }
  }
  // Settled items stay on disk: only their summaries in memory (released once this line is written).
  for (const it of store.state.items) if (it.status === 'completed' || it.status === 'dead') store.release(it.index);
  store.commit();
  const run = new JobRun(o, store, events, sessions, sessionId, finalSession);
  run.replays = replays;
  return run.run(true);
}
