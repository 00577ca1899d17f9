/**
 * MapReduce throughput: 2,000 items whose agent runs `true`, at max_parallel 16, against two floors
 * running the same 2,000 `sh -c true` commands 16 at a time, measured in the same run:
 * a bare Node loop that only spawns them, and `xargs -P 16`.
 *
 * The job is `prodigy run` end to end (the built CLI; every item's status persisted in job.json, the event
 * log and the session). Its peak RSS is read from /proc/<pid>/status (VmHWM) while it runs; the store's
 * share of its wall time is the event-loop time spent serialising job.json and appending events, which
 * the CLI reports through PRODIGY_BENCH_STATS.
 * Targets: at least 0.8 of the bare Node loop's items/s; peak RSS < 200 MB.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nowMs, round } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ITEMS = 2000;
const PARALLEL = 16;

function exitOf(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * The floor: a fresh `node` process (like the CLI, so both pay the same start-up and have the same small
 * heap to fork from) that spawns `sh -c true` 16 at a time and waits for each; nothing else.
 */
const FLOOR_SCRIPT = `
const { spawn } = require('node:child_process');
let next = 0;
const one = () => new Promise((res, rej) => spawn('sh', ['-c', 'true'], { stdio: 'ignore' })
  .once('exit', (c) => (c === 0 ? res() : rej(new Error('exit ' + c)))));
const worker = async () => { while (next < ${ITEMS}) { next++; await one(); } };
Promise.all(Array.from({ length: ${PARALLEL} }, worker)).catch((e) => { console.error(e); process.exit(1); });
`;

/** What a child process cost: wall ms, its own CPU ms (not its children's) and its peak RSS. */
interface ProcessCost {
  ms: number;
  cpuMs: number;
  peakMb: number;
  /** Bytes the process passed to write(2) (/proc/<pid>/io wchar, last sample before it exited). */
  wchar: number;
}

const TICK_MS = 1000 / 100; // /proc/<pid>/stat counts CPU in clock ticks (USER_HZ, 100 on Linux)

/** Samples /proc while the child runs: VmHWM (a peak already) and utime+stime (monotonic). */
async function measured(command: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<ProcessCost> {
  const t = nowMs();
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'inherit'] });
  let peakMb = 0;
  let cpuMs = 0;
  let wchar = 0;
  const sample = () => {
    try {
      const io = /^wchar:\s*(\d+)/m.exec(fs.readFileSync(`/proc/${child.pid}/io`, 'utf8'));
      if (io) wchar = Math.max(wchar, Number(io[1]));
      const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakMb = Math.max(peakMb, Number(hwm[1]) / 1024);
      const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuMs = Math.max(cpuMs, (Number(f[11]) + Number(f[12])) * TICK_MS);
    } catch {
      /* exited between samples */
    }
  };
  const sampler = setInterval(sample, 10);
  const code = await exitOf(child);
  clearInterval(sampler);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}`);
  return { ms: nowMs() - t, cpuMs, peakMb, wchar };
}

const bareNodeLoop = (cwd: string) => measured(process.execPath, ['-e', FLOOR_SCRIPT], { cwd });

async function xargs(cwd: string): Promise<number> {
  return (await measured('sh', ['-c', `seq ${ITEMS} | xargs -P ${PARALLEL} -n 1 sh -c true`], { cwd })).ms;
}

interface CliStats {
  wallMs: number;
  storeWrites: number;
  storeBlockingMs: number;
  eventLogMs: number;
}

async function cliRun(dir: string, wfFile: string): Promise<ProcessCost & { stats: CliStats }> {
  const statsFile = path.join(dir, 'stats.json');
  const cost = await measured(process.execPath, [path.join(root, 'bin/prodigy.js'), 'run', wfFile], {
    cwd: dir,
    env: { ...process.env, PRODIGY_HOME: path.join(dir, 'home-cli'), PRODIGY_BENCH_STATS: statsFile },
  });
  fs.rmSync(path.join(dir, 'home-cli'), { recursive: true, force: true });
  return { ...cost, stats: JSON.parse(fs.readFileSync(statsFile, 'utf8')) as CliStats };
}

export async function benchMapReduce(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-mr-'));
  fs.writeFileSync(path.join(dir, 'items.json'), JSON.stringify(Array.from({ length: ITEMS }, (_, i) => ({ i }))));
  const yaml = `name: bench\nmode: mapreduce\nmap:\n  input: items.json\n  max_parallel: ${PARALLEL}\n  agent_template:\n    - shell: "true"\n`;
  const wfFile = path.join(dir, 'bench.yml');
  fs.writeFileSync(wfFile, yaml);

  // Best of three runs each, interleaved, so a noisy moment on a small machine does not decide a ratio.
  const floors: ProcessCost[] = [];
  const xargsRuns: number[] = [];
  const runs: Awaited<ReturnType<typeof cliRun>>[] = [];
  for (let run = 0; run < 3; run++) {
    floors.push(await bareNodeLoop(dir));
    xargsRuns.push(await xargs(dir));
    runs.push(await cliRun(dir, wfFile));
  }
  const fastest = <T extends { ms: number }>(xs: T[]) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const cli = fastest(runs);
  const floor = fastest(floors);
  const floorMs = floor.ms;
  const xargsMs = Math.min(...xargsRuns);
  const peakMb = Math.max(...runs.map((r) => r.peakMb));
  const perItem = (ms: number) => round((ms / ITEMS) * 1000, 0);

  const rate = (ms: number) => ITEMS / (ms / 1000);
  return {
    'mapreduce.items': ITEMS,
    'mapreduce.max_parallel': PARALLEL,
    'mapreduce.cli_items_per_s': round(rate(cli.ms), 0),
    'mapreduce.floor_node_loop_items_per_s': round(rate(floorMs), 0),
    'mapreduce.peer_xargs_items_per_s': round(rate(xargsMs), 0),
    'mapreduce.cli_vs_node_loop': round(floorMs / cli.ms),
    'mapreduce.cli_vs_node_loop_target': 0.8,
    'mapreduce.cli_vs_xargs': round(xargsMs / cli.ms),
    'mapreduce.cli_own_cpu_us_per_item': perItem(Math.min(...runs.map((r) => r.cpuMs))),
    'mapreduce.floor_own_cpu_us_per_item': perItem(Math.min(...floors.map((r) => r.cpuMs))),
    'mapreduce.floor_peak_rss_mb': round(floor.peakMb, 0),
    'mapreduce.job_json_writes': cli.stats.storeWrites,
    'mapreduce.job_json_share_of_wall_pct': round((cli.stats.storeBlockingMs / cli.stats.wallMs) * 100),
    'mapreduce.event_log_share_of_wall_pct': round((cli.stats.eventLogMs / cli.stats.wallMs) * 100),
    'mapreduce.cli_peak_rss_mb': round(peakMb, 0),
    'mapreduce.cli_peak_rss_target_mb': 200,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A half-done job: `prodigy run` of `n` items, interrupted (SIGINT, as Ctrl+C) once half of them
 * completed. Each agent appends the wall time (ns) it started at to `started`, so a resume's first new
 * item is seen from outside without polling the store.
 */
async function halfDoneJob(dir: string, n: number, env: NodeJS.ProcessEnv): Promise<string> {
  fs.writeFileSync(path.join(dir, 'items.json'), JSON.stringify(Array.from({ length: n }, (_, i) => ({ i }))));
  const wf = path.join(dir, 'resume.yml');
  fs.writeFileSync(wf, `name: resume\nmode: mapreduce\nmap:\n  input: items.json\n  max_parallel: ${PARALLEL}\n  agent_template:\n    - shell: "date +%s%N >> started"\n`);
  const child = spawn(process.execPath, [path.join(root, 'bin/prodigy.js'), 'run', wf], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  let out = '';
  let jobId = '';
  let stopped = false;
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (t: string) => {
    out += t;
    jobId ||= /^Job (\S+)$/m.exec(out)?.[1] ?? '';
    const done = [...out.matchAll(/map: (\d+) completed/g)].at(-1);
    // Once: a second Ctrl+C quits at once, without pausing the session.
    if (done && Number(done[1]) >= n / 2 && !stopped) stopped = child.kill('SIGINT');
    if (out.length > 4096) out = out.slice(-1024);
  });
  const code = await exitOf(child);
  if (code !== 130 || !jobId) throw new Error(`half-done job: exit ${code}, job "${jobId}": ${err}`);
  return jobId;
}

/** First wall time (ms) an agent wrote to `started`, or null while none has. */
function firstStart(file: string): number | null {
  try {
    const ns = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => BigInt(l));
    return ns.length ? Number(ns.reduce((a, b) => (b < a ? b : a)) / 1_000_000n) : null;
  } catch {
    return null;
  }
}

/**
 * `prodigy resume-job` of a half-done job until its first new item starts (then interrupted again, so the
 * next try resumes the same half), best of `runs`, beside a bare `node -e ''` start measured alike.
 */
async function resumeToFirstItem(n: number, runs = 3): Promise<{ resumeMs: number; nodeMs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-resume-'));
  try {
    const env = { ...process.env, PRODIGY_HOME: path.join(dir, 'home') };
    const jobId = await halfDoneJob(dir, n, env);
    const started = path.join(dir, 'started');
    let resumeMs = Number.POSITIVE_INFINITY;
    let nodeMs = Number.POSITIVE_INFINITY;
    for (let r = 0; r < runs; r++) {
      const t = nowMs();
      await exitOf(spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }));
      nodeMs = Math.min(nodeMs, nowMs() - t);
      fs.rmSync(started, { force: true });
      const t0 = Date.now();
      const child = spawn(process.execPath, [path.join(root, 'bin/prodigy.js'), 'resume-job', jobId, '-y'], { cwd: dir, env, stdio: 'ignore' });
      let first: number | null = null;
      while ((first = firstStart(started)) === null && child.exitCode === null) await sleep(2);
      child.kill('SIGINT');
      const code = await exitOf(child);
      if (first === null || (code !== 130 && code !== 0)) throw new Error(`resume-job exited ${code} before an item started`);
      resumeMs = Math.min(resumeMs, first - t0);
    }
    return { resumeMs, nodeMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Scale (issue 13): one `prodigy run` of N `true` items (max_parallel 16) at 2,000 and 20,000 items beside
 * `xargs -P 16` of the same N commands: items/s, bytes written per item (the runner's own write(2) bytes:
 * job.json, its journal, events, session; sampled every 10 ms, so the last ~10 ms are missed), peak RSS.
 * Then a resume of a half-done 20,000-item job until its first new item starts, beside `node -e ''`.
 * Targets: >= 0.8x xargs, <= 2 KB written per item flat from 2k to 20k, peak RSS <= 150 MB at 20k,
 * resume to first item <= 400 ms.
 */
export async function benchMapReduceScale(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const n of [2000, 20000]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-mrs-'));
    try {
      fs.writeFileSync(path.join(dir, 'items.json'), JSON.stringify(Array.from({ length: n }, (_, i) => ({ i }))));
      const wfFile = path.join(dir, 'bench.yml');
      fs.writeFileSync(wfFile, `name: bench\nmode: mapreduce\nmap:\n  input: items.json\n  max_parallel: ${PARALLEL}\n  agent_template:\n    - shell: "true"\n`);
      const x = await measured('sh', ['-c', `seq ${n} | xargs -P ${PARALLEL} -n 1 sh -c true`], { cwd: dir });
      const cli = await measured(process.execPath, [path.join(root, 'bin/prodigy.js'), 'run', wfFile], {
        cwd: dir,
        env: { ...process.env, PRODIGY_HOME: path.join(dir, 'home') },
      });
      const rate = (ms: number) => n / (ms / 1000);
      out[`mapreduce_scale.cli_items_per_s_${n}`] = round(rate(cli.ms), 0);
      out[`mapreduce_scale.peer_xargs_items_per_s_${n}`] = round(rate(x.ms), 0);
      out[`mapreduce_scale.cli_vs_xargs_${n}`] = round(x.ms / cli.ms);
      out[`mapreduce_scale.bytes_written_per_item_${n}`] = Math.round(cli.wchar / n);
      out[`mapreduce_scale.cli_peak_rss_mb_${n}`] = round(cli.peakMb, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const resume = await resumeToFirstItem(20000);
  out['mapreduce_scale.resume_to_first_item_ms_20000'] = round(resume.resumeMs, 0);
  out['mapreduce_scale.floor_node_start_ms'] = round(resume.nodeMs, 0);
  out['mapreduce_scale.target_resume_to_first_item_ms_20000'] = 400;
  out['mapreduce_scale.target_cli_vs_xargs'] = 0.8;
  out['mapreduce_scale.target_bytes_written_per_item'] = 2048;
  out['mapreduce_scale.target_peak_rss_mb_20000'] = 150;
  return out;
}
