/** Every workflows/examples/ file validates and runs to Completed (each in a fresh copy of the folder). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { repoRoot, tempDir, tempHome } from '../helpers/home.js';
import { sessionsIn } from './workflow-helpers.js';

const dir = path.join(repoRoot, 'workflows', 'examples');
const examples = fs.readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();

describe('workflows/examples', () => {
  it('has one example per feature', () => {
    expect(examples).toEqual(expect.arrayContaining(['variables.yml', 'write-file.yml', 'foreach.yml', 'validate.yml', 'on-failure.yml', 'retry.yml', 'step-fields.yml', 'environment.yml', 'iterations.yml', 'analyze.yml', 'mapreduce.yml']));
  });

  for (const name of examples) {
    it(`${name} validates and runs to Completed`, () => {
      const work = tempDir('prodigy-example-');
      fs.cpSync(dir, work, { recursive: true });
      const file = path.join(work, name);
      const v = prodigy(['validate', file]);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      const home = tempHome();
      const r = prodigy(['run', file, '--path', work], { home, cwd: work });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const sessions = sessionsIn(home);
      expect(sessions).toHaveLength(1);
      expect(sessions[0]!.status).toBe('Completed');
    });
  }

  it('environment.yml masks its secret and honours --profile; iterations.yml takes --args', () => {
    const work = tempDir('prodigy-example-');
    fs.cpSync(dir, work, { recursive: true });
    const home = tempHome();
    const r = prodigy(['run', path.join(work, 'environment.yml'), '--path', work, '--profile', 'prod', '-v'], { home, cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('mode=prod rev=r1 size=large file=from-env-file');
    expect(r.stdout).toContain('token=***');
    expect(r.stdout).not.toContain('demo-token-not-real');
    const it2 = prodigy(['run', path.join(work, 'iterations.yml'), '--path', work, '--args', 'x,y', '-n', '1', '-v'], { home: tempHome(), cwd: work });
    expect(it2.code, it2.stderr).toBe(0);
    expect(it2.stdout).toContain('iteration 1 arg=x name=default');
    expect(it2.stdout).toContain('iteration 1 arg=y name=default');
  });
});
