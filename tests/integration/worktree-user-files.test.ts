/**
 * A worktree holds only committed files: a relative map.input file or env_files entry that the user has
 * not committed is read from the user's directory, with one line saying so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { gitEnv, gitIn, logOf, makeRepo } from '../helpers/git-repo.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { onlySession, startProdigy, until } from './workflow-helpers.js';

function setup(workflow: string) {
  const repo = makeRepo({ 'README.md': 'hello\n' });
  const home = tempHome();
  const wf = path.join(tempDir('prodigy-wf-'), 'wf.yml');
  fs.writeFileSync(wf, workflow);
  return { repo, home, wf };
}

describe("files the run reads from the user's tree", () => {
  it('an untracked map.input file is read from the user directory (one line), and the agents commit as usual', () => {
    const { repo, home, wf } = setup(`name: untracked-input
mode: mapreduce
map:
  input: items.json
  max_parallel: 2
  agent_template:
    - shell: "echo \${item} > out-\${item}.txt && echo $PRODIGY_USER_DIR > dir-\${item}.txt && git add out-\${item}.txt dir-\${item}.txt && git commit -qm 'add \${item}'"
      commit_required: true
`);
    fs.writeFileSync(path.join(repo, 'items.json'), '["a", "b"]');
    const r = prodigy(['run', wf, '-y'], { home, cwd: repo, env: gitEnv });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 untracked file(s) in your tree are not in the run');
    expect(r.stdout).toContain(`Note: map.input items.json is not in the run's worktree (not committed): read from ${path.join(repo, 'items.json')}`);
    expect(r.stdout).toContain('2 successful, 0 failed, 2 total');
    expect(fs.readFileSync(path.join(repo, 'out-a.txt'), 'utf8')).toBe('a\n');
    expect(fs.readFileSync(path.join(repo, 'out-b.txt'), 'utf8')).toBe('b\n');
    // Agents in worktrees are told where the user's directory is.
    expect(fs.readFileSync(path.join(repo, 'dir-a.txt'), 'utf8')).toBe(`${repo}\n`);
    // The user's own file stays theirs: untracked, not committed by the run.
    expect(gitIn(repo, ['status', '--porcelain'])).toBe('?? items.json');
  }, 90_000);

  it('a map.input file that setup wrote is read from the worktree, without a note', () => {
    const { repo, home, wf } = setup(`name: setup-input
mode: mapreduce
setup:
  - shell: "echo '[\\"x\\"]' > items.json"
map:
  input: items.json
  agent_template:
    - shell: "true"
`);
    // A stale file of the same name in the user's tree is not the input: the worktree's is.
    fs.writeFileSync(path.join(repo, 'items.json'), '["stale1", "stale2", "stale3"]');
    const r = prodigy(['run', wf, '-y'], { home, cwd: repo, env: gitEnv });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Note: map.input');
    expect(r.stdout).toContain('1 successful, 0 failed, 1 total');
  }, 90_000);

  it('an untracked env_files entry is read from the user directory on the run and again on resume', async () => {
    const { repo, home, wf } = setup(`name: untracked-env
env_files:
  - .env.local
commands:
  - shell: "echo $GREETING > first.txt && git add first.txt && git commit -qm first"
  - shell: "while [ ! -f \\"$GO_FILE\\" ]; do sleep 0.05; done"
  - shell: "echo $GREETING > second.txt && git add second.txt && git commit -qm second"
`);
    fs.writeFileSync(path.join(repo, '.env.local'), 'GREETING=hi-from-the-user\n');
    const go = path.join(tempDir('prodigy-go-'), 'go');
    const runner = startProdigy(['run', wf, '-y'], { home, cwd: repo, env: { ...gitEnv, GO_FILE: go } });
    await until(() => onlySession(home).workflow_data!.current_step >= 1, 60_000, 'the run to reach its second step');
    const note = `Note: env_files entry .env.local is not in the run's worktree (not committed): read from ${path.join(repo, '.env.local')}`;
    await until(() => runner.stdout().includes(note), 30_000, 'the note');
    process.kill(-runner.child.pid!, 'SIGINT');
    expect((await runner.exit).code).toBe(130);
    fs.writeFileSync(go, '');
    const r = prodigy(['resume', onlySession(home).id, '-y'], { home, cwd: repo, env: { ...gitEnv, GO_FILE: go } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(note);
    expect(fs.readFileSync(path.join(repo, 'first.txt'), 'utf8')).toBe('hi-from-the-user\n');
    expect(fs.readFileSync(path.join(repo, 'second.txt'), 'utf8')).toBe('hi-from-the-user\n');
    expect(logOf(repo).slice(0, 2)).toEqual(['second', 'first']);
  }, 120_000);

  it('an env file found nowhere is one line, exit 2, and leaves no worktree or branch behind', () => {
    const { repo, home, wf } = setup('env_files:\n  - missing.env\ncommands:\n  - shell: "true"\n');
    const r = prodigy(['run', wf], { home, cwd: repo, env: gitEnv });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('prodigy: env_files: missing.env: no such file');
    expect(gitIn(repo, ['worktree', 'list']).split('\n')).toHaveLength(1);
    expect(gitIn(repo, ['branch', '--list', 'prodigy-*'])).toBe('');
    const dir = path.join(home, 'worktrees', path.basename(repo));
    expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]);
  }, 60_000);
});
