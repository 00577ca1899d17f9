import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './home.js';

export const prodigyBin = path.join(repoRoot, 'bin', 'prodigy.js');

/** Runs the built `prodigy` binary (npm test builds it first) and returns its exit code and output. */
/**
 * The warning `run`/`validate` print for item data interpolated into `shell:` without `:sh`
 * (src/workflow/untrusted-shell.ts). Most tests' workflows interpolate their own, trusted, items; the
 * harness drops these lines unless a test asks for them (`warnings: true`, tests/integration/untrusted-data).
 */
const UNTRUSTED_WARNING = /^.*untrusted data reaches sh -c unquoted: .*\n/gm;

/** Output without those warning lines (for tests that read a spawned run's output themselves). */
export function withoutUntrustedWarnings(text: string): string {
  return text.replace(UNTRUSTED_WARNING, '');
}

export function prodigy(
  args: string[],
  opts: { home?: string; cwd?: string; env?: NodeJS.ProcessEnv; warnings?: boolean } = {},
): { code: number | null; stdout: string; stderr: string } {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [prodigyBin, ...args], {
    cwd: opts.cwd ?? repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...(opts.home ? { PRODIGY_HOME: opts.home } : {}), NO_COLOR: '1', ...opts.env },
    timeout: 60_000,
  });
  if (opts.warnings) return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  return { code: r.status, stdout: withoutUntrustedWarnings(r.stdout), stderr: withoutUntrustedWarnings(r.stderr) };
}
