/**
 * The detail view of a running 20,000-item MapReduce job (issue 13): the real `prodigy tui` in a pty,
 * its detail view open, while this process completes the items through the real JobStore (journal lines
 * ~10 a second, compaction when due) at ~1,500 items/s. Measured:
 * - the dashboard's CPU over the run, beside a floor in the same run: a node process that only follows
 *   the same journal (fs.watch on the folder + read of the appended bytes);
 * - lag: for each write, the time until a frame shows a done count at least as high (p95, median);
 * - how often a shown count went down (must be 0).
 * Targets: CPU <= 15 %, lag <= 300 ms, counts never decrease.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newJobState, newWorkItems } from '../src/mapreduce/job-state.js';
import { JobStore } from '../src/mapreduce/job-store.js';
import { jobJournalOf, storePaths } from '../src/storage/paths.js';
import { cpuTicks, median, nowMs, percentile, round } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prodigyBin = path.join(root, 'bin/prodigy.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ITEMS = 20_000;
const PER_TICK = 20; // items completed every ~10 ms: ~1,500 items/s, faster than 16 `true` agents here

/** The pid `script` exec'd into (the dashboard itself). */
function childPid(pid: number): number {
  return Number(fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]);
}

const FOLLOWER = `
const fs = require('fs'); const path = require('path');
const file = process.argv[1]; let off = 0;
const read = () => { try { const st = fs.statSync(file); if (st.size < off) off = 0; if (st.size === off) return;
  const fd = fs.openSync(file, 'r'); const b = Buffer.alloc(st.size - off); fs.readSync(fd, b, 0, b.length, off); fs.closeSync(fd);
  off = st.size; for (const l of b.toString().split('\\n')) if (l) try { JSON.parse(l); } catch {} } catch {} };
fs.watch(path.dirname(file), () => read()); setInterval(() => {}, 1000);`;

export async function benchDashboardJob(): Promise<Record<string, number>> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-dashjob-'));
  const paths = storePaths(home);
  const jobId = 'job-bench-20k';
  const sessionId = 'session-bench-20k';
  const t0 = new Date().toISOString();
  fs.mkdirSync(paths.sessionsDir, { recursive: true });
  fs.writeFileSync(
    paths.sessionFile(sessionId),
    JSON.stringify({
      id: sessionId, session_type: 'MapReduce', status: 'Running', started_at: t0, updated_at: t0, completed_at: null,
      metadata: { repo_name: 'bench-repo', workflow_name: 'fan-out', owner_pid: process.pid }, checkpoints: [], timings: {}, error: null,
      workflow_data: null,
      mapreduce_data: { job_id: jobId, total_items: ITEMS, processed_items: 0, failed_items: 0, agent_count: 16, phase: 'Map', reduce_results: null },
    }),
  );
  const state = newJobState({ job_id: jobId, session_id: sessionId, workflow_name: 'fan-out', workflow_path: 'w.yml', repo: 'bench-repo', max_parallel: 16 });
  state.items = newWorkItems(Array.from({ length: ITEMS }, (_, i) => ({ n: i, path: `src/file-${i}.ts` })));
  state.phase = 'Map' as typeof state.phase;
  const file = paths.jobStateFile('bench-repo', jobId);
  const store = await JobStore.create(file, state);

  const env: NodeJS.ProcessEnv = { ...process.env, PRODIGY_HOME: home, TERM: 'xterm-256color' };
  delete env.CI;
  delete env.NO_COLOR;
  const pty: ChildProcess = spawn('script', ['-qfec', `stty cols 100 rows 30; exec ${process.execPath} ${process.env.BENCH_NODE_ARGS ?? ""} ${prodigyBin} tui`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  const shown: Array<{ t: number; done: number }> = [];
  let decreases = 0;
  let maxShown = -1;
  // The detail view's counts line ("✓ 1234 done"); the sessions list shows the session's own count.
  const countRe = /✓ (\d+) done/g;
  pty.stdout!.on('data', (d: Buffer) => {
    const text = d.toString('utf8');
    out += text;
    const t = nowMs();
    for (const m of text.matchAll(countRe)) {
      const done = Number(m[1]);
      if (done < maxShown) decreases += 1;
      maxShown = Math.max(maxShown, done);
      shown.push({ t, done: maxShown });
    }
  });
  const until = async (pred: () => boolean, ms = 20_000) => {
    const end = nowMs() + ms;
    while (!pred()) {
      if (nowMs() > end) throw new Error(`dashboard_job: timed out; last output: ${out.slice(-300)}`);
      await sleep(10);
    }
  };
  await until(() => out.includes('fan-out'));
  // Enter opens the one session (again until the detail view shows: the first key may come before raw mode).
  const enter = setInterval(() => pty.stdin!.write('\r'), 500);
  pty.stdin!.write('\r');
  await until(() => maxShown === 0).finally(() => clearInterval(enter));
  if (process.env.BENCH_DEBUG) fs.writeFileSync('/tmp/scale-prof/dashjob.out', out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''));
  const dashPid = childPid(pty.pid!);
  const follower = spawn(process.execPath, ['-e', FOLLOWER, jobJournalOf(file)], { stdio: 'ignore' });
  await sleep(300);

  const writes: Array<{ t: number; done: number }> = [];
  const cpu0 = [cpuTicks(dashPid), cpuTicks(follower.pid!)];
  const start = nowMs();
  for (let done = 0; done < ITEMS; ) {
    const at = new Date().toISOString();
    for (let k = 0; k < PER_TICK && done < ITEMS; k++, done++) {
      store.state.items[done] = { ...store.state.items[done]!, status: 'completed', attempts: 1, started_at: at, ended_at: at, exit_code: 0 };
    }
    store.changed();
    writes.push({ t: nowMs(), done });
    await sleep(10);
  }
  await until(() => maxShown >= ITEMS, 30_000).catch(() => {});
  const elapsed = (nowMs() - start) / 1000;
  const cpu = [cpuTicks(dashPid), cpuTicks(follower.pid!)].map((c, i) => ((c - cpu0[i]!) / 100 / elapsed) * 100);
  await store.close();

  // Lag: from a write to the first frame showing at least its count (JobStore coalesces to ~10 lines/s,
  // so up to 100 ms of it is the writer's own batching).
  const lags: number[] = [];
  let j = 0;
  for (const w of writes) {
    while (j < shown.length && shown[j]!.done < w.done) j++;
    if (j >= shown.length) break;
    lags.push(Math.max(0, shown[j]!.t - w.t));
  }
  pty.stdin!.write('q');
  await new Promise<void>((r) => {
    const t = setTimeout(() => pty.kill('SIGKILL'), 3000);
    pty.once('exit', () => {
      clearTimeout(t);
      r();
    });
  });
  follower.kill();
  fs.rmSync(home, { recursive: true, force: true });
  return {
    'dashboard_job.items': ITEMS,
    'dashboard_job.run_s': round(elapsed),
    'dashboard_job.detail_cpu_percent': round(cpu[0]!),
    'dashboard_job.floor_journal_follower_cpu_percent': round(cpu[1]!),
    'dashboard_job.lag_p95_ms': round(percentile(lags, 95)),
    'dashboard_job.lag_median_ms': round(median(lags)),
    'dashboard_job.writes_seen': lags.length,
    'dashboard_job.writes': writes.length,
    'dashboard_job.shown_count_decreases': decreases,
    'dashboard_job.target_cpu_percent': 15,
    'dashboard_job.target_lag_ms': 300,
  };
}
