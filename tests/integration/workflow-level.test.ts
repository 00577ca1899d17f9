/** Workflow-level keys and run flags: dynamic env, secrets (masked everywhere), env_files, profiles, -n, --args/--map, --param. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { allTextUnder, fakeClaude, lines, onlySession, sessionsIn, workspace } from './workflow-helpers.js';

function run(yaml: string, flags: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const home = tempHome();
  const ws = workspace(yaml);
  const r = prodigy(['run', ws.file, '--path', ws.dir, ...flags], { home, cwd: ws.dir, env: { PRODIGY_CLAUDE_BIN: fakeClaude, ...env } });
  return { ...r, home, ...ws, read: (f: string) => fs.readFileSync(path.join(ws.dir, f), 'utf8') };
}

describe('workflow-level environment', () => {
  it('dynamic {command} and {condition} env values, env_files and a profile', () => {
    const yaml = `env:
  MODE: dev
  REV: {command: "echo r42", cache: true}
  KIND: {condition: "\${MODE} == prod", when_true: big, when_false: small}
env_files: [vars.env]
profiles:
  prod: {MODE: prod, description: production}
commands:
  - shell: "echo $MODE $REV $KIND $FROM_FILE > out"
`;
    const ws = workspace(yaml);
    fs.writeFileSync(path.join(ws.dir, 'vars.env'), '# comment\nexport FROM_FILE="filed"\n');
    const home = tempHome();
    const dev = prodigy(['run', ws.file, '--path', ws.dir], { home, cwd: ws.dir });
    expect(dev.code, dev.stderr).toBe(0);
    expect(fs.readFileSync(path.join(ws.dir, 'out'), 'utf8')).toBe('dev r42 small filed\n');
    const prod = prodigy(['run', ws.file, '--path', ws.dir, '--profile', 'prod'], { home, cwd: ws.dir });
    expect(prod.code, prod.stderr).toBe(0);
    expect(fs.readFileSync(path.join(ws.dir, 'out'), 'utf8')).toBe('prod r42 big filed\n');
    const bad = prodigy(['run', ws.file, '--path', ws.dir, '--profile', 'nope'], { home, cwd: ws.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('prodigy: --profile nope: no such profile (known: prod)');
  });

  it('secrets reach the command but are masked in every output and every file under PRODIGY_HOME', () => {
    const secret = 'sk-very-secret-9137';
    const r = run(`secrets:
  API_KEY: "\${env:MY_TOKEN}"
commands:
  - shell: "echo key=$API_KEY; echo \${API_KEY} > used; echo \${API_KEY} >&2"
  - shell: "echo again \${API_KEY}; exit 3"
`, ['-v'], { MY_TOKEN: secret });
    expect(r.code).toBe(1);
    expect(r.read('used')).toBe(`${secret}\n`);
    const everything = `${r.stdout}\n${r.stderr}\n${allTextUnder(r.home)}`;
    expect(everything).not.toContain(secret);
    expect(everything).toContain('key=***');
    expect(onlySession(r.home).error).toBeTruthy();
    const missing = run('secrets:\n  API_KEY: "${env:NOT_SET_ANYWHERE}"\ncommands:\n  - shell: "true"\n');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('secrets.API_KEY');
    expect(sessionsIn(missing.home)).toEqual([]);
    // A secret given through --param is recorded masked, so a resume could not rebuild it: said at once.
    const viaParam = run('secrets:\n  T: "${P}"\ncommands:\n  - shell: "echo t=$T"\n', ['-v', '--param', `P=${secret}`]);
    expect(viaParam.code).toBe(0);
    expect(viaParam.stdout).toContain('t=***');
    expect(viaParam.stderr).toContain("prodigy: warning: --param P contains a secret's value: the session records it masked, so a resume or a later worktree merge will not have it");
    expect(allTextUnder(viaParam.home)).not.toContain(secret);
  });
});

describe('run flags', () => {
  it('-n repeats the commands with ${workflow.iteration}; --args and --map run once per value with $ARG', () => {
    const n = run('- shell: "echo it-${workflow.iteration} >> its"\n', ['-n', '3']);
    expect(n.code, n.stderr).toBe(0);
    expect(lines(path.join(n.dir, 'its'))).toEqual(['it-1', 'it-2', 'it-3']);
    const a = run('- shell: "echo $ARG ${ARG} $PRODIGY_ARG >> args"\n', ['--args', 'x,y', '--args', 'z']);
    expect(a.code, a.stderr).toBe(0);
    expect(lines(path.join(a.dir, 'args'))).toEqual(['x x x', 'y y y', 'z z z']);
    const ws = workspace('- shell: "echo $ARG >> mapped"\n');
    fs.mkdirSync(path.join(ws.dir, 'specs'));
    fs.writeFileSync(path.join(ws.dir, 'specs', 'a.md'), '');
    fs.writeFileSync(path.join(ws.dir, 'specs', 'b.md'), '');
    const m = prodigy(['run', ws.file, '--path', ws.dir, '--map', 'specs/*.md'], { home: tempHome(), cwd: ws.dir });
    expect(m.code, m.stderr).toBe(0);
    expect(lines(path.join(ws.dir, 'mapped'))).toEqual(['specs/a.md', 'specs/b.md']);
    expect(run('- shell: "true"\n', ['-n', 'abc']).code).toBe(2);
  });

  it('--param and --param-file set variables over env:', () => {
    const ws = workspace('env: {WHO: env}\ncommands:\n  - shell: "echo ${WHO} ${COUNT} > out"\n');
    fs.writeFileSync(path.join(ws.dir, 'p.yml'), 'COUNT: 3\nWHO: file\n');
    const r = prodigy(['run', ws.file, '--path', ws.dir, '--param-file', 'p.yml', '--param', 'WHO=flag'], { home: tempHome(), cwd: ws.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(ws.dir, 'out'), 'utf8')).toBe('flag 3\n');
    const bad = prodigy(['run', ws.file, '--path', ws.dir, '--param', 'novalue'], { home: tempHome(), cwd: ws.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('prodigy: --param novalue: expected KEY=VALUE');
  });

  it('--dry-run prints the plan and runs nothing; prodigy validate prints warnings and exits 0 / 2; --version', () => {
    const r = run('env: {A: "1"}\nsecrets: {S: literal-secret}\nfoo: 1\ncommands:\n  - shell: "touch ran"\n', ['--dry-run', '-n', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1. shell: touch ran  [iteration 1]');
    expect(r.stdout).toContain('2. shell: touch ran  [iteration 2]');
    expect(r.stdout).toContain('A=1');
    expect(r.stdout).toContain('S=***');
    expect(fs.existsSync(path.join(r.dir, 'ran'))).toBe(false);
    expect(sessionsIn(r.home)).toEqual([]);

    const ok = prodigy(['validate', r.file]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`${r.file}:3:1: key "foo" is ignored: not a Prodigy workflow key`);
    const json = JSON.parse(prodigy(['validate', r.file, '--json']).stdout) as { valid: boolean; warnings: unknown[] };
    expect(json.valid).toBe(true);
    expect(json.warnings).toHaveLength(1);
    const bad = workspace('- goal_seek: {}\n');
    const refused = prodigy(['validate', bad.file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${bad.file}:1:3: key "goal_seek" is refused`);
    expect(prodigy(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
