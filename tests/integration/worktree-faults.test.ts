/** Faults around a run's worktree: the user's base branch deleted while the run goes on. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { gitEnv, gitIn, makeRepo } from '../helpers/git-repo.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { onlySession, startProdigy, until } from './workflow-helpers.js';

describe('a run whose base branch is deleted meanwhile', () => {
  it('refuses the merge in one line (exit 1) and keeps the branch holding the work, also through worktree clean', async () => {
    const repo = makeRepo({ 'README.md': 'hello\n', 'notes.txt': 'one\n' });
    const home = tempHome();
    const wf = path.join(tempDir('prodigy-wf-'), 'wf.yml');
    fs.writeFileSync(
      wf,
      `commands:
  - shell: "printf 'two\\\\n' > notes.txt && git add notes.txt && git commit -qm 'change notes'"
  - shell: "while [ ! -f \\"$GO_FILE\\" ]; do sleep 0.05; done"
`,
    );
    const go = path.join(tempDir('prodigy-go-'), 'go');
    const runner = startProdigy(['run', wf, '-y'], { home, cwd: repo, env: { ...gitEnv, GO_FILE: go } });
    await until(() => onlySession(home).workflow_data!.current_step >= 1, 60_000, 'the run to reach its second step');
    gitIn(repo, ['checkout', '-qb', 'other']);
    gitIn(repo, ['branch', '-D', 'main']);
    fs.writeFileSync(go, '');
    const { code } = await runner.exit;
    expect(code).toBe(1);
    const s = onlySession(home);
    expect(s.status).toBe('Completed');
    const wtPath = path.join(home, 'worktrees', path.basename(repo), s.id);
    expect(runner.stderr().trim()).toBe(
      `prodigy: not merged: branch main, which the run started from, no longer exists; the run's work stays on branch prodigy-${s.id} (worktree ${wtPath})`,
    );
    expect(gitIn(repo, ['log', '-1', '--format=%s', `prodigy-${s.id}`])).toBe('change notes');
    expect(fs.existsSync(wtPath)).toBe(true);
    // Cleaning removes the worktree folder at most, never the branch with the only copy of the work.
    prodigy(['worktree', 'clean', s.id], { home, cwd: repo, env: gitEnv });
    expect(gitIn(repo, ['log', '-1', '--format=%s', `prodigy-${s.id}`])).toBe('change notes');
  }, 120_000);
});
