/**
 * Acceptance for MapReduce jobs, with real processes and real signals: a 40-item job at max_parallel 4
 * with 4 failing items is interrupted mid-map (SIGINT, then SIGKILL) and finished by `resume-job`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DlqItem, JobEvent, JobState } from '../../src/mapreduce/job-types.js';
import { replayJobJournal } from '../../src/storage/job-journal.js';
import { tracked } from '../helpers/children.js';
import { prodigy, prodigyBin, withoutUntrustedWarnings } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { waitForExit } from '../helpers/processes.js';
import { lines, onlySession, until, workspace } from './workflow-helpers.js';

const FAILING = new Set([5, 17, 26, 38]);

/** Setup writes 40 items; each agent logs its run, sleeps, and fails for the 4 marked items. */
function jobYaml(sleep: number, extraPolicy = '', setupSleep = 0): string {
  return `name: acceptance
mode: mapreduce
env:
  WORKERS: 4
setup:
  - shell: "echo setup >> setup.log && sleep ${setupSleep} && cp items.src items.json"
map:
  input: items.json
  json_path: "$.items[*]"
  max_parallel: \${WORKERS}
  agent_template:
    - shell: "echo run \${item.n} \${item.meta.label} >> ran.log; sleep ${sleep}; test \${item.fail} = false || test -f fixed"
reduce:
  - shell: "echo reduce \${map.successful} \${map.failed} \${map.total} >> reduce.log"
error_policy:
  on_item_failure: dlq
${extraPolicy}`;
}

function setupWorkspace(sleep = 0.3, extraPolicy = '', setupSleep = 0) {
  const ws = workspace(jobYaml(sleep, extraPolicy, setupSleep));
  const items = Array.from({ length: 40 }, (_, n) => ({ n, fail: FAILING.has(n), meta: { label: `L${n}` } }));
  fs.writeFileSync(path.join(ws.dir, 'items.src'), JSON.stringify({ items }));
  return { ...ws, home: tempHome() };
}

function start(ws: { dir: string; file: string; home: string }): { child: ChildProcess; out: () => string } {
  const child = tracked(
    spawn(process.execPath, [prodigyBin, 'run', ws.file], {
      cwd: ws.dir,
      env: { ...process.env, PRODIGY_HOME: ws.home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    { group: false },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out };
}

function jobIdOf(home: string): string {
  return onlySession(home).mapreduce_data!.job_id;
}

function jobFiles(home: string, jobId: string) {
  const repoDir = fs.readdirSync(path.join(home, 'state')).find((r) => fs.existsSync(path.join(home, 'state', r, 'mapreduce', 'jobs', jobId)))!;
  const dir = path.join(home, 'state', repoDir, 'mapreduce', 'jobs', jobId);
  // As every reader sees the job: job.json, then its journal's lines over it.
  const journal = path.join(dir, 'job.journal.jsonl');
  const snapshot = JSON.parse(fs.readFileSync(path.join(dir, 'job.json'), 'utf8')) as JobState & Record<string, unknown>;
  const job = replayJobJournal(snapshot, fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8') : '').job as JobState;
  return { repo: repoDir, job };
}

function events(home: string, jobId: string): JobEvent[] {
  const r = prodigy(['events', jobId, '--json'], { home });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as JobEvent[];
}

/** How many times each item's agent ran, from the agents' own log. */
function runCounts(dir: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const l of lines(path.join(dir, 'ran.log'))) {
    const n = Number(l.split(' ')[1]);
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

async function interruptMidMap(signal: NodeJS.Signals) {
  const ws = setupWorkspace();
  const { child, out } = start(ws);
  await until(() => lines(path.join(ws.dir, 'ran.log')).length >= 10, 20_000, 'ten agents to start');
  child.kill(signal);
  const code = await waitForExit(child);
  const jobId = jobIdOf(ws.home);
  const ranBefore = runCounts(ws.dir);
  return { ws, code, out: out(), jobId, ranBefore };
}

function expectFinished(ws: { dir: string; home: string }, jobId: string, maxRerun: number) {
  const counts = runCounts(ws.dir);
  expect([...counts.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, n) => n));
  const twice = [...counts.entries()].filter(([, c]) => c > 1);
  expect(twice.every(([, c]) => c === 2)).toBe(true);
  expect(twice.length).toBeLessThanOrEqual(maxRerun);
  expect(lines(path.join(ws.dir, 'setup.log'))).toEqual(['setup']);
  expect(lines(path.join(ws.dir, 'reduce.log'))).toEqual(['reduce 36 4 40']);

  const dlq = prodigy(['dlq', 'list', jobId, '--json'], { home: ws.home });
  const dead = JSON.parse(dlq.stdout) as DlqItem[];
  expect(dead.map((d) => (d.item as { n: number }).n).sort((a, b) => a - b)).toEqual([...FAILING].sort((a, b) => a - b));
  expect(dead.every((d) => d.attempts === 1 && /exited with code 1/.test(d.error))).toBe(true);

  const { job } = jobFiles(ws.home, jobId);
  expect(job.phase).toBe('Complete');
  expect(job.items.filter((i) => i.status === 'completed')).toHaveLength(36);
  expect(job.items.filter((i) => i.status === 'dead').map((i) => i.index)).toEqual([...FAILING].sort((a, b) => a - b));
  expect(job.items.filter((i) => i.status === 'completed').every((i) => (i.result as { item_id: string }).item_id === i.id)).toBe(true);

  const s = onlySession(ws.home);
  expect(s.status).toBe('Completed');
  expect(s.mapreduce_data).toMatchObject({ phase: 'Complete', total_items: 40, processed_items: 40, failed_items: 4, agent_count: 0 });

  const ev = events(ws.home, jobId);
  for (let n = 0; n < 40; n++) {
    const mine = ev.filter((e) => e.item_id === `item-${n}`);
    expect(mine.some((e) => e.type === 'AgentStarted')).toBe(true);
    expect(mine.some((e) => e.type === (FAILING.has(n) ? 'ItemDeadLettered' : 'AgentCompleted'))).toBe(true);
  }
  expect(ev.filter((e) => e.type === 'JobCompleted')).toHaveLength(1);
  return ev;
}

describe('MapReduce job: interrupt and resume-job (real processes)', () => {
  it('SIGINT mid-map: agents stopped, items back to pending, Paused, exit 130; resume-job finishes it', async () => {
    const { ws, code, out, jobId } = await interruptMidMap('SIGINT');
    expect(code).toBe(130);
    expect(withoutUntrustedWarnings(out)).toMatch(/^Session session-[0-9a-f-]+\nJob mapreduce-\S+\nRunning in place: \S+ is not in a git repository\nPhase Setup: 1 command\(s\)\nPhase Map: 40 items, 4 at a time\n/);
    expect(out).toContain(`Resume with: prodigy resume-job ${jobId}`);
    const paused = onlySession(ws.home);
    expect(paused.status).toBe('Paused');
    expect(paused.mapreduce_data!.phase).toBe('Map');
    const { job } = jobFiles(ws.home, jobId);
    expect(job.items.filter((i) => i.status === 'running')).toEqual([]);
    expect(job.items.some((i) => i.status === 'pending')).toBe(true);
    // Every agent that started before the interrupt has an end line (completed, failed or interrupted).
    const before = events(ws.home, jobId);
    const ends = before.filter((e) => e.type === 'AgentCompleted' || e.type === 'AgentFailed' || e.type === 'AgentInterrupted').length;
    expect(before.filter((e) => e.type === 'AgentStarted').length).toBe(ends);
    // An interruption is logged as one, never as a failure.
    expect(before.some((e) => e.type === 'AgentInterrupted')).toBe(true);
    expect(before.filter((e) => e.type === 'AgentFailed' && /interrupt/.test(e.message ?? ''))).toEqual([]);
    expect(before.at(-1)!.type).toBe('JobInterrupted');
    // No agent is left running: the agents' log stops growing once the runner has exited.
    const ranAtExit = lines(path.join(ws.dir, 'ran.log')).length;
    await new Promise((r) => setTimeout(r, 500));
    expect(lines(path.join(ws.dir, 'ran.log')).length).toBe(ranAtExit);

    const resumed = prodigy(['resume-job', jobId, '-y'], { home: ws.home, cwd: ws.dir });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('Completed in');
    expect(resumed.stdout).toContain('36 successful, 4 failed, 40 total');
    const ev = expectFinished(ws, jobId, 4);
    expect(ev.filter((e) => e.type === 'AgentStarted').length).toBe(ev.filter((e) => e.type === 'AgentCompleted' || e.type === 'AgentFailed' || e.type === 'AgentInterrupted').length);
    expect(ev.filter((e) => e.type === 'JobResumed')).toHaveLength(1);
  });

  it('SIGKILL mid-map: the job is resumable the same way and loses no completed item', async () => {
    const { ws, code, jobId, ranBefore } = await interruptMidMap('SIGKILL');
    expect(code).toBeNull();
    const crashed = prodigy(['sessions', 'list', '--json'], { home: ws.home });
    expect(JSON.parse(crashed.stdout)[0].status).toBe('Running');
    // Give orphaned agents (their own process groups survive the runner) time to finish their one item.
    await new Promise((r) => setTimeout(r, 600));
    const completedBefore = events(ws.home, jobId).filter((e) => e.type === 'AgentCompleted').map((e) => e.item_id);
    expect(completedBefore.length).toBeGreaterThan(0);

    const resumed = prodigy(['resume-job', jobId, '-y'], { home: ws.home, cwd: ws.dir });
    expect(resumed.code).toBe(0);
    expectFinished(ws, jobId, 4);
    // Items whose completion was logged before the kill never ran again.
    const after = runCounts(ws.dir);
    for (const id of completedBefore) expect(after.get(Number(id!.slice(5)))).toBe(ranBefore.get(Number(id!.slice(5))));
  });

  it('prodigy resume <job-id> resumes a crashed MapReduce session the same way', async () => {
    const { ws, jobId } = await interruptMidMap('SIGKILL');
    const resumed = prodigy(['resume', jobId, '-y'], { home: ws.home, cwd: ws.dir });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^Resuming session-\S+\nJob mapreduce-\S+\nPhase Map: \d+ of 40 items to run, 4 at a time\n/);
    expectFinished(ws, jobId, 4);
  });

  it("agents' output: live in job.json while a command runs, captured (stdout only) and kept as the item's tail", async () => {
    const ws = { ...workspace(`name: output
mode: mapreduce
map:
  input: "echo '[1, 2]'"
  max_parallel: 2
  agent_template:
    - shell: "echo 'working on' \${item}; echo \\"warn \$((\${item} * 10))\\" >&2; while [ ! -f go ]; do sleep 0.02; done; echo \\"done \${item}\\""
      capture_output: said
    - shell: "printf '%s|\\n' '\${said}' >> said.log"
`), home: tempHome() };
    const { child } = start(ws);
    await until(() => fs.existsSync(path.join(ws.home, 'state')) && jobFiles(ws.home, jobIdOf(ws.home)).job.items.length === 2, 20_000, 'the job to load its items');
    const jobId = jobIdOf(ws.home);
    const live = () => jobFiles(ws.home, jobId).job.items.map((i) => i.output_tail);
    await until(() => JSON.stringify(live()) === JSON.stringify([['working on 1', 'warn 10'], ['working on 2', 'warn 20']]), 20_000, 'the live tails');
    fs.writeFileSync(path.join(ws.dir, 'go'), '');
    expect(await waitForExit(child)).toBe(0);
    const { job } = jobFiles(ws.home, jobId);
    expect(job.items.map((i) => [i.status, i.output_tail])).toEqual([
      ['completed', ['working on 1', 'done 1', 'warn 10']],
      ['completed', ['working on 2', 'done 2', 'warn 20']],
    ]);
    // The captured variable is stdout only, its newline intact through the next command's quoting.
    expect(lines(path.join(ws.dir, 'said.log')).sort()).toEqual(['done 1|', 'done 2|', 'working on 1', 'working on 2']);
    expect(job.items.every((i) => i.pgid === null)).toBe(true);
  });

  it('interrupted during setup: setup runs again on resume (it had not completed), then the whole job', async () => {
    const ws = setupWorkspace(0, '', 30);
    const { child } = start(ws);
    await until(() => lines(path.join(ws.dir, 'setup.log')).length === 1, 20_000, 'setup to start');
    child.kill('SIGINT');
    expect(await waitForExit(child)).toBe(130);
    const jobId = jobIdOf(ws.home);
    expect(jobFiles(ws.home, jobId).job).toMatchObject({ phase: 'Setup', setup_completed: false, items: [] });
    expect(onlySession(ws.home).status).toBe('Paused');
    fs.writeFileSync(ws.file, jobYaml(0, '', 0));
    const resumed = prodigy(['resume-job', jobId, '-y'], { home: ws.home, cwd: ws.dir });
    expect(resumed.code).toBe(0);
    expect(lines(path.join(ws.dir, 'setup.log'))).toEqual(['setup', 'setup']);
    expect(lines(path.join(ws.dir, 'reduce.log'))).toEqual(['reduce 36 4 40']);
  });

  it('resume-job --max-retries N gives the items it runs N extra attempts', async () => {
    const { ws, jobId } = await interruptMidMap('SIGINT');
    const pendingFailing = jobFiles(ws.home, jobId).job.items.filter((i) => i.status === 'pending' && FAILING.has(i.index)).map((i) => i.index);
    expect(pendingFailing.length).toBeGreaterThan(0);
    const resumed = prodigy(['resume-job', jobId, '-y', '--max-retries', '2'], { home: ws.home, cwd: ws.dir });
    expect(resumed.code).toBe(0);
    const dead = JSON.parse(prodigy(['dlq', 'list', jobId, '--json'], { home: ws.home }).stdout) as DlqItem[];
    for (const n of pendingFailing) expect(dead.find((d) => d.item_id === `item-${n}`)!.attempts).toBe(3);
    expect(prodigy(['resume-job', jobId, '--max-retries', 'many'], { home: ws.home }).stderr).toBe('prodigy: --max-retries must be a whole number, not "many"\n');
  });

  it('events --follow streams a live job and ends when it completes', async () => {
    const ws = setupWorkspace(0.05);
    const { child } = start(ws);
    await until(() => lines(path.join(ws.dir, 'ran.log')).length >= 1, 20_000, 'the first agent');
    const jobId = jobIdOf(ws.home);
    const follower = tracked(spawn(process.execPath, [prodigyBin, 'events', jobId, '--follow', '--json'], { env: { ...process.env, PRODIGY_HOME: ws.home } }), { group: false });
    let out = '';
    follower.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    expect(await waitForExit(follower)).toBe(0);
    expect(await waitForExit(child)).toBe(0);
    const seen = out.trim().split('\n').map((l) => JSON.parse(l) as JobEvent);
    expect(seen[0]!.type).toBe('JobStarted');
    expect(seen.at(-1)!.type).toBe('JobCompleted');
    expect(seen.filter((e) => e.type === 'AgentStarted')).toHaveLength(40);
    expect(prodigy(['resume-job', jobId, '--path', '/nonexistent-dir'], { home: ws.home }).stderr).toBe('prodigy: --path /nonexistent-dir: no such directory\n');
  });

  it('dlq retry re-runs only the dead items through the pool, updating the same job and session; reduce stays run once', async () => {
    const ws = setupWorkspace(0.05);
    const first = prodigy(['run', ws.file], { home: ws.home, cwd: ws.dir });
    expect(first.code).toBe(0);
    const jobId = jobIdOf(ws.home);
    expect(first.stdout).toContain(`Failed items are in the dead-letter queue: prodigy dlq list ${jobId}`);
    fs.writeFileSync(path.join(ws.dir, 'fixed'), '');
    const retry = prodigy(['dlq', 'retry', jobId], { home: ws.home, cwd: ws.dir });
    expect(retry.stderr).toBe('');
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('40 successful, 0 failed, 40 total');
    const counts = runCounts(ws.dir);
    for (let n = 0; n < 40; n++) expect(counts.get(n)).toBe(FAILING.has(n) ? 2 : 1);
    expect(JSON.parse(prodigy(['dlq', 'list', jobId, '--json'], { home: ws.home }).stdout)).toEqual([]);
    const s = onlySession(ws.home);
    expect(s.status).toBe('Completed');
    expect(s.mapreduce_data).toMatchObject({ processed_items: 40, failed_items: 0 });
    expect(lines(path.join(ws.dir, 'reduce.log'))).toEqual(['reduce 36 4 40']);
    const again = prodigy(['dlq', 'retry', jobId], { home: ws.home, cwd: ws.dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`prodigy: job ${jobId} has no dead items to retry\n`);
  });

  it('retries per item, and stops launching items past max_failures (session Failed)', () => {
    const ws = setupWorkspace(0, '  max_retries: 1\n  max_failures: 1\n');
    const r = prodigy(['run', ws.file], { home: ws.home, cwd: ws.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/prodigy: 2 of 40 items failed: over the error policy's limit/);
    const counts = runCounts(ws.dir);
    // Each failing item that ran was tried twice (one retry); the job stopped before item 38.
    expect(counts.get(5)).toBe(2);
    expect(counts.get(17)).toBe(2);
    expect(counts.has(38)).toBe(false);
    expect(lines(path.join(ws.dir, 'reduce.log'))).toEqual([]);
    expect(onlySession(ws.home).status).toBe('Failed');
  });

  it('a bad map.input fails the job with one line naming it', () => {
    const ws = setupWorkspace();
    fs.writeFileSync(path.join(ws.dir, 'items.src'), 'not json');
    const r = prodigy(['run', ws.file], { home: ws.home, cwd: ws.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^prodigy: map.input ${path.join(ws.dir, 'items.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not JSON`));
    expect(onlySession(ws.home).status).toBe('Failed');
  });
});
