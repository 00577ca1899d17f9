/** `prodigy run` end to end: the built binary, real processes, a real store in a temporary PRODIGY_HOME. */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { repoRoot, tempHome } from '../helpers/home.js';
import { parseWorkflow } from '../../src/workflow/parse.js';
import { fakeClaude, lines, onlySession, pidAlive, sessionsIn, until, workspace } from './workflow-helpers.js';

function run(yaml: string, env: NodeJS.ProcessEnv = {}, flags: string[] = []) {
  const home = tempHome();
  const ws = workspace(yaml);
  const r = prodigy(['run', ws.file, '--path', ws.dir, ...flags], { home, cwd: ws.dir, env: { PRODIGY_CLAUDE_BIN: fakeClaude, ...env } });
  return { ...r, home, ...ws };
}

describe('prodigy run', () => {
  it('runs every step in order, records timings, metadata and the log', () => {
    const r = run(`name: markers
env:
  WHO: world
commands:
  - shell: "echo one >> out.txt"
  - shell: "echo hello $WHO"
    capture_output: greeting
  - shell: "echo \${greeting} \${workflow.name} $PRODIGY_SESSION_ID >> out.txt"
`);
    expect(r.code).toBe(0);
    const s = onlySession(r.home);
    expect(r.stdout.split('\n')[0]).toBe(`Session ${s.id}`);
    expect(r.stdout).toMatch(/✓ \[3\/3\] shell: echo/);
    expect(lines(path.join(r.dir, 'out.txt'))).toEqual(['one', `hello world markers ${s.id}`]);
    expect(s.status).toBe('Completed');
    expect(Object.keys(s.timings).sort()).toEqual(['step_0', 'step_1', 'step_2']);
    expect(s.workflow_data).toMatchObject({ workflow_name: 'markers', total_steps: 3, current_step: 3, completed_steps: [0, 1, 2] });
    expect(s.workflow_data!.variables).toMatchObject({ greeting: 'hello world' });
    expect(s.metadata.steps).toEqual(['shell: echo one >> out.txt', 'shell: echo hello $WHO', expect.stringContaining('shell: echo ${greeting}')]);
    expect(s.metadata.workflow_path).toBe(r.file);
    expect(s.metadata.workflow_hash).toMatch(/^[0-9a-f]{64}$/);
    const log = fs.readFileSync(path.join(r.home, 'logs', `${s.id}.log`), 'utf8');
    expect(log).toContain('hello world\n');
    expect(fs.existsSync(path.join(r.home, 'sessions', `${s.id}.lock`))).toBe(false);
  });

  it('refuses invalid YAML with file:line:col and creates no session', () => {
    const r = run('name: x\ncommands:\n  - shell: a\n\t- shell: b\n');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`prodigy: ${r.file}:4:1: Tabs are not allowed as indentation`);
    expect(sessionsIn(r.home)).toEqual([]);
  });

  it('refuses an unknown command form before any session exists', () => {
    const r = run('- shell: echo a\n- bash: echo b\n');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`prodigy: ${r.file}:2:3: a step must have 'claude', 'shell', 'analyze', 'foreach', 'write_file' or 'validate' (found "bash")`);
    expect(sessionsIn(r.home)).toEqual([]);
  });

  it('refuses a missing file and a bad MapReduce workflow with one line, exit 2', () => {
    const home = tempHome();
    const missing = prodigy(['run', '/nonexistent/wf.yml'], { home });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('prodigy: /nonexistent/wf.yml: no such file');
    const mr = run('name: m\nmode: mapreduce\nmap:\n  input: items.json\n');
    expect(mr.code).toBe(2);
    expect(mr.stderr.trim()).toBe(`prodigy: ${mr.file}:3:1: map: needs an agent_template: (the commands each item runs)`);
    expect(sessionsIn(mr.home)).toEqual([]);
  });

  it('warns about unknown keys but runs', () => {
    const r = run('name: x\nfoo: 1\ncommands:\n  - shell: "true"\n');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${r.file}:2:1: warning: key "foo" is ignored: not a Prodigy workflow key`);
  });

  it('fails the session at the failing step with its error, and does not run later steps', () => {
    const r = run('- shell: "echo a >> out.txt"\n- shell: "echo boom; exit 4"\n- shell: "echo c >> out.txt"\n');
    expect(r.code).toBe(1);
    const s = onlySession(r.home);
    expect(s.status).toBe('Failed');
    expect(s.error).toBe('step 2 (shell: echo boom; exit 4) failed: exited with code 4');
    expect(s.metadata.failed_step).toBe(1);
    expect(s.workflow_data!.completed_steps).toEqual([0]);
    expect(lines(path.join(r.dir, 'out.txt'))).toEqual(['a']);
    expect(r.stderr).toContain('  | boom');
    expect(r.stderr).toContain('prodigy: step 2 (shell: echo boom; exit 4) failed: exited with code 4');
  });

  it('on_failure retries: the handler runs, the command is retried until it succeeds', () => {
    const r = run(`- shell: "n=$(cat n 2>/dev/null || echo 0); n=$((n+1)); echo $n > n; echo attempt $n; [ $n -ge 3 ]"
  on_failure:
    shell: "echo handled \${shell.output} >> handler.txt"
    max_attempts: 3
- shell: "echo after >> handler.txt"
`);
    expect(r.code).toBe(0);
    expect(lines(path.join(r.dir, 'handler.txt'))).toEqual(['handled attempt 1', 'handled attempt 2', 'after']);
    expect(onlySession(r.home).status).toBe('Completed');
  });

  it('on_failure gives up after max_attempts with fail_workflow: true; by default (Prodigy) a handler carries on', () => {
    const failing = run('- shell: "echo x >> tries; exit 1"\n  on_failure:\n    shell: "true"\n    max_attempts: 2\n    fail_workflow: true\n');
    expect(failing.code).toBe(1);
    expect(lines(path.join(failing.dir, 'tries'))).toHaveLength(3);
    expect(onlySession(failing.home).error).toContain('on_failure did not recover it');
    const tolerated = run('- shell: "exit 1"\n  on_failure:\n    shell: "exit 1"\n- shell: "echo next > next"\n');
    expect(tolerated.code).toBe(0);
    expect(lines(path.join(tolerated.dir, 'next'))).toEqual(['next']);
  });

  it('a timeout kills the whole process group: no orphan sleep is left', async () => {
    const r = run('- shell: "sleep 300 & echo $! > sleep.pid; wait"\n  timeout: 1\n');
    expect(r.code).toBe(1);
    expect(onlySession(r.home).error).toContain('timed out after 1s (process group killed)');
    const pid = Number(fs.readFileSync(path.join(r.dir, 'sleep.pid'), 'utf8'));
    expect(pid).toBeGreaterThan(0);
    await until(() => !pidAlive(pid), 5000, `sleep ${pid} to be gone`);
    expect(pidAlive(pid)).toBe(false);
  });

  it('runs claude steps through PRODIGY_CLAUDE_BIN, streaming or not, with the answer as output', () => {
    const yaml = `- claude: "/review \\"\${workflow.name}\\""\n  capture_output: review\n- shell: "echo '\${claude.output}' > out.txt"\n`;
    for (const streaming of ['true', 'false']) {
      const r = run(yaml, { PRODIGY_CLAUDE_STREAMING: streaming });
      expect(r.code).toBe(0);
      expect(lines(path.join(r.dir, 'out.txt'))).toEqual(['claude did: /review "wf"']);
      const s = onlySession(r.home);
      expect(s.workflow_data!.variables.review).toBe('claude did: /review "wf"');
      if (streaming === 'true') expect(fs.readFileSync(path.join(r.home, 'logs', `${s.id}.log`), 'utf8')).toContain('working on /review "wf"');
    }
  });

  it('a missing claude binary fails that step with a clear line', () => {
    const r = run('- shell: "echo a > a"\n- claude: /review\n', { PRODIGY_CLAUDE_BIN: '/nonexistent/claude' });
    expect(r.code).toBe(1);
    const s = onlySession(r.home);
    expect(s.metadata.failed_step).toBe(1);
    expect(s.error).toBe('step 2 (claude: /review) failed: claude executable "/nonexistent/claude" not found (install Claude Code or set PRODIGY_CLAUDE_BIN)');
    expect(r.stderr).toContain('claude executable "/nonexistent/claude" not found');
  });

  it('an unknown variable stays as text, and with --strict fails the step and names it', () => {
    const loose = run('- shell: "echo \'${nope}\' > out"\n');
    expect(loose.code).toBe(0);
    expect(fs.readFileSync(path.join(loose.dir, 'out'), 'utf8')).toBe('${nope}\n');
    const r = run('- shell: "echo ${nope}"\n', {}, ['--strict']);
    expect(r.code).toBe(1);
    expect(onlySession(r.home).error).toBe('step 1 (shell: echo ${nope}) failed: unknown variable ${nope}');
  });

  it('skips a step whose when: is false, and runs on_success after success', () => {
    const r = run('- shell: "echo 0"\n  capture_output: n\n- shell: "echo no > skipped"\n  when: "${n} > 0"\n- shell: "true"\n  on_success:\n    shell: "echo yes > ok"\n');
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(r.dir, 'skipped'))).toBe(false);
    expect(lines(path.join(r.dir, 'ok'))).toEqual(['yes']);
    expect(r.stdout).toContain('↷ [2/3]');
  });

  it('commit_required: in a git repository the step must create a commit', () => {
    const yaml = `- shell: "echo a > a && git add a && git -c user.email=t@t -c user.name=t commit -qm a"
  commit_required: true
- shell: "echo b > b"
  commit_required: true
`;
    const home = tempHome();
    const ws = workspace(yaml);
    spawnSync('git', ['init', '-q'], { cwd: ws.dir });
    const r = prodigy(['run', ws.file, '--path', ws.dir], { home, cwd: ws.dir });
    expect(r.code).toBe(1);
    const s = onlySession(home);
    expect(s.metadata.failed_step).toBe(1);
    expect(s.error).toContain('commit_required: the step did not create a git commit');
  });
});

describe('workflows/ examples', () => {
  const dir = path.join(repoRoot, 'workflows');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yml'));

  it('all parse without errors or warnings', () => {
    expect(files).toContain('demo.yml');
    for (const f of files) {
      const parsed = parseWorkflow(fs.readFileSync(path.join(dir, f), 'utf8'), f);
      expect(parsed.warnings, f).toEqual([]);
    }
  });

  it('claude-review.yml runs with the stand-in Claude', () => {
    const home = tempHome();
    const ws = workspace('');
    const r = prodigy(['run', path.join(dir, 'claude-review.yml'), '--path', ws.dir], { home, cwd: ws.dir, env: { PRODIGY_CLAUDE_BIN: fakeClaude } });
    expect(r.code).toBe(0);
    expect(onlySession(home).workflow_data!.variables.review).toBe('claude did: /review');
  });
});
