/**
 * The sequential executor. It talks to sessions only through `SessionManager` and, per step, in the
 * order the dashboard relies on: StartStep -> run -> RecordCommandTiming -> UpdateWorkflowState ->
 * UpdateExecutionContext -> saveCheckpoint. A resumed run starts from the state at the last checkpoint:
 * completed steps are skipped, variables and outputs restored, the step that was in flight runs again.
 * Session writes are serialised through one queue: the adapter and the store expect one writer at a time,
 * and the output tail is written from output events while a step runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SerialQueue } from '../exec/serial-queue.js';
import { Coalescer, TailBuffer } from '../exec/output-tail.js';
import type { ExecutionContext, RunPlaceRecord, SessionState, StepResult, WorkflowState } from '../session/cook-state.js';
import type { SessionManager } from '../session/session-manager.js';
import { durationFromMs } from '../session/time.js';
import { META } from '../session/types.js';
import type { JsonValue } from '../session/types.js';
import type { Scope } from './interpolate.js';
import type { Mask } from './mask.js';
import { maskedReporter, maskedSessions } from './masked-sessions.js';
import { runStep, type StepOutcome } from './step-runner.js';
import { commandSummary, type SequentialWorkflow, type WorkflowCommand } from './types.js';
import { appendLogSync } from '../storage/io-fault.js';
import { recordedShell } from '../exec/recorded-shell.js';
import { type CompletionRecord, isRecordOutput, loadCompletions, recordOutputsDir, recordingLauncher } from '../exec/completions.js';

/** Metadata key: process group of a long-running step, so a resume after a crash can stop its orphans. */
export const CHILD_PGID_KEY = 'child_pgid';
/** Metadata key: the run's plan options (profile, params, iterations, args), for resume. */
export const RUN_OPTIONS_KEY = 'run_options';

export interface ExecutorReporter {
  stepStarted?(index: number, total: number, summary: string): void;
  stepFinished?(index: number, total: number, summary: string, outcome: StepOutcome, ms: number): void;
  /** A step completed before the resume; not run again. */
  stepAlreadyDone?(index: number, total: number, summary: string): void;
  output?(text: string): void;
}

export interface ExecutorOptions {
  sessions: SessionManager;
  sessionId: string;
  workflow: SequentialWorkflow;
  workflowPath: string;
  workflowHash: string;
  cwd: string;
  signal: AbortSignal;
  /** The state `resumeSession` returned; absent for a fresh run. */
  resumed?: SessionState;
  /** Appended to, never truncated (a dashboard-started resume writes its own lines there too). */
  logFile?: string;
  /**
   * Where `shell:` steps record their completion themselves (exec/recorded-shell.ts): a resume replays a
   * step that finished before its runner died instead of running it again. Absent: plain `sh -c`.
   */
  stepRecords?: string;
  reporter?: ExecutorReporter;
  tailLines?: number;
  /** Minimum gap between output-tail writes (default 200 ms: at most ~5 writes a second). */
  tailIntervalMs?: number;
  /** How long a step must run before its process group is recorded for crash clean-up. */
  pgidRecordAfterMs?: number;
  env?: NodeJS.ProcessEnv;
  /** `--strict`: an unknown `${name}` fails its step (default: left as text, as Prodigy does). */
  strict?: boolean;
  /** Where the run is isolated (its worktree): recorded in the new session. */
  place?: RunPlaceRecord;
  /** Masks secret values in everything written: session, log, reporter, result (mask.ts). */
  mask?: Mask;
  /** Recorded in the session's metadata (`run_options`), so a resume rebuilds the same plan. */
  runOptions?: JsonValue;
}

export interface ExecutorResult {
  status: 'completed' | 'failed' | 'interrupted';
  failedStep?: number;
  error?: string;
  /** The last output lines of the failed step. */
  tail: string[];
}

/** What a checkpointed state says is done: successful step results, by index. */
export function completedResults(state: SessionState | undefined): StepResult[] {
  return (state?.workflow_state?.completed_steps ?? []).filter((r) => r.success);
}

/** Pure: the scope a resumed run starts with (variables, outputs and `step_<i>_output` restored). */
export function restoredScope(wf: SequentialWorkflow, state: SessionState | undefined, processEnv: NodeJS.ProcessEnv): Scope {
  const outputs: Record<string, string> = { ...state?.execution_context?.step_outputs };
  for (const r of completedResults(state)) {
    if (r.output !== null && outputs[`step_${r.step_index}_output`] === undefined) outputs[`step_${r.step_index}_output`] = r.output;
  }
  return {
    variables: { ...state?.execution_context?.variables },
    outputs,
    env: { ...wf.env },
    processEnv,
    workflowName: wf.name,
  };
}

/** Stored outputs are capped: a checkpoint is rewritten after every step and must stay small. */
const MAX_STORED_OUTPUT = 64 * 1024;
const cap = (s: string) => (s.length > MAX_STORED_OUTPUT ? s.slice(-MAX_STORED_OUTPUT) : s);

export async function executeWorkflow(options: ExecutorOptions): Promise<ExecutorResult> {
  const mask = options.mask ?? ((t: string) => t);
  const o: ExecutorOptions = options.mask ? { ...options, sessions: maskedSessions(options.sessions, mask), reporter: maskedReporter(options.reporter, mask) } : options;
  const result = await execute(o, mask);
  return options.mask ? { ...result, error: result.error && mask(result.error), tail: result.tail.map(mask) } : result;
}

/**
 * Pure, conservative: whether step i's output can matter after it ends, so its record must keep a copy
 * (exec/recorded-shell.ts) — the step captures or maps it, writes it to a file, has handlers or checks
 * that read it, or a later step's text mentions an output (`.output`, `step_<i>_output`,
 * `PRODIGY_OUTPUT_`, `<id>.`). Otherwise a replay restores the step as done with empty output.
 */
export function outputNeeded(commands: readonly WorkflowCommand[], i: number): boolean {
  const c = commands[i]!;
  if (c.capture || c.captureStreams || c.outputs || c.outputFile || c.onSuccess || c.onFailure || c.onExitCode || c.validate || c.foreach) return true;
  const later = JSON.stringify(commands.slice(i + 1));
  const refs = ['.output', `step_${i}_output`, 'PRODIGY_OUTPUT_', ...(c.id ? [`${c.id}.`] : [])];
  return refs.some((r) => later.includes(r));
}

/** The step records' launcher, file and (on resume) what to replay (mapreduce/completions.ts). */
function stepRecordsOf(dir: string, sessionId: string, resumed: boolean) {
  const file = path.join(dir, 'completions.log');
  const outputs = recordOutputsDir(sessionId);
  return { shell: recordedShell(outputs), file, outputs, replays: resumed ? loadCompletions(file, null, isRecordOutput(sessionId)) : new Map<string, CompletionRecord>() };
}

async function execute(o: ExecutorOptions, mask: (t: string) => string): Promise<ExecutorResult> {
  const { sessions, workflow: wf } = o;
  const total = wf.commands.length;
  const summaries = wf.commands.map((c) => commandSummary(c));
  const queue = new SerialQueue();
  const log = o.logFile ? fs.openSync(o.logFile, 'a') : null;
  let logOpen = log !== null;
  // A full disk stops the log, not the output handler that writes it (the run stops through io-fault.ts).
  const writeLog = (text: string) => {
    if (logOpen) logOpen = appendLogSync(log!, o.logFile!, mask(text));
  };
  const stamp = () => new Date().toISOString();
  const records = o.stepRecords ? stepRecordsOf(o.stepRecords, o.sessionId, Boolean(o.resumed)) : null;

  if (!o.resumed) {
    await sessions.startSession(o.sessionId, {
      workflowName: wf.name,
      workflowPath: o.workflowPath,
      workflowType: 'Standard',
      workingDirectory: o.cwd,
      totalSteps: total,
      workflowHash: o.workflowHash,
      metadata: { ...o.place?.metadata, [META.steps]: summaries, ...(o.runOptions !== undefined ? { [RUN_OPTIONS_KEY]: o.runOptions } : {}) },
      repoPath: o.place?.repoPath,
      worktreeName: o.place?.worktreeName,
    });
    await sessions.updateSession({ type: 'StartWorkflow' });
  }
  const results = completedResults(o.resumed);
  const done = new Set(results.map((r) => r.step_index));
  const processEnv = o.env ?? process.env;
  const scope = restoredScope(wf, o.resumed, processEnv);
  scope.workflowId = o.sessionId;
  scope.strict = o.strict;
  const childEnv: NodeJS.ProcessEnv = { ...processEnv, ...wf.env, PRODIGY_SESSION_ID: o.sessionId };
  writeLog(`[${stamp()}] ${o.resumed ? 'resume' : 'run'} ${o.workflowPath} as ${o.sessionId} (${total} steps, ${done.size} done)\n`);

  const tail = new TailBuffer(o.tailLines ?? 20);
  const coalescer = new Coalescer(o.tailIntervalMs ?? 200, () => {
    const lines = tail.snapshot();
    void queue.run(() => sessions.updateSession({ type: 'SetOutputTail', lines })).catch(() => undefined);
  });
  // Read once: only this executor changes the workflow state, and getState() per step cost a copy.
  const workflowBase: WorkflowState = sessions.getState().workflow_state ?? {
    current_iteration: 0,
    current_step: 0,
    total_steps: total,
    completed_steps: [],
    input_args: [],
    map_patterns: [],
    using_worktree: false,
    workflow_path: o.workflowPath,
  };
  const workflowState = (current: number): WorkflowState => ({
    ...workflowBase,
    current_step: current,
    total_steps: total,
    completed_steps: [...results],
    workflow_path: o.workflowPath,
  });
  // The stored outputs are one object brought up to date in place (an output changes or is added per
  // step; rebuilding all of them per step was O(steps)). The session journal diffs it against its own
  // shadow, so handing the same object every time is safe.
  const storedOutputs: Record<string, string> = {};
  const executionContext = (): ExecutionContext => {
    const keys = Object.keys(scope.outputs);
    for (let i = 0; i < keys.length; i++) {
      const v = cap(scope.outputs[keys[i]!]!);
      if (storedOutputs[keys[i]!] !== v) storedOutputs[keys[i]!] = v;
    }
    return { variables: { ...scope.variables }, step_outputs: storedOutputs, environment: { ...wf.env } };
  };

  const interrupt = async (): Promise<ExecutorResult> => {
    await queue.run(() => sessions.updateSession({ type: 'MarkInterrupted' }));
    await queue.run(() => sessions.saveCheckpoint(sessions.getState()));
    writeLog(`[${stamp()}] interrupted\n`);
    return { status: 'interrupted', tail: tail.snapshot() };
  };

  try {
    for (let i = 0; i < total; i++) {
      const cmd = wf.commands[i]!;
      const summary = summaries[i]!;
      if (done.has(i)) {
        o.reporter?.stepAlreadyDone?.(i, total, summary);
        continue;
      }
      if (o.signal.aborted) return await interrupt();
      await queue.run(() => sessions.updateSession({ type: 'StartStep', index: i, command: summary }));
      o.reporter?.stepStarted?.(i, total, summary);
      writeLog(`[${stamp()}] step ${i + 1}/${total}: ${summary}\n`);
      tail.clear();
      const startedAt = stamp();
      const t0 = performance.now();
      let pgidTimer: NodeJS.Timeout | null = null;
      let pgidRecorded = false;
      scope.step = { name: cmd.name ?? cmd.id ?? summary, index: i };
      scope.iteration = cmd.iteration ?? 1;
      scope.extra = cmd.arg === undefined ? undefined : { ARG: cmd.arg, PRODIGY_ARG: cmd.arg };
      const env = cmd.arg === undefined ? childEnv : { ...childEnv, ARG: cmd.arg, PRODIGY_ARG: cmd.arg };
      const launcher = records ? recordingLauncher(records.shell, { file: records.file, itemId: `step-${i}`, attempt: 1, replays: records.replays, keep: outputNeeded(wf.commands, i) }) : undefined;
      const outcome = await runStep(cmd, { scope, cwd: o.cwd, env, signal: o.signal, mask: o.mask, launcher }, {
        onOutput: (text) => {
          writeLog(text);
          tail.push(text);
          coalescer.poke();
          o.reporter?.output?.(text);
        },
        onNested: (label) => writeLog(`[${stamp()}]   ${label}\n`),
        onSpawn: (pid) => {
          if (pgidTimer) clearTimeout(pgidTimer);
          pgidTimer = setTimeout(() => {
            pgidRecorded = true;
            void queue.run(() => sessions.updateSession({ type: 'SetMetadata', key: CHILD_PGID_KEY, value: pid })).catch(() => undefined);
          }, o.pgidRecordAfterMs ?? 100);
        },
      });
      if (pgidTimer) clearTimeout(pgidTimer);
      coalescer.done();
      if (pgidRecorded) void queue.run(() => sessions.updateSession({ type: 'SetMetadata', key: CHILD_PGID_KEY, value: null })).catch(() => undefined);
      const ms = performance.now() - t0;
      if (outcome.status === 'interrupted') return await interrupt();

      const ok = outcome.status !== 'failed';
      writeLog(`[${stamp()}] step ${i + 1}/${total} ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''} (${(ms / 1000).toFixed(2)}s)\n`);
      o.reporter?.stepFinished?.(i, total, summary, outcome, ms);
      const result: StepResult = {
        step_index: i,
        command: outcome.command,
        success: ok,
        output: cap(outcome.output.replace(/\s+$/, '')),
        duration: durationFromMs(ms),
        error: outcome.error,
        started_at: startedAt,
        completed_at: stamp(),
        exit_code: outcome.exitCode,
      };
      await queue.run(() => sessions.updateSession({ type: 'RecordCommandTiming', name: `step_${i}`, duration: result.duration }));
      if (!ok) {
        const error = `step ${i + 1} (${summary}) failed: ${outcome.error}`;
        await queue.run(async () => {
          await sessions.updateSession({ type: 'UpdateWorkflowState', state: { ...workflowState(i), completed_steps: [...results, result] } });
          await sessions.updateSession({ type: 'SetMetadata', key: META.failedStep, value: i });
          await sessions.updateSession({ type: 'AddError', error });
          await sessions.updateSession({ type: 'UpdateStatus', status: 'Failed' });
          await sessions.completeSession();
        });
        return { status: 'failed', failedStep: i, error, tail: tail.snapshot() };
      }
      results.push(result);
      scope.outputs[`step_${i}_output`] = result.output ?? '';
      await queue.run(async () => {
        await sessions.updateSession({ type: 'UpdateWorkflowState', state: workflowState(i + 1) });
        await sessions.updateSession({ type: 'UpdateExecutionContext', context: executionContext() });
        await sessions.saveCheckpoint(sessions.getState());
      });
    }
    await queue.run(async () => {
      await sessions.updateSession({ type: 'SetMetadata', key: META.currentCommand, value: null });
      await sessions.completeSession();
    });
    // Done: no resume will replay these copies of the steps' raw output.
    if (records) fs.rmSync(records.outputs, { recursive: true, force: true });
    writeLog(`[${stamp()}] completed\n`);
    return { status: 'completed', tail: [] };
  } finally {
    coalescer.done();
    if (log !== null) fs.closeSync(log);
  }
}
