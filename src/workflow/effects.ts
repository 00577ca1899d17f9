/**
 * The world behind `${file:path}`, `${cmd:command}`, `${date:FMT}` and `${uuid}`. Both file and cmd are
 * confined to the working directory: a path that leaves it (`..`, absolute, or a symlink out) is refused,
 * and a command runs there with the step's environment.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Effects, InterpolationError } from './interpolate.js';

/** Resolves `rel` inside `root`, or throws naming the path; follows symlinks before deciding. */
export function confinedPath(root: string, rel: string, what: string): string {
  const base = fs.realpathSync(root);
  const target = path.resolve(base, rel);
  let real = target;
  // The file may not exist yet (write_file): check the deepest existing ancestor.
  let probe = target;
  while (!fs.existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
  real = path.join(fs.realpathSync(probe), path.relative(probe, target));
  const inside = path.relative(base, real);
  if (inside.startsWith('..') || path.isAbsolute(inside)) throw new InterpolationError(`${what} "${rel}" is outside the working directory`);
  return real;
}

export function worldEffects(cwd: string, env: NodeJS.ProcessEnv): Effects {
  return {
    readFile: (p) => {
      const file = confinedPath(cwd, p, '${file:...}');
      try {
        return fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new InterpolationError(`\${file:${p}}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
      }
    },
    runCommand: (command) => {
      const r = spawnSync('sh', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
      if (r.error) throw new InterpolationError(`\${cmd:${command}}: ${r.error.message}`);
      if (r.status !== 0) throw new InterpolationError(`\${cmd:${command}} exited with code ${r.status ?? r.signal}`);
      return r.stdout;
    },
    now: () => new Date(),
    uuid: () => randomUUID(),
  };
}
