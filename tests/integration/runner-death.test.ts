/**
 * A runner killed with SIGKILL (no exit hook runs) takes its agents' and steps' process groups with it
 * (src/exec/group-watchdog.ts), so no item or step finishes unrecorded after its death and the resume
 * does each exactly once. Real runs of the built `prodigy`, a real SIGKILL to the runner alone.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { JobState } from '../../src/mapreduce/job-types.js';
import { groupAlive } from '../../src/exec/process.js';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { CHILD_PGID_KEY } from '../../src/workflow/executor.js';
import { replayJobJournal } from '../../src/storage/job-journal.js';
import { tracked } from '../helpers/children.js';
import { prodigy, prodigyBin } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { waitForExit } from '../helpers/processes.js';
import { lines, onlySession, until, workspace } from './workflow-helpers.js';

/** Each agent notes its start, waits for `go` (never there while the runner lives), then notes its end. */
const MAP = `name: die-together
mode: mapreduce
map:
  input: items.json
  json_path: "$[*]"
  max_parallel: 3
  agent_template:
    - shell: "echo \${item.n:sh} >> started; while [ ! -f go ]; do sleep 0.05; done; echo \${item.n:sh} >> done"
`;

const SEQ = `name: die-together-seq
commands:
  - shell: "echo one >> done"
  - shell: "echo two >> started; while [ ! -f go ]; do sleep 0.05; done; echo two >> done"
  - shell: "echo three >> done"
`;

function runner(ws: { dir: string; file: string }, home: string) {
  return tracked(spawn(process.execPath, [prodigyBin, 'run', ws.file, '--no-worktree'], { cwd: ws.dir, env: { ...process.env, PRODIGY_HOME: home, NO_COLOR: '1' }, stdio: 'ignore' }), { group: false });
}

function jobOf(home: string): JobState {
  const jobId = onlySession(home).mapreduce_data!.job_id;
  const repo = fs.readdirSync(path.join(home, 'state')).find((r) => fs.existsSync(path.join(home, 'state', r, 'mapreduce', 'jobs', jobId)))!;
  const dir = path.join(home, 'state', repo, 'mapreduce', 'jobs', jobId);
  const journal = path.join(dir, 'job.journal.jsonl');
  const snapshot = JSON.parse(fs.readFileSync(path.join(dir, 'job.json'), 'utf8')) as JobState & Record<string, unknown>;
  return replayJobJournal(snapshot, fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8') : '').job as JobState;
}

const tally = (file: string) => lines(file).reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());

describe('SIGKILL of the runner', () => {
  it('MapReduce: the in-flight agents die with it, nothing completes after, the resume does each item once', async () => {
    const home = tempHome();
    const ws = workspace(MAP);
    fs.writeFileSync(path.join(ws.dir, 'items.json'), JSON.stringify(Array.from({ length: 6 }, (_, n) => ({ n }))));
    const child = runner(ws, home);
    await until(() => lines(path.join(ws.dir, 'started')).length === 3, 30_000, 'three agents to start');
    await until(() => fs.existsSync(path.join(home, 'state')) && jobOf(home).items.filter((i) => i.status === 'running' && i.pgid).length === 3, 30_000, 'the job file to name their groups');
    const groups = jobOf(home).items.flatMap((i) => (i.status === 'running' && i.pgid ? [i.pgid] : []));
    child.kill('SIGKILL');
    await waitForExit(child);
    // Nobody stops them but the watchdog: without it they would wait for `go` for ever.
    await until(() => groups.every((g) => !groupAlive(g)), 30_000, "the agents' groups to end");
    fs.writeFileSync(path.join(ws.dir, 'go'), '');
    expect(fs.existsSync(path.join(ws.dir, 'done'))).toBe(false);

    const r = prodigy(['resume', onlySession(home).id, '-y'], { home, cwd: ws.dir });
    expect(r.code, r.stderr).toBe(0);
    const done = tally(path.join(ws.dir, 'done'));
    expect([...done.keys()].sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    expect([...done.values()].every((c) => c === 1)).toBe(true);
    // The rule for work in flight: the three killed agents started again, the others once.
    expect([...tally(path.join(ws.dir, 'started')).values()].sort()).toEqual([1, 1, 1, 2, 2, 2]);
    expect(onlySession(home).status).toBe('Completed');
  }, 120_000);

  it('sequential: the running step dies with it and is done once, by the resume', async () => {
    const home = tempHome();
    const ws = workspace(SEQ);
    const child = runner(ws, home);
    await until(() => lines(path.join(ws.dir, 'started')).length === 1, 30_000, 'step two to start');
    const manager = new UnifiedSessionManager(home);
    let pgid = 0;
    await vi.waitFor(
      async () => {
        const v = (await manager.load(onlySession(home).id)).metadata[CHILD_PGID_KEY];
        pgid = typeof v === 'number' ? v : 0;
        expect(pgid, 'the step to record its group').toBeGreaterThan(0);
      },
      { timeout: 30_000, interval: 50 },
    );
    child.kill('SIGKILL');
    await waitForExit(child);
    // The step's loop would run for ever; with its runner gone it is killed, so `done` never gets "two".
    await until(() => !groupAlive(pgid), 30_000, "the step's group to end");
    fs.writeFileSync(path.join(ws.dir, 'go'), '');
    expect(lines(path.join(ws.dir, 'done'))).toEqual(['one']);
    const r = prodigy(['resume', onlySession(home).id, '-y'], { home, cwd: ws.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(lines(path.join(ws.dir, 'done'))).toEqual(['one', 'two', 'three']);
  }, 120_000);

  it('MapReduce: an item that finished just before the SIGKILL, before the runner heard of it, is not run again', async () => {
    const home = tempHome();
    const ws = workspace(MAP);
    fs.writeFileSync(path.join(ws.dir, 'items.json'), JSON.stringify(Array.from({ length: 6 }, (_, n) => ({ n }))));
    const child = runner(ws, home);
    await until(() => lines(path.join(ws.dir, 'started')).length === 3, 30_000, 'three agents to start');
    // The runner is stopped (it reads nothing), the three commands finish, their slot hosts record it;
    // then the runner dies without having recorded anything.
    child.kill('SIGSTOP');
    fs.writeFileSync(path.join(ws.dir, 'go'), '');
    await until(() => lines(path.join(ws.dir, 'done')).length === 3, 30_000, 'the three commands to finish');
    const completions = () => {
      const dir = path.dirname(path.dirname(jobOfPath(home)));
      const f = path.join(dir, onlySession(home).mapreduce_data!.job_id, 'completions.log');
      return lines(f);
    };
    await until(() => completions().length === 3, 30_000, 'the slot hosts to record the three completions');
    child.kill('SIGKILL');
    await waitForExit(child);
    expect(jobOf(home).items.filter((i) => i.status === 'completed')).toEqual([]);

    const r = prodigy(['resume', onlySession(home).id, '-y'], { home, cwd: ws.dir });
    expect(r.code, r.stderr).toBe(0);
    const done = tally(path.join(ws.dir, 'done'));
    expect([...done.keys()].sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    expect([...done.values()].every((c) => c === 1), JSON.stringify([...done])).toBe(true);
    // Replayed, not run: the three that finished were never started again.
    expect([...tally(path.join(ws.dir, 'started')).values()].every((c) => c === 1)).toBe(true);
    const job = jobOf(home);
    expect(job.items.every((i) => i.status === 'completed')).toBe(true);
    expect(onlySession(home).status).toBe('Completed');
  }, 120_000);
});

describe('SIGKILL of the runner just after a step finished', () => {
  it('sequential: the step that finished before the runner heard of it is not run again; its output still reaches later steps', async () => {
    const home = tempHome();
    const ws = workspace(`name: gap-seq
commands:
  - shell: "echo one >> done"
  - shell: "while [ ! -f go ]; do sleep 0.05; done; echo two >> done; echo out-of-two"
    capture_output: two_out
  - shell: "echo three \${two_out} >> done"
`);
    const child = runner(ws, home);
    await until(() => lines(path.join(ws.dir, 'done')).length === 1, 30_000, 'step one to finish');
    // Step two is waiting: stop the runner, let the step finish (it records itself), then kill the runner.
    const manager = new UnifiedSessionManager(home);
    await vi.waitFor(async () => expect((await manager.load(onlySession(home).id)).metadata[CHILD_PGID_KEY]).toBeGreaterThan(0), { timeout: 30_000, interval: 50 });
    child.kill('SIGSTOP');
    fs.writeFileSync(path.join(ws.dir, 'go'), '');
    const records = path.join(home, 'logs', `${onlySession(home).id}.steps`, 'completions.log');
    await until(() => lines(records).length === 2, 30_000, 'step two to record its completion (after step one)');
    child.kill('SIGKILL');
    await waitForExit(child);
    expect(lines(path.join(ws.dir, 'done'))).toEqual(['one', 'two']);
    const r = prodigy(['resume', onlySession(home).id, '-y'], { home, cwd: ws.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(lines(path.join(ws.dir, 'done'))).toEqual(['one', 'two', 'three out-of-two']);
  }, 120_000);
});

function jobOfPath(home: string): string {
  const jobId = onlySession(home).mapreduce_data!.job_id;
  const repo = fs.readdirSync(path.join(home, 'state')).find((r) => fs.existsSync(path.join(home, 'state', r, 'mapreduce', 'jobs', jobId)))!;
  return path.join(home, 'state', repo, 'mapreduce', 'jobs', jobId, 'job.json');
}
