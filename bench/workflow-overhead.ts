/**
 * Workflow overhead: a 200-step workflow of `true` commands, against a shell script running the same 200
 * commands, measured in the same run. Reported per step: `prodigy run` end to end (CLI start included,
 * spread over the steps), the executor in process, and the two floors: the plain script (`true` is a
 * shell builtin: the cost of nothing) and one `sh -c true` per step (the process a step needs anyway).
 * Target: < 15 ms of overhead per step, the checkpoint write included.
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
