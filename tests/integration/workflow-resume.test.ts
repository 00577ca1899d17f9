/**
 * Interrupt and resume with real processes and real signals: SIGINT to the runner's process group during
 * step 3 of 5, SIGKILL of the runner, a second Ctrl+C, and every refusal of `prodigy resume`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { lines, onlySession, pidAlive, startProdigy, until, workspace } from './workflow-helpers.js';

/** Five steps appending markers; step 3 blocks on its first run only (it counts its starts). */
const FIVE_STEPS = `name: five
commands:
  - shell: "echo step1 >> markers"
  - shell: "echo step2 >> markers"
  - shell: "echo $$ > step3.pgid; echo start >> step3.starts; [ $(wc -l < step3.starts) -ge 2 ] || sleep 60; echo step3 >> markers"
  - shell: "echo step4 >> markers"
  - shell: "echo step5 >> markers"
`;

const ALL_MARKERS = ['step1', 'step2', 'step3', 'step4', 'step5'];

async function startAndReachStep3(home: string, dir: string, file: string) {
  const runner = startProdigy(['run', file, '--path', dir], { home, cwd: dir });
  await until(() => fs.existsSync(path.join(dir, 'step3.starts')), 15_000, 'step 3 to start');
  return runner;
}

function expectResumedToCompletion(home: string, dir: string) {
  const r = prodigy(['resume', '-y'], { home, cwd: dir });
  expect(r.stderr).not.toContain('prodigy:');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('· [1/5]');
  expect(r.stdout).toContain('· [2/5]');
  expect(r.stdout).toContain('✓ [3/5]');
  expect(lines(path.join(dir, 'markers'))).toEqual(ALL_MARKERS);
  expect(lines(path.join(dir, 'step3.starts'))).toHaveLength(2);
  const s = onlySession(home);
  expect(s.status).toBe('Completed');
  expect(s.workflow_data!.completed_steps).toEqual([0, 1, 2, 3, 4]);
  expect(Object.keys(s.timings).sort()).toEqual(['step_0', 'step_1', 'step_2', 'step_3', 'step_4']);
  return s;
}

describe('interrupt and resume', () => {
  it('SIGINT to the process group during step 3 pauses the session; resume runs steps 3-5 once', async () => {
    const home = tempHome();
    const { dir, file } = workspace(FIVE_STEPS);
    const runner = await startAndReachStep3(home, dir, file);
    process.kill(-runner.child.pid!, 'SIGINT');
    const { code } = await runner.exit;
    expect(code).toBe(130);
    const paused = onlySession(home);
    expect(runner.stdout()).toContain(`Interrupted. Resume with: prodigy resume ${paused.id}`);
    expect(paused.status).toBe('Paused');
    expect(paused.workflow_data).toMatchObject({ current_step: 2, completed_steps: [0, 1] });
    expect(paused.checkpoints.length).toBeGreaterThan(0);
    expect(lines(path.join(dir, 'markers'))).toEqual(['step1', 'step2']);
    // The interrupted step's process group was stopped with the runner: it never finishes step 3.
    const pgid = Number(fs.readFileSync(path.join(dir, 'step3.pgid'), 'utf8'));
    await until(() => !pidAlive(pgid), 5000, 'step 3 shell to be stopped');
    expect(fs.existsSync(path.join(home, 'sessions', `${paused.id}.lock`))).toBe(false);

    const done = expectResumedToCompletion(home, dir);
    expect(done.id).toBe(paused.id);
  });

  it('after SIGKILL of the runner the session is resumable; the running step died with its runner', async () => {
    const home = tempHome();
    const { dir, file } = workspace(FIVE_STEPS);
    const runner = await startAndReachStep3(home, dir, file);
    // The step's process group is recorded once the step has run a moment; wait for it before the kill.
    await until(() => typeof onlySession(home).metadata.child_pgid === 'number', 10_000, 'child_pgid');
    runner.child.kill('SIGKILL');
    await runner.exit;
    const crashed = onlySession(home);
    expect(crashed.status).toBe('Running');
    const list = prodigy(['sessions', 'list'], { home });
    expect(list.stdout).toMatch(/! Interrupted/);
    const orphan = Number(fs.readFileSync(path.join(dir, 'step3.pgid'), 'utf8'));
    expect(crashed.metadata.child_pgid).toBe(orphan);
    // No orphan to stop: the runner's watchdog (src/exec/group-watchdog.ts) ended the step's group.
    await until(() => !pidAlive(orphan), 10_000, 'the step to die with its runner');

    expectResumedToCompletion(home, dir);
  });

  it('a second Ctrl+C while stopping exits at once and still leaves a resumable session', async () => {
    const home = tempHome();
    const { dir, file } = workspace(`- shell: "echo one >> markers"
- shell: "trap '' TERM; echo start >> starts; [ $(wc -l < starts) -ge 2 ] || sleep 60; echo two >> markers"
`);
    const runner = startProdigy(['run', file, '--path', dir], { home, cwd: dir });
    await until(() => fs.existsSync(path.join(dir, 'starts')), 15_000, 'step 2 to start');
    process.kill(-runner.child.pid!, 'SIGINT');
    await until(() => runner.stderr().includes('Stopping'), 5000, 'the first interrupt to be seen');
    process.kill(-runner.child.pid!, 'SIGINT');
    const { code } = await runner.exit;
    expect(code).toBe(130);
    expect(runner.stderr()).toContain('Interrupted. Resume with: prodigy resume');
    const r = prodigy(['resume', '-y'], { home, cwd: dir });
    expect(r.code).toBe(0);
    expect(lines(path.join(dir, 'markers'))).toEqual(['one', 'two']);
  });

  it('restores captured variables and outputs across a resume', async () => {
    const home = tempHome();
    const { dir, file } = workspace(`env:
  GREETING: hi
commands:
  - shell: "echo captured-value"
    capture_output: v
  - shell: "echo '{\\"n\\": 7}'"
    capture_output: data
    capture_format: json
  - shell: "echo start >> starts; [ $(wc -l < starts) -ge 2 ] || sleep 60"
  - shell: "echo \${v} \${step_0_output} \${data.n} \${GREETING} >> out"
`);
    const runner = startProdigy(['run', file, '--path', dir], { home, cwd: dir });
    await until(() => fs.existsSync(path.join(dir, 'starts')), 15_000, 'step 3 to start');
    process.kill(-runner.child.pid!, 'SIGINT');
    expect((await runner.exit).code).toBe(130);
    expect(onlySession(home).workflow_data!.variables).toMatchObject({ v: 'captured-value', data: '{"n":7}' });
    const r = prodigy(['resume', onlySession(home).id, '-y'], { home, cwd: dir });
    expect(r.code).toBe(0);
    expect(lines(path.join(dir, 'out'))).toEqual(['captured-value captured-value 7 hi']);
  });
});

describe('a run whose reader goes away', () => {
  it('keeps running to completion when its stdout pipe closes (prodigy run wf | head -1)', async () => {
    const home = tempHome();
    const { dir, file } = workspace('- shell: "echo start > started; sleep 1"\n- shell: "echo two >> markers"\n');
    const runner = startProdigy(['run', file], { home, cwd: dir });
    await until(() => runner.stdout().includes('Session '), 15_000, 'the first line');
    runner.child.stdout!.destroy();
    runner.child.stderr!.destroy();
    await runner.exit;
    await until(() => runner.child.exitCode !== null, 15_000, 'the runner to exit');
    expect(runner.child.exitCode).toBe(0);
    expect(onlySession(home).status).toBe('Completed');
    expect(lines(path.join(dir, 'markers'))).toEqual(['two']);
  });
});

describe('prodigy resume refusals', () => {
  it('refuses an unknown id (exit 2)', () => {
    const r = prodigy(['resume', 'session-nope', '-y'], { home: tempHome() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('prodigy: no session session-nope');
  });

  it('refuses when there is nothing to resume (exit 2)', () => {
    const { dir } = workspace('- shell: "true"\n');
    const r = prodigy(['resume', '-y'], { home: tempHome(), cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`prodigy: nothing to resume: no interrupted session for ${dir}`);
  });

  it('refuses a Completed session, also by id prefix', () => {
    const home = tempHome();
    const { dir, file } = workspace('- shell: "true"\n');
    expect(prodigy(['run', file], { home, cwd: dir }).code).toBe(0);
    const id = onlySession(home).id;
    const r = prodigy(['resume', id.slice(0, 14), '-y'], { home, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`prodigy: ${id} is already Completed: nothing to resume`);
  });

  it('refuses a session another live process is running', async () => {
    const home = tempHome();
    const { dir, file } = workspace('- shell: "echo start > started; sleep 60"\n');
    const runner = startProdigy(['run', file], { home, cwd: dir });
    try {
      await until(() => fs.existsSync(path.join(dir, 'started')), 15_000, 'the step to start');
      const s = onlySession(home);
      const r = prodigy(['resume', s.id, '-y'], { home, cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`prodigy: ${s.id} is already running (process ${runner.child.pid})`);
    } finally {
      process.kill(-runner.child.pid!, 'SIGINT');
      await runner.exit;
    }
  });

  it('refuses when the workflow file changed, unless --force', async () => {
    const home = tempHome();
    const { dir, file } = workspace('- shell: "echo start >> starts; [ $(wc -l < starts) -ge 2 ] || sleep 60"\n- shell: "echo old >> out"\n');
    const runner = startProdigy(['run', file], { home, cwd: dir });
    await until(() => fs.existsSync(path.join(dir, 'starts')), 15_000, 'step 1 to start');
    process.kill(-runner.child.pid!, 'SIGINT');
    expect((await runner.exit).code).toBe(130);
    fs.appendFileSync(file, '- shell: "echo new >> out"\n');
    const refused = prodigy(['resume', '-y'], { home, cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(`prodigy: wf.yml changed since ${onlySession(home).id} began: refusing to resume (use --force to resume with the new file)`);
    expect(onlySession(home).status).toBe('Paused');
    const forced = prodigy(['resume', '-y', '--force'], { home, cwd: dir });
    expect(forced.code).toBe(0);
    expect(lines(path.join(dir, 'out'))).toEqual(['old', 'new']);
    expect(onlySession(home).workflow_data!.total_steps).toBe(3);
  });
});
