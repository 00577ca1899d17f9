/**
 * `d` (what agents and runs changed) over real runs of the built `prodigy` in real git repositories: the
 * agent table's COMMITS and MERGE columns, an item's commits and diffstat, Enter on a commit for its diff,
 * the run's commits from the list after the merge removed its branch, and a run in place saying why it
 * has none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { type Feed, loadAll, startFeed } from '../../store/dashboard-feed.js';
import { prodigy } from '../helpers/cli.js';
import { gitEnv, makeRepo } from '../helpers/git-repo.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { onlySession, workspace } from '../integration/workflow-helpers.js';
import { KEY, renderDashboard, selectedLine } from './render.js';

const feeds: Feed[] = [];
afterEach(() => feeds.splice(0).forEach((f) => f.stop()));

async function dashboard(home: string) {
  const store = createDashboardStore({ home, color: false, size: { columns: 120, rows: 34 } });
  await loadAll(store, new UnifiedSessionManager(home));
  feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20, tickMs: 200, retryMs: 20 }));
  const ui = renderDashboard(store, { columns: 120, rows: 34 });
  await ui.waitFor((f) => f.includes('STATUS'));
  return { store, ui };
}

// Two items, each two commits in its own worktree; item y also edits README.md.
const AGENTS = `name: agents-commit
mode: mapreduce
map:
  input: "echo '[\\"x\\", \\"y\\"]'"
  max_parallel: 2
  agent_template:
    - shell: "printf 'a\\\\nb\\\\nc\\\\n' > \${item}.txt && git add \${item}.txt && git commit -qm 'add \${item}' && echo d >> \${item}.txt && git commit -qam 'grow \${item}'"
    - shell: "[ \${item} = x ] || { echo 'edited by y' >> README.md && git commit -qam 'readme from y'; }"
`;

function ranAgents(): { home: string; repo: string } {
  const repo = makeRepo({ 'README.md': 'hello\n' });
  const home = tempHome();
  const wf = path.join(tempDir('prodigy-wf-'), 'wf.yml');
  fs.writeFileSync(wf, AGENTS);
  const r = prodigy(['run', wf, '-y'], { home, cwd: repo, env: gitEnv });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { home, repo };
}

describe('d: what agents and runs changed', () => {
  it("the agent table has COMMITS and MERGE; d on an item lists its commits and diffstat, Enter shows a commit's diff, Esc goes back", async () => {
    const { home } = ranAgents();
    const { store, ui } = await dashboard(home);
    await ui.press(KEY.enter, (f) => /COMMITS +MERGE/.test(f) && /item-1 +✓ completed .* 3 +✓ merged/.test(f) && /item-0 +✓ completed .* 2 +✓ merged/.test(f));
    while (!/item-1/.test(selectedLine(ui.frame()))) await ui.press('j', () => true);
    await ui.press('d', (f) => f.includes('‹ changes of item-1 of agents-commit') && f.includes('3 commits · 2 files +5 −0'));
    const f = ui.frame();
    // Newest first; the diffstat of the whole range, with git's bars.
    expect(f).toMatch(/› [0-9a-f]{7,} +readme from y +Test .* 1 +\+1 −0/);
    expect(f).toMatch(/  [0-9a-f]{7,} +grow y/);
    expect(f).toMatch(/  [0-9a-f]{7,} +add y .* 1 +\+3 −0/);
    expect(f).toMatch(/ y\.txt +\| 4 \+\+\+\+/);
    expect(f).toMatch(/ README\.md +\| 1 \+/);
    expect(f).toContain('prodigy-agent-');
    await ui.press('j', (x) => /› [0-9a-f]{7,} +grow y/.test(x));
    await ui.press(KEY.enter, (x) => x.includes('‹ commit ') && x.includes('grow y') && x.includes('diff --git a/y.txt b/y.txt') && /^ +\+d *$/m.test(x));
    await ui.press(KEY.escape, (x) => x.includes('‹ changes of item-1'));
    await ui.press(KEY.escape, (x) => x.includes('▸ Agents'));
    expect(store.getState().changes).toBeNull();
  });

  it("d in the list: the run's commits after -y merged it and removed its branch (base_commit..the recorded head)", async () => {
    const { home } = ranAgents();
    const s = onlySession(home);
    expect(typeof s.metadata.worktree_merged_head).toBe('string');
    const { ui } = await dashboard(home);
    // Five commits of the agents, and the merge commit(s) that brought them into the session worktree.
    await ui.press('d', (f) => f.includes('‹ changes of agents-commit') && /\b[56] commits · 3 files \+9 −0/.test(f));
    const f = ui.frame();
    for (const subject of ['add x', 'grow x', 'add y', 'grow y', 'readme from y']) expect(f).toContain(subject);
    expect(f).toContain('merged into main');
    await ui.press(KEY.escape, (x) => x.includes('agents-commit') && x.includes('STATUS'));
  });

  it('a run in place has no commits of its own: d says why', async () => {
    const home = tempHome();
    const ws = workspace(`name: in-place
commands:
  - shell: 'true'
`);
    expect(prodigy(['run', ws.file, '--path', ws.dir, '--no-tui'], { home }).code).toBe(0);
    const { ui } = await dashboard(home);
    await ui.press('d', (f) => f.includes('‹ changes of in-place') && f.includes('ran in place (no worktree of its own)'));
    await ui.press(KEY.enter, (f) => f.includes('no commit selected'));
  });
});
