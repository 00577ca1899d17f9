/** Shared timing helpers for benchmarks. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = nowMs();
  await fn();
  return nowMs() - t;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Median wall time of a command over `runs` runs, in ms. */
export function commandMs(cmd: string, args: string[], runs = 5, env: NodeJS.ProcessEnv = process.env): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = nowMs();
    const r = spawnSync(cmd, args, { env, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    times.push(nowMs() - t);
  }
  return median(times);
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** CPU time a process used so far, in clock ticks (utime + stime; USER_HZ is 100 on Linux). */
export function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
