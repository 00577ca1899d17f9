/**
 * Issue 6 end to end, in a real terminal (tmux) with the built binaries and a temp PRODIGY_HOME:
 * `prodigy run` shows its run live and Ctrl+C pauses it (exit 130); `prodigy tui` then offers it in a
 * banner and `r` + `y` resumes it to Completed, with no completed step or item run twice; `q` quits and
 * restores the terminal. The same for a MapReduce job. And `npm start` shows live work within 10 s.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobState } from '../../src/mapreduce/job-types.js';
import { readJobState } from '../../src/mapreduce/job-store.js';
import { prodigyBin } from '../helpers/cli.js';
import { repoRoot, tempHome } from '../helpers/home.js';
import { lines, onlySession, until, workspace } from '../integration/workflow-helpers.js';
import { gitEnv, gitIn, makeRepo } from '../helpers/git-repo.js';
import { Tmux } from './tmux.js';

function childEnv(home: string): NodeJS.ProcessEnv {
  // Under CI=true Ink prints only the last frame: the child must not see CI at all.
  const { CI: _ci, CONTINUOUS_INTEGRATION: _c2, NO_COLOR: _nc, FORCE_COLOR: _fc, ...rest } = process.env;
  return { ...rest, PRODIGY_HOME: home, TERM: 'xterm-256color', PS1: '$ ' };
}

const term = new Tmux();
const groups: number[] = [];
afterEach(() => {
  term.kill();
  for (const g of groups.splice(0)) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

const prodigy = `${process.execPath} ${prodigyBin}`;

/** Types a command line into the pane's shell. */
function type(line: string): void {
  term.keys('-l', line);
  term.keys('Enter');
}

const FIVE_STEPS = `name: e2e-five
commands:
  - shell: echo 1 >> markers
  - shell: echo 2 >> markers
  - shell: 'echo step three starts; sleep 3; echo 3 >> markers'
  - shell: echo 4 >> markers
  - shell: echo 5 >> markers
`;

/** A 16-item MapReduce job (2 agents) stopped by a real SIGINT after a few items; which items were done. */
async function interruptedJob(home: string) {
  const items = Array.from({ length: 16 }, (_, i) => ({ n: i }));
  const ws = workspace(`name: e2e-fan
mode: mapreduce
map:
  input: items.json
  json_path: "$[*]"
  max_parallel: 2
  agent_template:
    - shell: 'sleep 0.4; echo \${item.n} >> done'
reduce:
  - shell: 'echo "reduced \${map.successful}/\${map.total}" >> reduced'
`);
  fs.writeFileSync(path.join(ws.dir, 'items.json'), JSON.stringify(items));
  const run = spawn(process.execPath, [prodigyBin, 'run', 'wf.yml', '--no-tui'], { cwd: ws.dir, env: childEnv(home), detached: true, stdio: 'ignore' });
  groups.push(run.pid!);
  // Four items completed as the runner records it (job.json + journal): an item that printed its line but
  // was cut short before its exit was seen goes back to pending, so the done file alone is not enough.
  const jobFileOf = () => {
    const s = onlySession(home);
    return path.join(home, 'state', String(s.metadata.repo_name), 'mapreduce', 'jobs', s.mapreduce_data!.job_id, 'job.json');
  };
  const completed = async () => ((await readJobState(jobFileOf()).catch(() => null))?.items ?? []).filter((i) => i.status === 'completed');
  await vi.waitFor(async () => expect((await completed()).length).toBeGreaterThanOrEqual(4), { timeout: 15_000, interval: 25 });
  process.kill(run.pid!, 'SIGINT');
  expect(await new Promise((r) => run.once('exit', r))).toBe(130);
  const session = onlySession(home);
  expect(session.status).toBe('Paused');
  const jobId = session.mapreduce_data!.job_id;
  const completedBefore = (await completed()).map((i) => String((i.item as { n: number }).n));
  expect(completedBefore.length).toBeGreaterThanOrEqual(4);
  return { ws, jobId, completedBefore };
}

/** Every item done, those done before the interrupt exactly once, reduce once. */
function expectJobFinished(dir: string, completedBefore: string[]) {
  const done = lines(path.join(dir, 'done'));
  for (const n of completedBefore) expect(done.filter((d) => d === n)).toHaveLength(1);
  expect(new Set(done).size).toBe(16);
  expect(lines(path.join(dir, 'reduced'))).toEqual(['reduced 16/16']);
}

describe('interrupt and resume through the terminal UI', () => {
  it('prodigy run shows the run live; Ctrl+C pauses it (130); prodigy tui offers it, r + y resumes it to Completed', async () => {
    const home = tempHome();
    const ws = workspace(FIVE_STEPS);
    term.start('bash --norc --noprofile -i', childEnv(home), { columns: 110, rows: 30 });
    type(`cd ${ws.dir}`);
    type(`${prodigy} run wf.yml; echo "RUN-EXIT=$?"`);

    await term.waitFor((s) => s.includes('running step 3/5') && s.includes('Steps'), 'the live view at step 3');
    expect(term.flag('alternate_on')).toBe('1');
    term.keys('C-c');
    let screen = await term.waitFor((s) => s.includes('RUN-EXIT=130'), 'the run to stop with 130');
    expect(screen).toMatch(/Interrupted\. Resume with: prodigy resume session-/);
    expect(term.flag('alternate_on')).toBe('0');
    const id = onlySession(home).id;
    expect(onlySession(home).status).toBe('Paused');
    expect(lines(path.join(ws.dir, 'markers'))).toEqual(['1', '2']);

    type(`${prodigy} tui; echo "TUI-EXIT=$?"`);
    await term.waitFor((s) => /Interrupted .*: e2e-five at step 3\/5 \(Paused, [0-9a-f]{7,}\) — r to resume/.test(s), 'the resume banner');
    term.keys('r');
    await term.waitFor((s) => s.includes('Resume e2e-five') && s.includes('from step 3/5?'), 'the confirmation');
    term.keys('y');
    screen = await term.waitFor((s) => /Completed/.test(s) && s.includes('5/5'), 'the resumed run to complete on screen');
    expect(screen).toContain(id);
    await until(() => onlySession(home).status === 'Completed', 15_000, 'Completed on disk');
    // Steps 1-2 did not run again; 3-5 ran once.
    expect(lines(path.join(ws.dir, 'markers'))).toEqual(['1', '2', '3', '4', '5']);

    // Completed on disk comes just before the resume process exits: q before that would rightly ask.
    await term.waitFor((s) => / finished\b/.test(s), 'the dashboard to hear the resume process end');
    term.keys('q');
    await term.waitFor((s) => s.includes('TUI-EXIT=0'), 'the dashboard to quit');
    expect(term.flag('alternate_on')).toBe('0');
    expect(term.flag('cursor_flag')).toBe('1');
  });

  it('a MapReduce job interrupted mid-map is resumed from the dashboard with no completed item run again', async () => {
    const home = tempHome();
    const { ws, completedBefore } = await interruptedJob(home);

    term.start(`cd ${ws.dir} && ${prodigy} tui; echo "TUI-EXIT=$?"; sleep 600`, childEnv(home), { columns: 110, rows: 30 });
    await term.waitFor((s) => /Interrupted .*: e2e-fan at \d+\/16 items/.test(s), 'the MapReduce resume banner');
    term.keys('r');
    await term.waitFor((s) => s.includes('Resume e2e-fan'), 'the confirmation');
    term.keys('Enter');
    await term.waitFor((s) => /Completed|done/.test(s) && s.includes('16/16'), 'the job to finish on screen');
    await until(() => onlySession(home).status === 'Completed', 20_000, 'Completed on disk');

    expectJobFinished(ws.dir, completedBefore);
    // The job is done before its process has exited: q before that would rightly ask about a live run.
    await term.waitFor((s) => / finished\b/.test(s), 'the dashboard to hear the resume process end');
    term.keys('q');
    await term.waitFor((s) => s.includes('TUI-EXIT=0'), 'the dashboard to quit');
    expect(term.flag('alternate_on')).toBe('0');
  });
});

describe('prodigy run --no-tui on a terminal', () => {
  it('prints plain step lines and never enters the alternate screen', async () => {
    const home = tempHome();
    const ws = workspace('name: plain\ncommands:\n  - shell: echo a\n  - shell: sleep 1\n');
    term.start(`cd ${ws.dir} && ${prodigy} run wf.yml --no-tui; echo "RUN-EXIT=$?"; sleep 600`, childEnv(home), { columns: 100, rows: 20 });
    await term.waitFor((s) => /▸ \[2\/2\] shell: sleep 1/.test(s), 'the running step line');
    expect(term.flag('alternate_on')).toBe('0');
    const screen = await term.waitFor((s) => s.includes('RUN-EXIT=0'), 'the run to finish');
    expect(screen).toMatch(/✓ \[1\/2\] shell: echo a/);
    expect(screen).toMatch(/Completed in .*Session session-/);
  });
});

describe('prodigy resume on a terminal', () => {
  it('asks, then shows the resumed run live and leaves its plain lines behind', async () => {
    const home = tempHome();
    const ws = workspace(`name: again
commands:
  - shell: echo 1 >> markers
  - shell: '[ -f stopped ] || { touch stopped; kill -INT $PPID; sleep 5; }; sleep 2; echo 2 >> markers'
`);
    const first = spawn(process.execPath, [prodigyBin, 'run', 'wf.yml', '--no-tui'], { cwd: ws.dir, env: childEnv(home), stdio: 'ignore' });
    expect(await new Promise((r) => first.once('exit', r))).toBe(130);
    term.start(`cd ${ws.dir} && ${prodigy} resume; echo "RESUME-EXIT=$?"; sleep 600`, childEnv(home), { columns: 100, rows: 24 });
    await term.waitFor((s) => /Resume session-\S+ \(again, at step 2\/2\)\? \[y\/N\]/.test(s), 'the question');
    type('y');
    await term.waitFor((s) => s.includes('running step 2/2') && s.includes('Steps'), 'the live view of the resumed run');
    expect(term.flag('alternate_on')).toBe('1');
    const screen = await term.waitFor((s) => s.includes('RESUME-EXIT=0'), 'the resume to finish');
    expect(screen).toMatch(/Completed in .*Session session-/);
    expect(term.flag('alternate_on')).toBe('0');
    expect(lines(path.join(ws.dir, 'markers'))).toEqual(['1', '2']);
  });
});

describe('prodigy resume-job on a terminal', () => {
  it('shows the job live while only the items not completed run, then prints its plain lines', async () => {
    const home = tempHome();
    const { ws, jobId, completedBefore } = await interruptedJob(home);
    term.start(`cd ${ws.dir} && ${prodigy} resume-job ${jobId} -y; echo "JOB-EXIT=$?"; sleep 600`, childEnv(home), { columns: 100, rows: 30 });
    await term.waitFor((s) => s.includes('Agents') && /setup → .*map/.test(s), 'the live MapReduce view');
    expect(term.flag('alternate_on')).toBe('1');
    const screen = await term.waitFor((s) => s.includes('JOB-EXIT=0'), 'the job to finish');
    expect(screen).toMatch(/Completed in .*16 successful, 0 failed, 16 total/);
    expect(term.flag('alternate_on')).toBe('0');
    expectJobFinished(ws.dir, completedBefore);
  });
});

describe('npm start', () => {
  it('starts the demo runs and shows live work on screen within 10 s, then quits on q', async () => {
    const home = tempHome('prodigy-demo-');
    term.start(`cd ${repoRoot} && npm start; echo "START-EXIT=$?"; sleep 600`, { ...childEnv(home), PRODIGY_DEMO_HOME: home }, { columns: 110, rows: 30 });
    const screen = await term.waitFor((s) => /● Running +workflow +demo/.test(s) && /mapreduce +mapreduce-demo/.test(s), 'both demo runs live on screen', 10_000);
    expect(screen).toContain('prodigy');
    term.keys('q');
    const after = await term.waitFor((s) => s.includes('START-EXIT=0'), 'the demo to quit');
    // The demo leaves its runs going; stop them (their pids are in its closing lines).
    for (const m of after.matchAll(/\(pid (\d+)\)/g)) groups.push(Number(m[1]));
  });
});

describe('prodigy run in a git repository on a terminal', () => {
  it('shows the run live in its worktree, then asks before merging; Enter merges into the user branch', async () => {
    const home = tempHome();
    const repo = makeRepo({ 'notes.txt': 'hello\n' });
    const wf = path.join(tempHome('prodigy-wf-'), 'wf.yml');
    fs.writeFileSync(wf, `name: e2e-merge\ncommands:\n  - shell: "sleep 1; echo changed > notes.txt && git commit -qam 'change notes'"\n  - shell: "sleep 1; echo done"\n`);
    fs.writeFileSync(path.join(repo, 'scratch.txt'), 'untracked\n');
    term.start(`cd ${repo} && ${prodigy} run ${wf}; echo "RUN-EXIT=$?"; sleep 600`, { ...childEnv(home), ...gitEnv }, { columns: 110, rows: 30 });
    // The live view closes at the end; the question comes after it, and waits for an answer.
    await term.waitFor((s) => /Merge 1 commit\(s\) from prodigy-session-\S+ into main\? \[Y\/n\]/.test(s), 'the merge question', 30_000);
    expect(fs.readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('hello\n');
    term.keys('Enter');
    const screen = await term.waitFor((s) => s.includes('RUN-EXIT=0'), 'the run to end');
    expect(screen).toMatch(/Merged 1 commit\(s\) from prodigy-session-/);
    expect(fs.readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('changed\n');
    expect(gitIn(repo, ['log', '--format=%s', '-1'])).toBe('change notes');
  });
});
