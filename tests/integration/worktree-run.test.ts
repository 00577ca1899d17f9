import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { commitAll, gitEnv, gitIn, headOf, logOf, makeRepo, statusOf, writeFiles } from '../helpers/git-repo.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { onlySession, startProdigy, until } from './workflow-helpers.js';

/** A workflow that changes `file` and commits it, inside whatever tree it runs in. */
const committing = (file: string, text: string) => `name: iso
commands:
  - shell: "printf '${text}\\\\n' > ${file} && git add ${file} && git commit -qm 'change ${file}'"
    commit_required: true
  - shell: "pwd > where.txt"
`;

function setup(workflow: string, files: Record<string, string> = { 'README.md': 'hello\n', 'notes.txt': 'one\n' }) {
  const repo = makeRepo(files);
  const home = tempHome();
  const wf = path.join(tempDir('prodigy-wf-'), 'wf.yml');
  fs.writeFileSync(wf, workflow);
  const run = (args: string[] = []) => prodigy(['run', wf, ...args], { home, cwd: repo, env: gitEnv });
  return { repo, home, wf, run };
}

const worktreeRows = (home: string, cwd: string) => JSON.parse(prodigy(['worktree', 'ls', '--json'], { home, cwd, env: gitEnv }).stdout) as Array<Record<string, unknown>>;

describe('a run in its own git worktree', () => {
  it('runs every step in $PRODIGY_HOME/worktrees/<repo>/<id> on prodigy-<id>, leaves the user tree alone, and without a terminal or -y merges nothing', () => {
    const { repo, home, run } = setup(committing('notes.txt', 'two'));
    writeFiles(repo, { 'README.md': 'my own edit\n', 'scratch.txt': 'untracked\n' });
    const before = headOf(repo);
    const r = run();
    expect(r.code).toBe(0);
    const s = onlySession(home);
    const wtPath = path.join(home, 'worktrees', path.basename(repo), s.id);
    expect(r.stdout).toContain(`Worktree ${wtPath} (branch prodigy-${s.id} from main)`);
    expect(r.stdout).toContain('1 uncommitted change(s) and 1 untracked file(s) in your tree are not in the run');
    expect(r.stdout).toContain(`prodigy worktree merge ${s.id}`);
    // The steps ran in the worktree; the user's branch, HEAD and edits are as they were.
    expect(fs.readFileSync(path.join(wtPath, 'where.txt'), 'utf8').trim()).toBe(fs.realpathSync(wtPath));
    expect(headOf(repo)).toBe(before);
    expect(fs.readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('one\n');
    expect(fs.readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('my own edit\n');
    expect(fs.existsSync(path.join(repo, 'where.txt'))).toBe(false);
    expect(s.workflow_data?.worktree_name).toBe(s.id);
    expect(s.metadata).toMatchObject({ worktree_path: wtPath, worktree_branch: `prodigy-${s.id}`, base_branch: 'main', base_commit: before, repo_path: repo });
    expect(worktreeRows(home, repo)).toEqual([expect.objectContaining({ session_id: s.id, branch: `prodigy-${s.id}`, commits_ahead: 1, merged: false, exists: true, status: 'Completed' })]);

    // Merged later by name: a fast-forward; the worktree and its branch are removed.
    fs.writeFileSync(path.join(repo, 'README.md'), 'hello\n');
    const m = prodigy(['worktree', 'merge', s.id.slice(0, 16)], { home, cwd: repo, env: gitEnv });
    expect(m.stderr).toBe('');
    expect(m.code).toBe(0);
    expect(m.stdout).toContain(`Merged 1 commit(s) from prodigy-${s.id} into main (fast-forward)`);
    expect(logOf(repo)[0]).toBe('change notes.txt');
    expect(fs.readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('two\n');
    expect(fs.existsSync(wtPath)).toBe(false);
    expect(gitIn(repo, ['branch', '--list', `prodigy-${s.id}`])).toBe('');
    expect(worktreeRows(home, repo)).toEqual([]);
  }, 90_000);

  it('-y merges at the end: a merge commit when the base moved on, and the user tree keeps unrelated edits', async () => {
    const { repo, home, wf } = setup(`name: iso
commands:
  - shell: "printf 'two\\\\n' > notes.txt && git add notes.txt && git commit -qm 'change notes'"
  - shell: "while [ ! -f \\"$GO_FILE\\" ]; do sleep 0.05; done"
`);
    const go = path.join(tempDir('prodigy-go-'), 'go');
    const runner = startProdigy(['run', wf, '-y'], { home, cwd: repo, env: { ...gitEnv, GO_FILE: go } });
    await until(() => onlySession(home).workflow_data!.current_step >= 1, 60_000, 'the run to reach its second step');
    // The user commits while the run waits, so no fast-forward is possible.
    writeFiles(repo, { 'other.txt': 'mine\n' });
    commitAll(repo, 'user work');
    writeFiles(repo, { 'README.md': 'uncommitted but unrelated\n' });
    fs.writeFileSync(go, '');
    expect((await runner.exit).code).toBe(0);
    expect(runner.stdout()).toMatch(/Merged 1 commit\(s\) from prodigy-\S+ into main \(merge-commit\)/);
    expect(logOf(repo).slice(0, 3)).toEqual([expect.stringMatching(/^Merge prodigy-session-/), 'user work', 'change notes']);
    expect(fs.readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('two\n');
    expect(fs.readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('uncommitted but unrelated\n');
  }, 90_000);

  it('refuses to merge onto another branch, or over uncommitted changes to the same files; a conflict is aborted and the worktree kept', () => {
    const { repo, home, run } = setup(committing('notes.txt', 'from the run'));
    expect(run().code).toBe(0);
    const s = onlySession(home);
    const merge = () => prodigy(['worktree', 'merge', s.id, '-y'], { home, cwd: repo, env: gitEnv });

    gitIn(repo, ['checkout', '-q', '-b', 'elsewhere']);
    let m = merge();
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('not merged: your checkout is on branch elsewhere, the run started from main');
    gitIn(repo, ['checkout', '-q', 'main']);

    writeFiles(repo, { 'notes.txt': 'my uncommitted edit\n' });
    m = merge();
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('uncommitted changes to notes.txt');
    expect(fs.readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('my uncommitted edit\n');

    commitAll(repo, 'user edits the same line');
    const head = headOf(repo);
    m = merge();
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(`conflicts with main in notes.txt; merge aborted`);
    expect(headOf(repo)).toBe(head);
    expect(statusOf(repo)).toBe('');
    expect(fs.existsSync(path.join(repo, '.git', 'MERGE_HEAD'))).toBe(false);
    expect(fs.existsSync(s.metadata.worktree_path as string)).toBe(true);
    expect(gitIn(repo, ['branch', '--list', `prodigy-${s.id}`])).toContain(`prodigy-${s.id}`);
  }, 90_000);

  it('--no-worktree and a folder outside git run in place, each saying so in one line', () => {
    const { repo, home, run } = setup(committing('notes.txt', 'in place'));
    const r = run(['--no-worktree']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Running in place (--no-worktree)');
    expect(logOf(repo)[0]).toBe('change notes.txt');
    expect(onlySession(home).metadata.worktree_path).toBeUndefined();

    const plain = tempDir('prodigy-plain-');
    const home2 = tempHome();
    const wf = path.join(plain, 'wf.yml');
    fs.writeFileSync(wf, 'name: p\ncommands:\n  - shell: "pwd > where.txt"\n');
    const p = prodigy(['run', wf], { home: home2, cwd: plain, env: gitEnv });
    expect(p.code).toBe(0);
    expect(p.stdout).toContain(`Running in place: ${plain} is not in a git repository`);
    expect(fs.existsSync(path.join(plain, 'where.txt'))).toBe(true);
  }, 90_000);

  it('a run without commits removes its worktree at the end; worktree clean keeps unmerged branches and live runs', () => {
    const { repo, home, run } = setup('name: quiet\ncommands:\n  - shell: "true"\n');
    const r = run();
    expect(r.code).toBe(0);
    const quiet = onlySession(home);
    expect(r.stdout).toContain(`No new commits in prodigy-${quiet.id}; worktree removed`);
    expect(fs.existsSync(quiet.metadata.worktree_path as string)).toBe(false);

    const other = setup(committing('notes.txt', 'kept'));
    expect(other.run().code).toBe(0);
    const s = onlySession(other.home);
    expect(prodigy(['worktree', 'clean'], { home: other.home, cwd: other.repo, env: gitEnv }).code).toBe(2);
    const dry = prodigy(['worktree', 'clean', '--all', '--dry-run'], { home: other.home, cwd: other.repo, env: gitEnv });
    expect(dry.stdout).toContain(`would remove ${s.metadata.worktree_path} (branch prodigy-${s.id} kept: 1 unmerged commit(s))`);
    expect(fs.existsSync(s.metadata.worktree_path as string)).toBe(true);
    expect(prodigy(['worktree', 'clean', '--all', '--merged-only'], { home: other.home, cwd: other.repo, env: gitEnv }).stdout).toContain('Nothing to clean.');
    const c = prodigy(['worktree', 'clean', s.id], { home: other.home, cwd: other.repo, env: gitEnv });
    expect(c.code).toBe(0);
    expect(fs.existsSync(s.metadata.worktree_path as string)).toBe(false);
    // The branch still holds the run's commit: nothing of it is lost.
    expect(gitIn(other.repo, ['log', '--format=%s', '-1', `prodigy-${s.id}`])).toBe('change notes.txt');
  }, 90_000);
});

