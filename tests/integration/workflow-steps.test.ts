/** Prodigy's step kinds and step fields, run for real (real processes, a real store). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { fakeClaude, lines, onlySession, workspace } from './workflow-helpers.js';

function run(yaml: string) {
  const home = tempHome();
  const ws = workspace(yaml);
  const r = prodigy(['run', ws.file, '--path', ws.dir], { home, cwd: ws.dir, env: { PRODIGY_CLAUDE_BIN: fakeClaude } });
  return { ...r, home, ...ws, read: (f: string) => fs.readFileSync(path.join(ws.dir, f), 'utf8') };
}

describe('step kinds', () => {
  it('write_file writes text/json with mode and create_dirs; refuses paths outside the working directory', () => {
    const r = run(`env: {WHO: ana}
commands:
  - write_file: {path: "out/\${WHO}.txt", content: "hi \${WHO}", create_dirs: true, mode: "0600"}
  - write_file: {path: cfg.json, content: '{"who": "\${WHO}"}', format: json}
`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.read('out/ana.txt')).toBe('hi ana');
    expect(fs.statSync(path.join(r.dir, 'out/ana.txt')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(r.read('cfg.json'))).toEqual({ who: 'ana' });
    const bad = run('- write_file: {path: ../escape.txt, content: x}\n');
    expect(bad.code).toBe(1);
    expect(onlySession(bad.home).error).toContain('write_file.path "../escape.txt" is outside the working directory');
    expect(fs.existsSync(path.join(bad.dir, '..', 'escape.txt'))).toBe(false);
  });

  it('foreach over a list and over a command; max_items; continue_on_error carries on', () => {
    const r = run(`commands:
  - foreach:
      foreach: [a, b, c]
      max_items: 2
      do:
        - shell: "echo \${item}-\${item_index}/\${item_total} >> list"
  - shell: "printf 'x\\\\ny\\\\n' > names"
  - foreach: "cat names"
    parallel: 2
    do:
      - shell: "touch got-\${item}"
  - foreach:
      foreach: [ok, bad, ok2]
      continue_on_error: true
      do:
        - shell: "test \${item} != bad && echo \${item} >> cont"
  - shell: "echo after > after"
`);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(path.join(r.dir, 'list'))).toEqual(['a-0/2', 'b-1/2']);
    expect(fs.existsSync(path.join(r.dir, 'got-x')) && fs.existsSync(path.join(r.dir, 'got-y'))).toBe(true);
    expect(lines(path.join(r.dir, 'cont'))).toEqual(['ok', 'ok2']);
    expect(r.read('after')).toBe('after\n');
  });

  it('foreach without continue_on_error fails the step at the first failing item', () => {
    const r = run('- foreach: [a, bad, c]\n  do:\n    - shell: "test ${item} != bad && echo ${item} >> seen"\n');
    expect(r.code).toBe(1);
    expect(lines(path.join(r.dir, 'seen'))).toEqual(['a']);
    expect(onlySession(r.home).error).toContain('item 2 (bad)');
  });

  it('validate + on_incomplete: gaps reach the handler, attempts count, complete on the second round', () => {
    const r = run(`commands:
  - validate:
      shell: "if [ -f fixed ]; then echo '{\\"complete\\": true, \\"score\\": 100, \\"gaps\\": []}' > r.json; else echo '{\\"completion_percentage\\": 40, \\"status\\": \\"incomplete\\", \\"gaps\\": [\\"tests\\"]}' > r.json; fi"
      result_file: r.json
      on_incomplete:
        shell: "echo '\${validation.gaps} \${validation.attempt_number}' >> handled; touch fixed"
`);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(path.join(r.dir, 'handled'))).toEqual(['["tests"] 1']);
  });

  it('validate fails after max_attempts, or is tolerated with fail_workflow: false; a result fitting no shape names the file', () => {
    const incomplete = `shell: "echo '{\\"completion_percentage\\": 10, \\"gaps\\": [\\"x\\"]}'"`;
    const r = run(`- shell: "true"\n  validate:\n    ${incomplete}\n    threshold: 50\n    on_incomplete:\n      shell: "echo try >> tries"\n`);
    expect(r.code).toBe(1);
    expect(lines(path.join(r.dir, 'tries'))).toEqual(['try', 'try']);
    expect(onlySession(r.home).error).toContain('validation incomplete: 10% < 50% after 2 on_incomplete attempts');
    const ok = run(`- validate:\n    ${incomplete}\n    on_incomplete:\n      shell: "true"\n      max_attempts: 1\n      fail_workflow: false\n- shell: "touch next"\n`);
    expect(ok.code, ok.stderr).toBe(0);
    expect(fs.existsSync(path.join(ok.dir, 'next'))).toBe(true);
    const odd = run('- validate:\n    shell: "echo \'{\\"ok\\": 1}\' > odd.json"\n    result_file: odd.json\n');
    expect(odd.code).toBe(1);
    expect(onlySession(odd.home).error).toContain('validation result odd.json: fits neither');
    const notJson = run('- validate:\n    result_file: missing.json\n');
    expect(onlySession(notJson.home).error).toContain('validation result missing.json: no such file');
  });

  it('analyze does nothing and warns once; test: runs as shell', () => {
    const r = run('- analyze: {}\n- test:\n    command: "touch tested"\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/key "analyze" is ignored/g)).toHaveLength(1);
    expect(r.stderr).toContain('key "test" is deprecated');
    expect(fs.existsSync(path.join(r.dir, 'tested'))).toBe(true);
  });
});

describe('step fields', () => {
  it('on_failure forms: true ignores, false fails, a string handler carries on, handler_failure_fatal fails', () => {
    expect(run('- shell: "exit 1"\n  on_failure: true\n- shell: "touch next"\n').code).toBe(0);
    expect(run('- shell: "exit 1"\n  on_failure: false\n').code).toBe(1);
    const s = run('- shell: "exit 1"\n  on_failure: "echo $((1+1)) > handled"\n- shell: "touch next"\n');
    expect(s.code, s.stderr).toBe(0);
    expect(s.read('handled')).toBe('2\n');
    const list = run('- shell: "exit 1"\n  on_failure:\n    - "echo a >> h"\n    - "echo b >> h"\n');
    expect(lines(path.join(list.dir, 'h'))).toEqual(['a', 'b']);
    const fatal = run('- shell: "exit 1"\n  on_failure:\n    commands:\n      - shell: "exit 3"\n        continue_on_error: true\n      - shell: "exit 4"\n    handler_failure_fatal: true\n');
    expect(fatal.code).toBe(1);
    expect(onlySession(fatal.home).error).toContain('on_failure handler failed: exited with code 4');
  });

  it('retry tries again after its delay until success; retry_on skips other failures', () => {
    const r = run('- shell: "echo x >> tries; [ $(wc -l < tries) -ge 3 ]"\n  retry: {attempts: 4, initial_delay: "10ms", backoff: fixed}\n');
    expect(r.code, r.stderr).toBe(0);
    expect(lines(path.join(r.dir, 'tries'))).toHaveLength(3);
    const only = run('- shell: "echo x >> tries; echo syntax error; exit 1"\n  retry: {attempts: 4, initial_delay: "10ms", retry_on: [network]}\n');
    expect(only.code).toBe(1);
    expect(lines(path.join(only.dir, 'tries'))).toHaveLength(1);
  });

  it('on_exit_code runs the step for that code and the failure counts as handled', () => {
    const r = run('- shell: "exit 3"\n  on_exit_code:\n    3: "echo three > code"\n- shell: "touch next"\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.read('code')).toBe('three\n');
  });

  it('step env, working_dir and clear_env; capture_streams and outputs', () => {
    const r = run(`env: {GLOBAL: g}
commands:
  - shell: "mkdir -p sub && echo doc > sub/a.md"
  - shell: "echo $LOCAL-$GLOBAL > here"
    env: {LOCAL: "l-\${GLOBAL}"}
    working_dir: sub
  - shell: "(printenv GLOBAL || echo none) > cleared; (printenv HOME || echo none) >> cleared"
    clear_env: true
  - shell: "echo out; echo err >&2; exit 0"
    capture: res
    capture_streams: {stdout: true, stderr: true, exit_code: true, success: true}
  - shell: "true"
    id: gen
    outputs:
      docs: {file_pattern: "*.md"}
  - shell: "echo '\${res}|\${res.stderr}|\${res.exit_code}|\${res.success}|\${gen.docs}' > captured"
`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.read('sub/here')).toBe('l-g-g\n');
    expect(r.read('cleared')).toBe('none\nnone\n');
    expect(r.read('captured')).toBe('out|err|0|true|sub/a.md\n');
  });
});
