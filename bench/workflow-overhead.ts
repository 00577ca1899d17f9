/**
 * Workflow overhead: a 200-step workflow of `true` commands, against a shell script running the same 200
 * commands, measured in the same run. Reported per step: `prodigy run` end to end (CLI start included,
 * spread over the steps), the executor in process, and the two floors: the plain script (`true` is a
 * shell builtin: the cost of nothing) and one `sh -c true` per step (the process a step needs anyway).
 * Target: < 15 ms of overhead per step, the checkpoint write included.
 *
 * Scale (issue 13): the same in-process run at 200 and 2,000 steps, per-step overhead over the shell
 * script of the same length, the ratio of the last tenth's per-step time to the first tenth's (flat = 1),
 * and the bytes this process passed to write(2) per step (/proc/self/io wchar: session file, journal, log).
 * Targets: <= 10 ms/step at 2,000 steps, ratio <= 1.3, <= 8 KB written per step.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CookSessionAdapter } from '../src/session/adapter.js';
import { executeWorkflow } from '../src/workflow/executor.js';
import { parseWorkflow } from '../src/workflow/parse.js';
import { median, nowMs, round } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STEPS = 200;

function timeCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = nowMs();
    const r = spawnSync(cmd, args, { env, cwd, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    times.push(nowMs() - t);
  }
  return median(times);
}

function wcharNow(): number {
  try {
    const m = /^wchar:\s*(\d+)/m.exec(fs.readFileSync('/proc/self/io', 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** One in-process run of `steps` `true` steps: total ms, per-step times, bytes written. */
async function scaleRun(dir: string, steps: number): Promise<{ ms: number; stepMs: number[]; bytes: number; scriptMs: number }> {
  const yaml = `name: scale\ncommands:\n${'  - shell: "true"\n'.repeat(steps)}`;
  const wfFile = path.join(dir, `scale-${steps}.yml`);
  fs.writeFileSync(wfFile, yaml);
  const script = path.join(dir, `scale-${steps}.sh`);
  fs.writeFileSync(script, 'true\n'.repeat(steps));
  const scriptMs = timeCommand('sh', [script], process.env, dir, 3);
  const parsed = parseWorkflow(yaml, wfFile);
  if (parsed.mode !== 'standard') throw new Error('expected a sequential workflow');
  const sessions = new CookSessionAdapter(path.join(dir, `home-scale-${steps}`));
  const starts: number[] = [];
  const w0 = wcharNow();
  const t = nowMs();
  const r = await executeWorkflow({
    sessions,
    sessionId: `session-bench-scale-${steps}`,
    workflow: parsed.workflow,
    workflowPath: wfFile,
    workflowHash: 'bench',
    cwd: dir,
    signal: new AbortController().signal,
    reporter: { stepStarted: () => void starts.push(nowMs()) },
  });
  const ms = nowMs() - t;
  const bytes = wcharNow() - w0;
  if (r.status !== 'completed') throw new Error(`bench workflow ${r.status}`);
  starts.push(t + ms);
  const stepMs = starts.slice(1).map((x, i) => x - starts[i]!);
  return { ms, stepMs, bytes, scriptMs };
}

const tenthRatio = (stepMs: number[]): number => {
  const n = Math.max(1, Math.floor(stepMs.length / 10));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return mean(stepMs.slice(-n)) / mean(stepMs.slice(0, n));
};

export async function benchWorkflowScale(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-wfs-'));
  const out: Record<string, number> = {};
  try {
    const spawnFloor = path.join(dir, 'spawn.sh');
    fs.writeFileSync(spawnFloor, 'sh -c true\n'.repeat(200));
    out['workflow_scale.floor_sh_c_true_per_step_ms'] = round(timeCommand('sh', [spawnFloor], process.env, dir, 3) / 200);
    for (const steps of [200, 2000]) {
      const r = await scaleRun(dir, steps);
      out[`workflow_scale.overhead_per_step_${steps}_ms`] = round((r.ms - r.scriptMs) / steps);
      out[`workflow_scale.last_first_tenth_ratio_${steps}`] = round(tenthRatio(r.stepMs));
      out[`workflow_scale.bytes_written_per_step_${steps}`] = Math.round(r.bytes / steps);
    }
    out['workflow_scale.target_overhead_per_step_2000_ms'] = 10;
    out['workflow_scale.target_last_first_tenth_ratio'] = 1.3;
    out['workflow_scale.target_bytes_written_per_step'] = 8192;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export async function benchWorkflowOverhead(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-wf-'));
  const yaml = `name: overhead\ncommands:\n${'  - shell: "true"\n'.repeat(STEPS)}`;
  const wfFile = path.join(dir, 'overhead.yml');
  fs.writeFileSync(wfFile, yaml);
  const script = path.join(dir, 'overhead.sh');
  fs.writeFileSync(script, 'true\n'.repeat(STEPS));
  const spawnScript = path.join(dir, 'overhead-spawn.sh');
  fs.writeFileSync(spawnScript, 'sh -c true\n'.repeat(STEPS));

  const runs = 3;
  const env = { ...process.env, PRODIGY_HOME: path.join(dir, 'home') };
  const cliMs = timeCommand(process.execPath, [path.join(root, 'bin/prodigy.js'), 'run', wfFile], env, dir, runs);
  const scriptMs = timeCommand('sh', [script], env, dir, runs);
  const spawnMs = timeCommand('sh', [spawnScript], env, dir, runs);

  const parsed = parseWorkflow(yaml, wfFile);
  if (parsed.mode !== 'standard') throw new Error('expected a sequential workflow');
  const inProcess: number[] = [];
  for (let i = 0; i < runs; i++) {
    const sessions = new CookSessionAdapter(path.join(dir, `home-${i}`));
    const t = nowMs();
    const r = await executeWorkflow({
      sessions,
      sessionId: `session-bench-${i}`,
      workflow: parsed.workflow,
      workflowPath: wfFile,
      workflowHash: 'bench',
      cwd: dir,
      signal: new AbortController().signal,
      // As the CLI runs steps: each records its own completion (exec/recorded-shell.ts).
      stepRecords: path.join(dir, `home-${i}`, 'logs', `session-bench-${i}.steps`),
    });
    if (r.status !== 'completed') throw new Error(`bench workflow ${r.status}`);
    inProcess.push(nowMs() - t);
  }
  const inProcessMs = median(inProcess);
  return {
    'workflow.run_200_steps_cli_ms': round(cliMs),
    'workflow.peer_sh_script_200_ms': round(scriptMs),
    'workflow.floor_sh_c_true_x200_ms': round(spawnMs),
    'workflow.overhead_per_step_cli_ms': round((cliMs - scriptMs) / STEPS),
    'workflow.overhead_per_step_in_process_ms': round((inProcessMs - scriptMs) / STEPS),
    'workflow.overhead_per_step_over_spawn_floor_ms': round((inProcessMs - spawnMs) / STEPS),
    'workflow.overhead_per_step_target_ms': 15,
  };
}
