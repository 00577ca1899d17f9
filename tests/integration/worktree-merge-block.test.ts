import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { gitEnv, gitIn, logOf, makeRepo, statusOf } from '../helpers/git-repo.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { onlySession } from './workflow-helpers.js';

/** A run that commits notes.txt in its worktree, then the given merge: block (YAML, indented under merge:). */
function setup(merge: string, extra = '') {
  const repo = makeRepo({ 'README.md': 'hello\n', 'notes.txt': 'one\n' });
  const home = tempHome();
  const out = tempDir('prodigy-merge-out-');
  const wf = path.join(tempDir('prodigy-wf-'), 'wf.yml');
  fs.writeFileSync(
    wf,
    `name: iso
commands:
  - shell: "printf 'two\\\\n' > notes.txt && git add notes.txt && git commit -qm 'change notes'"
${extra}merge:
${merge}`,
  );
  const run = (args: string[] = [], env: NodeJS.ProcessEnv = {}) => prodigy(['run', wf, ...args], { home, cwd: repo, env: { ...gitEnv, OUT: out, ...env } });
  return { repo, home, out, run, wf };
}

describe("the workflow's merge: block replaces the default merge", () => {
  it('runs its steps in the session worktree with ${merge.*}; the branch merged by them is cleaned up', () => {
    const { repo, home, out, run } = setup(`  - shell: "pwd > $OUT/where && echo '\${merge.worktree} \${merge.source_branch} \${merge.target_branch} \${merge.session_id} \${merge.commit_count}' > $OUT/vars"
  - shell: "git -C '\${merge.repo_path}' merge --no-ff -q -m 'custom merge of \${merge.source_branch}' \${merge.source_branch}"
`);
    const r = run(['-y']);
    expect(r.stderr).not.toContain('merge');
    expect(r.code).toBe(0);
    const s = onlySession(home);
    const wtPath = path.join(home, 'worktrees', path.basename(repo), s.id);
    expect(r.stdout).toContain(`Running the workflow's merge: block (2 step(s)) in ${wtPath}`);
    expect(r.stdout).toContain('merge: [2/2] shell: git -C');
    expect(fs.readFileSync(path.join(out, 'where'), 'utf8').trim()).toBe(path.join(fs.realpathSync(home), 'worktrees', path.basename(repo), s.id));
    expect(fs.readFileSync(path.join(out, 'vars'), 'utf8').trim()).toBe(`${s.id} prodigy-${s.id} main ${s.id} 1`);
    // The block's own merge commit, not the default fast-forward.
    expect(logOf(repo)[0]).toBe(`custom merge of prodigy-${s.id}`);
    expect(logOf(repo)).toContain('change notes');
    expect(fs.readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('two\n');
    expect(r.stdout).toContain(`merge: block done; 1 commit(s) of prodigy-${s.id} are in main; worktree removed`);
    expect(fs.existsSync(wtPath)).toBe(false);
    expect(gitIn(repo, ['branch', '--list', `prodigy-${s.id}`])).toBe('');
  }, 90_000);

  it('a failing step stops the block: nothing merged, a merge it left conflicted in the user tree aborted, worktree kept, exit 1', () => {
    // Step 1 stands for the user committing to the same line meanwhile, so step 2's merge conflicts.
    const { repo, home, run } = setup(
      `  commands:
    - shell: "printf 'mine\\\\n' > '\${merge.repo_path}/notes.txt' && git -C '\${merge.repo_path}' commit -qam 'user notes'"
    - shell: "git -C '\${merge.repo_path}' merge --no-ff -q --no-edit \${merge.source_branch}"
    - shell: "echo never > never.txt"
  timeout: 120
`,
    );
    const r = run(['-y']);
    expect(r.code).toBe(1);
    const s = onlySession(home);
    const wtPath = path.join(home, 'worktrees', path.basename(repo), s.id);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('prodigy:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^prodigy: not merged: the workflow's merge: block stopped, step 2 \(shell: git -C .*\) failed: .*Worktree kept at /);
    expect(lines[0]).toContain(`prodigy worktree merge ${s.id}`);
    expect(lines[0]).toContain(`(the merge it left unfinished in ${repo} was aborted)`);
    expect(logOf(repo).slice(0, 2)).toEqual(['user notes', 'initial']);
    expect(fs.readFileSync(path.join(repo, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(statusOf(repo)).toBe('');
    expect(fs.existsSync(path.join(repo, '.git', 'MERGE_HEAD'))).toBe(false);
    expect(fs.existsSync(path.join(wtPath, 'never.txt'))).toBe(false);
    expect(fs.existsSync(wtPath)).toBe(true);
    expect(gitIn(repo, ['branch', '--list', `prodigy-${s.id}`])).toContain(`prodigy-${s.id}`);
  }, 90_000);

  it('a block that leaves the branch unmerged keeps it (and says so); the timeout bounds the whole block', () => {
    const kept = setup('  - shell: "true"\n');
    const r = kept.run(['-y']);
    expect(r.code).toBe(0);
    const s = onlySession(kept.home);
    expect(r.stdout).toContain(`merge: block done, but prodigy-${s.id} is not merged into main: worktree and branch kept`);
    expect(gitIn(kept.repo, ['branch', '--list', `prodigy-${s.id}`])).toContain(`prodigy-${s.id}`);
    expect(logOf(kept.repo)[0]).toBe('initial');

    const slow = setup('  commands:\n    - shell: "sleep 60"\n  timeout: 1\n');
    const t = slow.run(['-y']);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain("not merged: the workflow's merge: block stopped, it ran past its timeout of 1s");
    expect(logOf(slow.repo)[0]).toBe('initial');
  }, 120_000);

  it('without -y and a terminal nothing runs; later, on another branch, the merge is refused before any step', () => {
    const { repo, home, out, run } = setup('  - shell: "touch $OUT/ran"\n');
    const quiet = run();
    expect(quiet.code).toBe(0);
    const s = onlySession(home);
    expect(quiet.stdout).toContain(`not merged; to merge them: prodigy worktree merge ${s.id}`);
    expect(fs.existsSync(path.join(out, 'ran'))).toBe(false);
    gitIn(repo, ['checkout', '-qb', 'elsewhere']);
    const m = prodigy(['worktree', 'merge', s.id, '-y'], { home, cwd: repo, env: { ...gitEnv, OUT: out } });
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('not merged: your checkout is on branch elsewhere, the run started from main');
    expect(fs.existsSync(path.join(out, 'ran'))).toBe(false);
    // Back on main, the same command runs the block.
    gitIn(repo, ['checkout', '-q', 'main']);
    const ok = prodigy(['worktree', 'merge', s.id, '-y'], { home, cwd: repo, env: { ...gitEnv, OUT: out } });
    expect(ok.code).toBe(0);
    expect(fs.existsSync(path.join(out, 'ran'))).toBe(true);
  }, 90_000);

  it('worktree merge resolves the env and secrets again: refused while a secret is unset, warned when the file changed or is gone', () => {
    const { home, out, repo, run, wf } = setup(
      `  - shell: 'printf "%s %s" "$PROJECT" "\${TOKEN}" >> $OUT/seen; echo "token \${TOKEN}"'
`,
      'env:\n  PROJECT: first\nsecrets:\n  TOKEN: "${env:MERGE_TOKEN}"\n',
    );
    const token = 'tok-merge-5150-q';
    expect(run([], { MERGE_TOKEN: token }).code).toBe(0);
    const s = onlySession(home);
    const merge = (env: NodeJS.ProcessEnv) => prodigy(['worktree', 'merge', s.id], { home, cwd: repo, env: { ...gitEnv, OUT: out, ...env } });
    const unset = merge({});
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("prodigy: not merged: the merge: block needs the run's environment: secrets.TOKEN: ${env:MERGE_TOKEN} names an environment variable that is not set");
    expect(fs.existsSync(path.join(out, 'seen'))).toBe(false);
    fs.writeFileSync(wf, fs.readFileSync(wf, 'utf8').replace('PROJECT: first', 'PROJECT: second'));
    const changed = merge({ MERGE_TOKEN: token });
    expect(changed.code).toBe(0);
    expect(changed.stderr).toContain(`${wf} changed since ${s.id} began: its merge: block gets the env: and secrets: of the file as it is now`);
    expect(changed.stdout).toContain('token ***');
    expect(changed.stdout + changed.stderr).not.toContain(token);
    expect(fs.readFileSync(path.join(out, 'seen'), 'utf8')).toBe(`second ${token}`);

    const gone = setup('  - shell: \'printf "[%s]" "$PROJECT" > $OUT/gone\'\n', 'env:\n  PROJECT: first\n');
    expect(gone.run().code).toBe(0);
    const g = onlySession(gone.home);
    fs.rmSync(gone.wf);
    const m = prodigy(['worktree', 'merge', g.id], { home: gone.home, cwd: gone.repo, env: { ...gitEnv, OUT: gone.out } });
    expect(m.code).toBe(0);
    expect(m.stderr).toContain(`the workflow file of ${g.id} (${gone.wf}) is gone: its merge: block runs without the workflow's env: and secrets:`);
    expect(fs.readFileSync(path.join(gone.out, 'gone'), 'utf8')).toBe('[]');
  }, 120_000);

  it('a MapReduce workflow runs its merge: block too, after reduce, with the agents\' commits on the branch', () => {
    const repo = makeRepo({ 'README.md': 'hello\n' });
    const home = tempHome();
    const out = tempDir('prodigy-merge-out-');
    const wf = path.join(tempDir('prodigy-wf-'), 'wf.yml');
    fs.writeFileSync(
      wf,
      `name: mr-merge
mode: mapreduce
map:
  input: "printf '[\\"a\\", \\"b\\"]'"
  max_parallel: 2
  agent_template:
    - shell: "echo \${item} > out-\${item}.txt && git add out-\${item}.txt && git commit -qm 'add \${item}'"
merge:
  - shell: "echo \${merge.commit_count} > $OUT/count && git -C '\${merge.repo_path}' merge -q --ff-only \${merge.source_branch}"
`,
    );
    const r = prodigy(['run', wf, '-y'], { home, cwd: repo, env: { ...gitEnv, OUT: out } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Two agent commits, each merged into the session branch with a merge commit of its own, or fast-forwarded.
    expect(Number(fs.readFileSync(path.join(out, 'count'), 'utf8').trim())).toBeGreaterThanOrEqual(2);
    expect(fs.readFileSync(path.join(repo, 'out-a.txt'), 'utf8')).toBe('a\n');
    expect(fs.readFileSync(path.join(repo, 'out-b.txt'), 'utf8')).toBe('b\n');
    expect(r.stdout).toContain('merge: block done;');
  }, 90_000);
});
