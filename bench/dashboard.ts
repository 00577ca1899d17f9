/**
 * Dashboard benchmark. Each figure sits beside its floor, measured in the same run:
 * - first frame of the real `prodigy tui` in a pseudo-terminal (util-linux `script`) over 1,000 and
 *   20,000 sessions (the title drawn; the rest streams in: also the time until every session is in),
 *   against `node -e ''` (and `node -e ''` through the same pseudo-terminal);
 * - p95 from a session file's atomic replace to the frame that shows it, against the p95 of the
 *   file-system notification alone (fs.watch on the same kind of write);
 * - one frame of the MapReduce view over 10,000 items (new job state read, and a clock tick), against
 *   the same view over 100 items;
 * - CPU of the idle dashboard over 10 s, against an idle `node` with a 1 s timer.
 * Targets (issue 5): first frame < 500 ms, change->frame p95 < 200 ms, 10k view < 30 ms, idle < 1 %.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { commandMs, cpuTicks, median, nowMs, percentile, round } from './harness.js';
import { seedSessions } from './store.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prodigyBin = path.join(root, 'bin/prodigy.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sessionJson(id: string, name: string, startedAt: string, status: 'Running' | 'Completed' = 'Completed'): string {
  return JSON.stringify({
    id, session_type: 'Workflow', status, started_at: startedAt, updated_at: startedAt, completed_at: status === 'Running' ? null : startedAt,
    metadata: { owner_pid: process.pid }, checkpoints: [], timings: {}, error: null,
    workflow_data: {
      workflow_id: id, workflow_name: name, current_step: 1, total_steps: 3, completed_steps: [0], variables: {},
      iterations_completed: 0, files_changed: 0, worktree_name: null,
    },
    mapreduce_data: null,
  });
}

/** Atomic replace, the way lowdb/steno writes session files. */
function replaceFile(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** A command in a pseudo-terminal of 100x30, its output collected. */
class Pty {
  readonly child: ChildProcess;
  out = '';
  private waiters: Array<() => void> = [];

  constructor(command: string, env: NodeJS.ProcessEnv) {
    this.child = spawn('script', ['-qfec', `stty cols 100 rows 30; exec ${command}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.out += d.toString('utf8');
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves with the time `text` first appears in the output after `from` characters. */
  until(text: string, from = 0, timeoutMs = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (this.out.indexOf(text, from) >= 0) {
          clearTimeout(timer);
          resolve(nowMs());
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** The pid of the command itself (script's child, after `exec`). */
  commandPid(): number {
    const pid = this.child.pid!;
    const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    return Number(kids[0]);
  }

  async quit(): Promise<void> {
    this.child.stdin!.write('q');
    await new Promise<void>((r) => {
      if (this.child.exitCode !== null) return r();
      const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      this.child.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
  }
}

/** Percent of one CPU used by each pid over `ms`. */
async function idleCpu(pids: number[], ms: number): Promise<number[]> {
  const hz = 100; // USER_HZ on Linux
  const before = pids.map(cpuTicks);
  const t = nowMs();
  await sleep(ms);
  const elapsed = (nowMs() - t) / 1000;
  return pids.map((p, i) => ((cpuTicks(p) - before[i]!) / hz / elapsed) * 100);
}

/**
 * `prodigy tui` in a pty over a store of `total` sessions: the median time to the first frame (the title
 * is drawn; the newest screenful is read, the rest streams in) and to the frame with every session in.
 */
async function firstFrames(env: NodeJS.ProcessEnv, total: number, runs: number): Promise<{ first: number; full: number }> {
  const firsts: number[] = [];
  const fulls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = nowMs();
    const pty = new Pty(`${process.execPath} ${prodigyBin} tui`, env);
    firsts.push((await pty.until('prodigy · ')) - t);
    fulls.push((await pty.until(`${total} sessions`, 0, 60_000)) - t);
    await pty.quit();
  }
  return { first: median(firsts), full: median(fulls) };
}

async function firstFrameAndLive(home: string, runningHome: string): Promise<Record<string, number>> {
  const env: NodeJS.ProcessEnv = { ...process.env, PRODIGY_HOME: home, TERM: 'xterm-256color' };
  delete env.CI;
  delete env.NO_COLOR;
  const frames1k = await firstFrames(env, 1001, 5);
  const floorPty = [];
  for (let i = 0; i < 5; i++) {
    const t = nowMs();
    const pty = new Pty(`${process.execPath} -e "process.stdout.write('ready')"`, env);
    floorPty.push((await pty.until('ready')) - t);
    await pty.quit();
  }

  // change -> frame, in one long-lived dashboard
  const pty = new Pty(`${process.execPath} ${prodigyBin} tui`, env);
  await pty.until('1001 sessions');
  const live = path.join(home, 'sessions', 'session-bench-live.json');
  const started = new Date(Date.now() + 86_400_000).toISOString();
  const latencies: number[] = [];
  for (let i = 0; i < 40; i++) {
    const from = pty.out.length;
    const mark = `mark${i}x`;
    const t = nowMs();
    replaceFile(live, sessionJson('session-bench-live', mark, started));
    latencies.push((await pty.until(mark, from)) - t);
    await sleep(150);
  }

  // Idle CPU over the same 10 s, side by side: this dashboard (nothing running, nothing changing), one
  // whose store holds a running session (its clock ticks every second), and an idle node with a 1 s timer.
  const withRunning = new Pty(`${process.execPath} ${prodigyBin} tui`, { ...env, PRODIGY_HOME: runningHome });
  await withRunning.until('1001 sessions');
  const floorProc = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(1500);
  const [dashCpu, runningCpu, floorCpu] = await idleCpu([pty.commandPid(), withRunning.commandPid(), floorProc.pid!], 10_000);
  floorProc.kill();
  await pty.quit();
  await withRunning.quit();

  return {
    'dashboard.first_frame_1000_sessions_ms': round(frames1k.first),
    'dashboard.all_sessions_in_1000_ms': round(frames1k.full),
    'dashboard.first_frame_floor_node_e_ms': round(commandMs(process.execPath, ['-e', ''], 5)),
    'dashboard.first_frame_floor_node_in_pty_ms': round(median(floorPty)),
    'dashboard.change_to_frame_p95_ms': round(percentile(latencies, 95)),
    'dashboard.change_to_frame_median_ms': round(median(latencies)),
    'dashboard.change_floor_fs_watch_p95_ms': round(await fsWatchP95()),
    'dashboard.idle_cpu_10s_percent': round(dashCpu!, 2),
    'dashboard.idle_cpu_10s_one_running_session_percent': round(runningCpu!, 2),
    'dashboard.idle_cpu_floor_node_timer_percent': round(floorCpu!, 2),
  };
}

/** The notification alone: atomic replace -> fs.watch event on the folder. */
async function fsWatchP95(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-watch-'));
  const file = path.join(dir, 'session-x.json');
  const times: number[] = [];
  let resolveEvent: (() => void) | null = null;
  const w = fs.watch(dir, (_e, name) => {
    if (name === 'session-x.json') resolveEvent?.();
  });
  for (let i = 0; i < 40; i++) {
    const seen = new Promise<void>((r) => (resolveEvent = r));
    const t = nowMs();
    replaceFile(file, sessionJson('session-x', `n${i}`, new Date().toISOString()));
    await seen;
    times.push(nowMs() - t);
    await sleep(20);
  }
  w.close();
  return percentile(times, 95);
}

/** A stdout Ink can render to, which resolves a promise on every frame written. */
class FrameSink extends EventEmitter {
  columns = 100;
  rows = 30;
  isTTY = false;
  private next: (() => void) | null = null;
  write = (_s: string) => {
    this.next?.();
    this.next = null;
    return true;
  };
  frame(): Promise<void> {
    return new Promise((r) => (this.next = r));
  }
}

async function mapReduceFrames(): Promise<Record<string, number>> {
  // React's production build, as the shipped bundle uses (must be set before React loads).
  process.env.NODE_ENV = 'production';
  const [{ render }, React, { Dashboard }, { createDashboardStore }, fx] = await Promise.all([
    import('ink'),
    import('react'),
    import('../components/Dashboard.js'),
    import('../store/dashboard.js'),
    import('../tests/tui/fixtures.js'),
  ]);
  const measure = async (n: number) => {
    const store = createDashboardStore({ home: '/bench', now: fx.T0 + 600_000, color: true, size: { columns: 100, rows: 30 } });
    const session = fx.mapReduceSession('session-bench', 'job-bench');
    store.getState().sessionsLoaded([session], { 'session-bench': true });
    store.getState().openSession('session-bench');
    const statusOf = (i: number) => (i < n * 0.3 ? 'completed' : i < n * 0.31 ? 'failed' : i < n * 0.31 + 8 ? 'running' : 'pending') as 'completed';
    const items = fx.workItems(n, statusOf);
    store.getState().jobLoaded({ repo: 'r', state: fx.jobState('job-bench', 'session-bench', items), dlqCount: 3 });
    const sink = new FrameSink();
    const stdin = Object.assign(new PassThrough(), { isTTY: false, setRawMode() {}, ref() {}, unref() {} });
    const first = sink.frame();
    const app = render(React.createElement(Dashboard, { store }), {
      stdout: sink as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      debug: true, // every commit writes a frame, unthrottled: what is measured is the render itself
      patchConsole: false,
      exitOnCtrlC: false,
    });
    await first;
    const reload: number[] = [];
    const tick: number[] = [];
    for (let i = 0; i < 30; i++) {
      // A new job file read: new items (one more done), re-ordered and summarised, then drawn.
      const next = items.map((it, k) => (k === Math.floor(n * 0.31) + 8 + i ? { ...it, status: 'running' as const } : it));
      let f = sink.frame();
      let t = nowMs();
      store.getState().jobLoaded({ state: fx.jobState('job-bench', 'session-bench', next) });
      await f;
      reload.push(nowMs() - t);
      // The 1 s clock tick: elapsed times, rate and ETA recomputed, then drawn.
      f = sink.frame();
      t = nowMs();
      store.getState().tick(fx.T0 + 600_000 + (i + 1) * 1000);
      await f;
      tick.push(nowMs() - t);
    }
    app.unmount();
    return { reload: median(reload), tick: median(tick) };
  };
  const big = await measure(10_000);
  const small = await measure(100);
  return {
    'dashboard.mapreduce_10k_frame_after_job_read_ms': round(big.reload),
    'dashboard.mapreduce_10k_frame_on_tick_ms': round(big.tick),
    'dashboard.mapreduce_100_frame_after_job_read_floor_ms': round(small.reload),
    'dashboard.mapreduce_100_frame_on_tick_floor_ms': round(small.tick),
  };
}

export async function benchDashboard(): Promise<Record<string, number>> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-dash-'));
  await seedSessions(home, 1000);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
  replaceFile(path.join(home, 'sessions', 'session-bench-live.json'), sessionJson('session-bench-live', 'live', tomorrow));
  const runningHome = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-dash-running-'));
  await seedSessions(runningHome, 1000);
  replaceFile(path.join(runningHome, 'sessions', 'session-bench-run.json'), sessionJson('session-bench-run', 'run', tomorrow, 'Running'));
  const live = await firstFrameAndLive(home, runningHome);
  const bigHome = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-dash-20k-'));
  await seedSessions(bigHome, 20_000);
  const bigEnv: NodeJS.ProcessEnv = { ...process.env, PRODIGY_HOME: bigHome, TERM: 'xterm-256color' };
  delete bigEnv.CI;
  delete bigEnv.NO_COLOR;
  const frames20k = await firstFrames(bigEnv, 20_000, 3);
  fs.rmSync(bigHome, { recursive: true, force: true });
  const frames = await mapReduceFrames();
  for (const h of [home, runningHome]) fs.rmSync(h, { recursive: true, force: true });
  // The targets, printed beside the figures (as the other sections do).
  const targets = {
    'dashboard.first_frame_target_ms': 500,
    'dashboard.change_to_frame_p95_target_ms': 200,
    'dashboard.mapreduce_10k_frame_target_ms': 30,
    'dashboard.idle_cpu_target_percent': 1,
  };
  const big = {
    'dashboard.first_frame_20000_sessions_ms': round(frames20k.first),
    'dashboard.all_sessions_in_20000_ms': round(frames20k.full),
    'dashboard.first_frame_20000_target_ms': 400,
  };
  return { ...live, ...big, ...frames, ...targets };
}
