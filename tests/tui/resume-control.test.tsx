/**
 * Issue 6 in the dashboard: the resume banner, `r` with its confirmation, refusals, `x`, and the quit
 * prompt — over real runs of the built `prodigy` in a temporary PRODIGY_HOME, driven by key presses.
 */
import { processStartTicks } from '../../src/storage/proc-identity.js';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDashboardControl } from '../../src/control/dashboard-control.js';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import type { UnifiedSession } from '../../src/session/types.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { type Feed, loadAll, startFeed } from '../../store/dashboard-feed.js';
import { prodigy, prodigyBin } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { lines, pidAlive, sessionsIn, until, workspace } from '../integration/workflow-helpers.js';
import { KEY, renderDashboard } from './render.js';

const feeds: Feed[] = [];
const children: number[] = [];
afterEach(() => {
  feeds.splice(0).forEach((f) => f.stop());
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Step 2 interrupts its own runner the first time (a real SIGINT), so the run stops Paused at 2/3. */
const STOPS_ONCE = `name: three-steps
commands:
  - shell: echo one >> markers
  - shell: '[ -f stopped ] || { touch stopped; kill -INT $PPID; sleep 5; }; echo two >> markers'
  - shell: 'sleep $(cat pause 2>/dev/null || echo 0); echo three >> markers'
`;

/** A real run stopped Paused at step 2/3; once resumed, step 3 takes `pause` seconds. */
function interruptedRun(home: string, pause = 0) {
  const ws = workspace(STOPS_ONCE);
  fs.writeFileSync(path.join(ws.dir, 'pause'), String(pause));
  const r = prodigy(['run', ws.file, '--path', ws.dir], { home });
  expect(r.code).toBe(130);
  const id = /Session (\S+)/.exec(r.stdout)![1]!;
  return { ...ws, id, markers: path.join(ws.dir, 'markers') };
}

async function dashboard(home: string) {
  const store = createDashboardStore({ home, color: false, control: createDashboardControl(home), size: { columns: 120, rows: 30 }, offerResume: true });
  await loadAll(store, new UnifiedSessionManager(home));
  feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20, tickMs: 200 }));
  const ui = renderDashboard(store, { columns: 120, rows: 30 });
  await ui.waitFor((f) => f.includes('STATUS'));
  return { store, ui };
}

/** The short id every view shows for `id`. */
const sh = (store: ReturnType<typeof createDashboardStore>, id: string) => store.getState().short.get(id)!;

const status = (home: string, id: string) => sessionsIn(home).find((s) => s.id === id)?.status;

describe('resume from the dashboard', () => {
  it('offers the interrupted run in a banner; r then y resumes it detached and the view follows it to Completed', async () => {
    const home = tempHome();
    const run = interruptedRun(home);
    const { store, ui } = await dashboard(home);
    expect(ui.frame()).toContain(`Interrupted just now: three-steps at step 2/3 (Paused, ${sh(store, run.id)}) — r to resume`);

    await ui.press('r', (f) => f.includes(`Resume three-steps (${sh(store, run.id)}) from step 2/3? y/Enter yes · n/Esc no`));
    await ui.press('y', (f) => f.includes('Steps'));
    expect(store.getState().openId).toBe(run.id);
    await vi.waitFor(() => expect(status(home, run.id)).toBe('Completed'), { timeout: 15_000 });
    await ui.waitFor((f) => /Completed/.test(f) && !f.includes('r to resume'));
    // Step 1 ran once (before the interruption), step 2 again from its start, step 3 once.
    expect(lines(run.markers)).toEqual(['one', 'two', 'three']);
    // The resumed process prints its last line after the session file says Completed: wait for it.
    await vi.waitFor(() => expect(fs.readFileSync(path.join(home, 'logs', `${run.id}.log`), 'utf8')).toContain('Completed'), { timeout: 15_000 });
  });

  it('Enter confirms like y; n and Esc cancel and start nothing', async () => {
    const home = tempHome();
    const run = interruptedRun(home);
    const { store, ui } = await dashboard(home);
    await ui.press('r', (f) => f.includes('Resume three-steps'));
    await ui.press('n', (f) => f.includes('Resume cancelled'));
    await ui.press('r', (f) => f.includes('Resume three-steps'));
    await ui.press(KEY.escape, (f) => f.includes('Resume cancelled'));
    expect(store.getState().started).toEqual({});
    expect(status(home, run.id)).toBe('Paused');
    await ui.press('r', (f) => f.includes('Resume three-steps'));
    await ui.press(KEY.enter, (f) => f.includes('Steps'));
    await vi.waitFor(() => expect(status(home, run.id)).toBe('Completed'), { timeout: 15_000 });
  });

  it('refuses a Completed session, a session running elsewhere, and a changed workflow file, each in one status line', async () => {
    const home = tempHome();
    const run = interruptedRun(home);
    fs.appendFileSync(run.file, '  - shell: echo four >> markers\n');
    const { store, ui } = await dashboard(home);
    await ui.press('r', (f) => f.includes(`wf.yml changed since this run began: to resume anyway, prodigy resume ${sh(store, run.id)} --force`));
    expect(store.getState().confirm).toBeNull();

    // Finish it from a shell; now the selected session is Completed and nothing else is interrupted.
    expect(prodigy(['resume', run.id, '-y', '--force'], { home }).code).toBe(0);
    await ui.waitFor((f) => f.includes('Completed'));
    await ui.press('r', (f) => f.includes(`${sh(store, run.id)} is already Completed: nothing to resume`));

    // A Running session whose owner is alive (this test process) is refused too.
    const live: UnifiedSession = { ...sessionsIn(home)[0]!, id: 'session-live', status: 'Running', completed_at: null, metadata: { ...sessionsIn(home)[0]!.metadata, owner_pid: process.pid, owner_start_ticks: processStartTicks(process.pid) } };
    fs.writeFileSync(path.join(home, 'sessions', 'session-live.json'), JSON.stringify(live));
    await ui.waitFor(() => store.getState().sessions['session-live'] !== undefined);
    store.getState().openSession('session-live');
    await ui.press('r', (f) => f.includes(`session-live is already running (process ${process.pid})`));
  });
});

describe('interrupt and quit from the dashboard', () => {
  it('x asks, then SIGINTs the owner of a running session, which the view shows going to Paused', async () => {
    const home = tempHome();
    const ws = workspace('name: long\ncommands:\n  - shell: echo start\n  - shell: sleep 30\n');
    const child = spawn(process.execPath, [prodigyBin, 'run', ws.file, '--path', ws.dir], { env: { ...process.env, PRODIGY_HOME: home }, stdio: 'ignore' });
    children.push(child.pid!);
    await until(() => sessionsIn(home)[0]?.workflow_data?.current_step === 1, 15_000, 'step 2 running');
    const { store, ui } = await dashboard(home);
    const id = sessionsIn(home)[0]!.id;
    await ui.press('x', (f) => f.includes(`Interrupt long (${sh(store, id)})? It pauses and can be resumed.`));
    await ui.press('n', (f) => f.includes('Interrupt cancelled'));
    expect(status(home, id)).toBe('Running');
    await ui.press('x', (f) => f.includes('Interrupt long'));
    await ui.press('y', (f) => f.includes(`Interrupting ${sh(store, id)}`));
    await vi.waitFor(() => expect(status(home, id)).toBe('Paused'), { timeout: 15_000 });
    await ui.waitFor((f) => f.includes('Paused'));
    // Now it is not running: x says so instead of asking.
    await ui.press('x', (f) => f.includes(`${sh(store, id)} is Paused, not running`));
    expect(store.getState().confirm).toBeNull();
  });

  it('q while a run started here is going asks; Esc stays, Enter leaves it running, i interrupts it', async () => {
    const home = tempHome();
    const run = interruptedRun(home, 30);
    const { store, ui } = await dashboard(home);
    await ui.press('r', (f) => f.includes('Resume three-steps'));
    await ui.press('y', (f) => f.includes('Steps'));
    await vi.waitFor(() => expect(status(home, run.id)).toBe('Running'), { timeout: 15_000 });
    const pid = store.getState().started[run.id]!.pid;

    await ui.press('q', (f) => f.includes(`${sh(store, run.id)} is still running. Enter/l: leave it, quit · i: interrupt, quit · Esc: stay`));
    await ui.press(KEY.escape, (f) => !f.includes('still running'));
    expect(store.getState().quitRequested).toBe(false);

    await ui.press('q', (f) => f.includes('still running'));
    ui.stdin.write('i');
    await vi.waitFor(() => expect(store.getState().quitRequested).toBe(true));
    await vi.waitFor(() => expect(status(home, run.id)).toBe('Paused'), { timeout: 15_000 });
    await until(() => !pidAlive(pid), 10_000, 'the resumed run to exit');
  });

  it('Enter at the quit prompt quits and leaves the run going to completion', async () => {
    const home = tempHome();
    const run = interruptedRun(home, 1);
    const { store, ui } = await dashboard(home);
    await ui.press('r', (f) => f.includes('Resume three-steps'));
    await ui.press('y', (f) => f.includes('Steps'));
    await ui.press('q', (f) => f.includes('still running'));
    ui.stdin.write(KEY.enter);
    await vi.waitFor(() => expect(store.getState().quitRequested).toBe(true));
    await vi.waitFor(() => expect(status(home, run.id)).toBe('Completed'), { timeout: 15_000 });
    expect(lines(run.markers)).toEqual(['one', 'two', 'three']);
  });
});
