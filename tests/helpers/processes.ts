import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { tracked } from './children.js';
import { repoRoot } from './home.js';

/** Starts a TypeScript fixture in a real child process and resolves once it prints `ready`. */
export function startFixture(script: string, args: string[], opts: { stdin?: boolean } = {}): Promise<ChildProcess> {
  const child = tracked(
    spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tests/fixtures', script), ...args], {
      cwd: repoRoot,
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'inherit'],
      // tsx's compile cache would be a folder in $TMPDIR that outlives the suite.
      env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    }),
    { group: false },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited early with ${code}`)));
  });
}

export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** A pid that is certainly dead: a child that has already exited. */
export async function deadPid(): Promise<number> {
  const c = spawn('true');
  await waitForExit(c);
  return c.pid!;
}
