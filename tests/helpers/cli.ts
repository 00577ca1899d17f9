import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './home.js';

export const prodigyBin = path.join(repoRoot, 'bin', 'prodigy.js');

/** Runs the built `prodigy` binary (npm test builds it first) and returns its exit code and output. */
export function prodigy(
  args: string[],
  opts: { home?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { code: number | null; stdout: string; stderr: string } {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [prodigyBin, ...args], {
    cwd: opts.cwd ?? repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...(opts.home ? { PRODIGY_HOME: opts.home } : {}), NO_COLOR: '1', ...opts.env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
