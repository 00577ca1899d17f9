/** The caps: max_parallel (warned, capped), a workflow file and a map.input file over their size limits (refused before reading). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_PARALLEL_CAP } from '../../src/mapreduce/parse.js';
import { MAP_INPUT_LIMIT, WORKFLOW_FILE_LIMIT } from '../../src/storage/size-limit.js';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { sessionsIn, workspace } from './workflow-helpers.js';

const JOB = (mp: string, input = 'items.json') => `name: capped
mode: mapreduce
map:
  input: ${input}
  json_path: "$[*]"
  max_parallel: ${mp}
  agent_template:
    - shell: "echo $PRODIGY_ITEM >> ran"
`;

describe('limits', () => {
  it(`max_parallel over ${MAX_PARALLEL_CAP} is capped with one warning naming file:line:col (a number or a \${VAR})`, () => {
    const ws = workspace(JOB('100000'));
    fs.writeFileSync(path.join(ws.dir, 'items.json'), JSON.stringify([1, 2, 3]));
    const v = prodigy(['validate', 'wf.yml'], { cwd: ws.dir });
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(`wf.yml:6:17: max_parallel 100000 is capped at ${MAX_PARALLEL_CAP}`);
    const r = prodigy(['run', 'wf.yml', '--no-tui', '--no-worktree'], { home: tempHome(), cwd: ws.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('is capped at'))).toHaveLength(1);
    expect(fs.readFileSync(path.join(ws.dir, 'ran'), 'utf8').split('\n').filter(Boolean).sort()).toEqual(['1', '2', '3']);

    const byVar = workspace(JOB('${AGENTS}'));
    fs.writeFileSync(path.join(byVar.dir, 'items.json'), JSON.stringify([1]));
    const rv = prodigy(['run', 'wf.yml', '--no-tui', '--no-worktree'], { home: tempHome(), cwd: byVar.dir, env: { AGENTS: '5000' } });
    expect(rv.code, rv.stderr).toBe(0);
    expect(rv.stderr).toMatch(new RegExp(`wf\\.yml:6:17: warning: max_parallel 5000 \\(\\$\\{AGENTS\\}\\) is capped at ${MAX_PARALLEL_CAP}`));
  });

  it('a workflow file over the limit is refused before parsing: one line with its size, exit 2, no session', () => {
    const home = tempHome();
    const ws = workspace(`name: big\ncommands:\n  - shell: "echo hi"\n${'#'.repeat(WORKFLOW_FILE_LIMIT)}\n`);
    for (const args of [['validate', 'wf.yml'], ['run', 'wf.yml', '--no-tui', '--no-worktree']]) {
      const r = prodigy(args, { home, cwd: ws.dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toEqual([expect.stringMatching(/^prodigy: wf\.yml: 1(\.0)? MiB is over the 1 MiB limit for a workflow file \(refused before reading it\)$/)]);
    }
    expect(sessionsIn(home)).toEqual([]);
  });

  it('a map.input file over the limit fails the job with one line naming the file and its size', () => {
    const home = tempHome();
    const ws = workspace(JOB('2'));
    const big = path.join(ws.dir, 'items.json');
    fs.writeFileSync(big, '[');
    fs.truncateSync(big, MAP_INPUT_LIMIT + 1);
    const r = prodigy(['run', 'wf.yml', '--no-tui', '--no-worktree'], { home, cwd: ws.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${big}: 64.0 MiB is over the 64 MiB limit for map.input`);
    expect(fs.existsSync(path.join(ws.dir, 'ran'))).toBe(false);
  });
});
