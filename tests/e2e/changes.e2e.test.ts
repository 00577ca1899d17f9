/**
 * `d` in a real terminal (tmux) over a real MapReduce run whose agents commit in worktrees of their own:
 * the agent table's COMMITS and MERGE, an item's commits, Enter on one for its diff, coloured — and
 * without colour under NO_COLOR.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prodigy, prodigyBin } from '../helpers/cli.js';
import { gitEnv, makeRepo } from '../helpers/git-repo.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { Tmux } from './tmux.js';

function childEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // Under CI=true Ink prints only the last frame, at exit: the child must not see CI at all.
  const { CI: _ci, CONTINUOUS_INTEGRATION: _c2, NO_COLOR: _nc, FORCE_COLOR: _fc, ...rest } = process.env;
  return { ...rest, ...gitEnv, PRODIGY_HOME: home, TERM: 'xterm-256color', ...extra };
}

let term: Tmux;
beforeEach(() => {
  term = new Tmux();
});
afterEach(() => term.kill());

const AGENTS = `name: e2e-agents
mode: mapreduce
map:
  input: "echo '[\\"x\\", \\"y\\"]'"
  max_parallel: 2
  agent_template:
    - shell: "printf 'one\\\\ntwo\\\\n' > \${item}.txt && git add \${item}.txt && git commit -qm 'add \${item}' && sed -i 's/two/TWO/' \${item}.txt && git commit -qam 'shout \${item}'"
`;

function ranAgents(): { home: string; repo: string } {
  const repo = makeRepo({ 'README.md': 'hello\n' });
  const home = tempHome();
  const wf = path.join(tempDir('prodigy-wf-'), 'wf.yml');
  fs.writeFileSync(wf, AGENTS);
  const r = prodigy(['run', wf, '-y'], { home, cwd: repo, env: gitEnv });
  expect(r.code).toBe(0);
  return { home, repo };
}

const selected = (s: string) => s.split('\n').find((l) => l.startsWith('›')) ?? '';

describe('d in a real terminal', () => {
  for (const noColor of [false, true]) {
    it(`an agent's commits, then one's diff ${noColor ? 'without colour (NO_COLOR)' : 'in colour'}`, async () => {
      const { home, repo } = ranAgents();
      term.start(`cd ${repo} && ${process.execPath} ${prodigyBin} tui; echo "EXIT=$?"; sleep 600`, childEnv(home, noColor ? { NO_COLOR: '1' } : {}), { columns: 110, rows: 30 });
      await term.waitFor((s) => s.includes('e2e-agents'), 'the sessions list');
      term.keys('Enter');
      await term.waitFor((s) => /COMMITS +MERGE/.test(s) && /item-0 .* 2 +✓ merged/.test(s), 'the agent table with commits and merge state');
      await term.waitFor((s) => selected(s).includes('item-0'), 'item-0 selected');
      term.keys('d');
      await term.waitFor((s) => s.includes('‹ changes of item-0') && s.includes('2 commits · 1 file +2 −0') && /› [0-9a-f]{7,} +shout x/.test(s), "item-0's commits");
      term.keys('Enter');
      const screen = await term.waitFor((s) => s.includes('‹ commit ') && s.includes('diff --git a/x.txt b/x.txt') && /^ +-two *$/m.test(s) && /^ +\+TWO *$/m.test(s), 'the diff');
      expect(screen).toContain('shout x');
      const styled = term.styledScreen();
      // Added lines green, deleted red (SGR 32 / 31) — and no colour at all under NO_COLOR.
      if (noColor) expect(styled).not.toMatch(/\u001B\[[0-9;]*3[1-6]m/);
      else {
        expect(styled).toMatch(/\u001B\[[0-9;]*32m *\+TWO/);
        expect(styled).toMatch(/\u001B\[[0-9;]*31m *-two/);
      }
      term.keys('Escape');
      await term.waitFor((s) => s.includes('‹ changes of item-0'), 'back to the commits');
      term.keys('q');
      await term.waitFor((s) => s.includes('EXIT=0'), 'quit, exit 0');
    });
  }
});
