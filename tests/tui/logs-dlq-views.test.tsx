/**
 * The log view (l, /, n, G, Esc) and the DLQ view (D, Enter, R) over real runs of the built `prodigy`
 * in a temporary PRODIGY_HOME: a sequential run with a failing step, a MapReduce job with dead items
 * that pass when retried from the dashboard.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDashboardControl } from '../../src/control/dashboard-control.js';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { type Feed, loadAll, startFeed } from '../../store/dashboard-feed.js';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { onlySession, workspace } from '../integration/workflow-helpers.js';
import { KEY, lines, renderDashboard, selectedLine } from './render.js';

const feeds: Feed[] = [];
afterEach(() => feeds.splice(0).forEach((f) => f.stop()));

async function dashboard(home: string) {
  const store = createDashboardStore({ home, color: false, control: createDashboardControl(home), size: { columns: 120, rows: 30 } });
  await loadAll(store, new UnifiedSessionManager(home));
  feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20, tickMs: 200, retryMs: 20 }));
  const ui = renderDashboard(store, { columns: 120, rows: 30 });
  await ui.waitFor((f) => f.includes('STATUS'));
  return { store, ui };
}

const FAILS = `name: two-steps
commands:
  - shell: 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do echo "line $i of step one"; done'
  - shell: 'echo "first output of step two"; echo "the reason it fails" >&2; exit 4'
`;

describe('the log view', () => {
  it('l opens the whole session log, / finds a line, n wraps, G follows, Esc goes back; l on a step shows only that step', async () => {
    const home = tempHome();
    const ws = workspace(FAILS);
    expect(prodigy(['run', ws.file, '--path', ws.dir, '--no-tui'], { home }).code).toBe(1);
    const { store, ui } = await dashboard(home);
    await ui.press('l', (f) => f.includes('‹ log of two-steps') && f.includes('line 1 of step one'));
    // The whole log, not a 20-line tail: line 30 of step one is in it too, further down.
    expect(store.getState().log!.lines.some((l) => l.includes('line 30 of step one'))).toBe(true);
    await ui.press('/', (f) => f.includes('/▏'));
    ui.stdin.write('two first');
    await ui.press(KEY.enter, (f) => selectedLine(f).includes('first output of step two'));
    // One match: n wraps around to it again.
    ui.stdin.write('k');
    await ui.press('n', (f) => selectedLine(f).includes('first output of step two') && f.includes('›'));
    await ui.press('G', (f) => f.includes('following'));
    await ui.press(KEY.escape, (f) => f.includes('STATUS') && !f.includes('‹ log'));

    await ui.press(KEY.enter, (f) => f.includes('▸ Steps'));
    await ui.press('j', (f) => selectedLine(f).includes(' 2 '));
    await ui.press('l', (f) => f.includes('‹ step 2 of two-steps') && f.includes('the reason it fails'));
    expect(ui.frame()).not.toContain('line 1 of step one');
    await ui.press(KEY.escape, (f) => f.includes('▸ Steps'));
  });
});

const FAN = `name: fix-me
mode: mapreduce
map:
  input: items.json
  json_path: "$[*]"
  max_parallel: 2
  agent_template:
    - shell: '[ -f fixed ] || [ \${item.n} -ge 2 ] || { seq -f "early %g" 1 25; echo "first output of \${item.n}"; echo "broken \${item.n}" >&2; exit 3; }; echo ok \${item.n}'
error_policy:
  on_item_failure: dlq
  max_retries: 0
`;

describe('the DLQ view', () => {
  it('D lists the dead items with their output, Enter shows one whole, R (asked) retries them and the count drops to 0', async () => {
    const home = tempHome();
    const ws = workspace(FAN);
    fs.writeFileSync(path.join(ws.dir, 'items.json'), JSON.stringify(Array.from({ length: 6 }, (_, i) => ({ n: i }))));
    expect(prodigy(['run', 'wf.yml', '--no-tui'], { home, cwd: ws.dir }).code).toBe(0);
    expect(onlySession(home).status).toBe('Completed');
    const { store, ui } = await dashboard(home);
    await ui.press(KEY.enter, (f) => f.includes('DLQ 2') && f.includes('reduce ✓'));
    // l on a dead item in the agent table: its attempt, with the output the attempt printed.
    await ui.waitFor((f) => / item-0 +☠ dead/.test(f));
    while (!/item-0/.test(selectedLine(ui.frame()))) await ui.press('j', () => true);
    // The item's whole output, not the 20 lines the job file keeps: its first line is there.
    await ui.press('l', (f) => f.includes('attempt 1 of 1') && /^ +early 1 *$/m.test(f));
    await ui.press('G', (f) => f.includes('first output of 0') && f.includes('broken 0') && f.includes('attempt 1 · failed'));
    await ui.press(KEY.escape, (f) => f.includes('▸ Agents'));

    await ui.press('D', (f) => f.includes('DLQ of job') && f.includes('2 dead items') && /item-0 .*exited .*broken 0/.test(f));
    expect(lines(ui.frame())[0]).toMatch(/1\/2$/);
    await ui.press(KEY.enter, (f) => f.includes('‹ dead item item-0') && f.includes('  first output of 0'));
    await ui.press(KEY.escape, (f) => f.includes('DLQ of job'));
    fs.writeFileSync(path.join(ws.dir, 'fixed'), '');
    await ui.press('R', (f) => f.includes('Retry 2 dead items of job'));
    await ui.press('y', (f) => f.includes('Retrying 2 dead items'));
    await ui.waitFor((f) => f.includes('No dead items: the DLQ is empty.') && f.includes('0 dead items'));
    await vi.waitFor(() => expect(store.getState().started[onlySession(home).id]?.live).toBe(false), { timeout: 20_000 });
    expect(JSON.parse(prodigy(['dlq', 'list', onlySession(home).id, '--json'], { home }).stdout)).toEqual([]);
    await ui.press(KEY.escape, (f) => f.includes('DLQ 0'));
  });
});
