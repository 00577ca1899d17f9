/**
 * The workflow-level environment in MapReduce runs, for real: secrets (masked in job.json, journal,
 * events, DLQ, log, session and every printed line, while commands get the value), profiles, --param,
 * dynamic env, env_files, max_parallel from a variable, and a resume that rebuilds the same variables.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { allTextUnder, lines, onlySession, sessionsIn, startProdigy, until, workspace } from './workflow-helpers.js';

const SECRET = 'sk-mapreduce-secret-5521';

describe('MapReduce workflow environment', () => {
  it('secrets reach setup, input, agents and reduce but appear in no file under PRODIGY_HOME and no output', () => {
    const home = tempHome();
    const ws = workspace(`name: secret-job
mode: mapreduce
secrets:
  API_KEY: "\${env:MY_TOKEN}"
setup:
  - shell: "echo setup-saw-$API_KEY"
    capture: SEEN
map:
  input: "printf 'one\\\\ntwo\\\\nbad\\\\n'; echo \${API_KEY}"
  max_parallel: 2
  agent_template:
    - shell: "echo \${item} \${API_KEY} >> agents.txt; echo out-\${API_KEY}; test \${item} != bad || { echo err-\${API_KEY} >&2; exit 4; }"
reduce:
  - shell: "echo \${SEEN} \${map.results} $API_KEY > reduce.txt; echo reduce-\${API_KEY}; exit 5"
`);
    const env = { MY_TOKEN: SECRET };
    const r = prodigy(['run', ws.file, '--path', ws.dir, '-v'], { home, cwd: ws.dir, env });
    // The reduce fails on purpose: the error (naming its command) goes to the session and stderr too.
    expect(r.code, r.stderr + r.stdout).toBe(1);
    // The commands got the real value.
    expect(lines(path.join(ws.dir, 'agents.txt')).filter((l) => l.startsWith('one ') || l.startsWith('two ')).sort()).toEqual([`one ${SECRET}`, `two ${SECRET}`]);
    expect(fs.readFileSync(path.join(ws.dir, 'reduce.txt'), 'utf8')).toContain(SECRET);
    const jobId = /Job (\S+)/.exec(r.stdout)![1]!;
    const listings = [
      prodigy(['events', jobId, '--json'], { home, cwd: ws.dir }),
      prodigy(['dlq', 'list', jobId, '--json'], { home, cwd: ws.dir }),
      prodigy(['sessions', 'list', '--json'], { home, cwd: ws.dir }),
    ];
    expect(listings[1]!.stdout).toContain('err-***');
    const everything = [r.stdout, r.stderr, ...listings.flatMap((l) => [l.stdout, l.stderr]), allTextUnder(home)].join('\n');
    expect(everything).not.toContain(SECRET);
    expect(everything).toContain('setup-saw-***');
    expect(everything).toContain('out-***');
    expect(onlySession(home).status).toBe('Failed');
  });

  it('profiles, --param, dynamic env, env_files and max_parallel from a variable; refusals before any session', () => {
    const home = tempHome();
    const ws = workspace(`mode: mapreduce
env:
  STAGE: dev
  WORKERS: "1"
  REV: {command: "echo r7"}
  SIZE: {condition: "\${WORKERS} > 1", when_true: wide, when_false: narrow}
env_files: [job.env]
profiles:
  prod: {STAGE: production, WORKERS: "3"}
map:
  input: "printf 'a\\\\nb\\\\n'"
  max_parallel: \${WORKERS}
  agent_template:
    - shell: "echo \${item} $STAGE $REV $SIZE $FROM_FILE \${TAG} >> seen.txt"
`);
    fs.writeFileSync(path.join(ws.dir, 'job.env'), 'FROM_FILE=filed\n');
    const r = prodigy(['run', ws.file, '--path', ws.dir, '--profile', 'prod', '--param', 'TAG=t1'], { home, cwd: ws.dir });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('3 at a time');
    expect(r.stderr).not.toContain('is ignored');
    expect(lines(path.join(ws.dir, 'seen.txt')).sort()).toEqual(['a production r7 wide filed t1', 'b production r7 wide filed t1']);

    const refusals = [
      prodigy(['run', ws.file, '--path', ws.dir, '--profile', 'nope'], { home, cwd: ws.dir }),
      prodigy(['run', ws.file, '--path', ws.dir, '-n', '2'], { home, cwd: ws.dir }),
      prodigy(['run', ws.file, '--path', ws.dir, '--param', 'WORKERS=many'], { home, cwd: ws.dir }),
    ];
    expect(refusals.map((x) => x.code)).toEqual([2, 2, 2]);
    expect(refusals[0]!.stderr.trim()).toBe('prodigy: --profile nope: no such profile (known: prod)');
    expect(refusals[1]!.stderr).toContain('--max-iterations applies to sequential workflows');
    expect(refusals[2]!.stderr.trim()).toBe(`prodigy: ${ws.file}:12:17: max_parallel: \${WORKERS} is "many", not a positive whole number`);
    expect(sessionsIn(home)).toHaveLength(1);
  });

  it('a resumed job sees the profile, params and secrets of its run', async () => {
    const home = tempHome();
    const ws = workspace(`mode: mapreduce
secrets:
  API_KEY: "\${env:MY_TOKEN}"
profiles:
  prod: {STAGE: production}
env:
  STAGE: dev
map:
  input: "printf 'a\\\\nb\\\\n'"
  max_parallel: 1
  agent_template:
    - shell: "echo \${item} $STAGE $P \${API_KEY} >> seen.txt; while [ ! -f go ]; do sleep 0.05; done"
`);
    const env = { MY_TOKEN: SECRET };
    const run = startProdigy(['run', ws.file, '--path', ws.dir, '--profile', 'prod', '--param', 'P=pp'], { home, cwd: ws.dir, env });
    await until(() => lines(path.join(ws.dir, 'seen.txt')).length > 0, 60_000, 'the first agent to start');
    process.kill(-run.child.pid!, 'SIGINT');
    const stopped = await run.exit;
    expect(stopped.code, run.stderr()).toBe(130);
    fs.writeFileSync(path.join(ws.dir, 'go'), '');
    const jobId = /Job (\S+)/.exec(run.stdout())![1]!;
    const r = prodigy(['resume-job', jobId], { home, cwd: ws.dir, env });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(new Set(lines(path.join(ws.dir, 'seen.txt')))).toEqual(new Set([`a production pp ${SECRET}`, `b production pp ${SECRET}`]));
    expect(`${run.stdout()}${run.stderr()}${r.stdout}${r.stderr}${allTextUnder(home)}`).not.toContain(SECRET);
  });

  it('--dry-run lists the items a command input gives (running only that command), secrets as ***, no session', () => {
    const home = tempHome();
    const ws = workspace(`mode: mapreduce
secrets:
  API_KEY: "\${env:MY_TOKEN}"
setup:
  - shell: "touch setup-ran"
map:
  input: "echo '[{\\"n\\": 1}, {\\"n\\": 2}, {\\"n\\": 3}]'"
  filter: "item.n >= 2"
  agent_template:
    - shell: "touch agent-ran"
`);
    const r = prodigy(['run', ws.file, '--path', ws.dir, '--dry-run'], { home, cwd: ws.dir, env: { MY_TOKEN: SECRET } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("items selected: 2 (listed by running map.input's command");
    expect(r.stdout).toContain('{"n":2}');
    expect(r.stdout).toContain('API_KEY=***');
    expect(r.stdout).not.toContain(SECRET);
    expect(fs.existsSync(path.join(ws.dir, 'setup-ran')) || fs.existsSync(path.join(ws.dir, 'agent-ran'))).toBe(false);
    expect(sessionsIn(home)).toEqual([]);
    // An input that setup would make: said so, still exit 0.
    const later = workspace('mode: mapreduce\nsetup:\n  - shell: "echo [] > items.json"\nmap:\n  input: items.json\n  agent_template:\n    - shell: "true"\n');
    const l = prodigy(['run', later.file, '--path', later.dir, '--dry-run'], { home, cwd: later.dir });
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toContain('does not exist yet (setup, which a dry run does not run, may make it)');
  });
});
