/**
 * Stored text that would act on a terminal (OSC retitle, clear screen, BEL, bidi override) printed by the
 * CLI and the dashboard after a real run of the built `prodigy`: the workflow's name, a command's output
 * in the log, a dead item's error and output. Nothing of it reaches the terminal raw.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboardControl } from '../../src/control/dashboard-control.js';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { type Feed, loadAll, startFeed } from '../../store/dashboard-feed.js';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { onlySession, workspace } from '../integration/workflow-helpers.js';
import { KEY, renderDashboard, selectedLine } from './render.js';

const feeds: Feed[] = [];
afterEach(() => feeds.splice(0).forEach((f) => f.stop()));

/** What must never come out: BEL, an OSC (retitle / clipboard), clear-screen, cursor home, a bidi override, NUL. */
function expectInert(text: string, what: string): void {
  expect(text, what).not.toMatch(/\x07|\x1b\]|\x1b\[2J|\x1b\[H|\u202e|\x00/);
}

// The name carries an OSC title and a clear; each item prints escapes on both streams and fails.
const HOSTILE = `name: "evil\\e]0;pwned\\a\\e[2J\\u202ename"
mode: mapreduce
map:
  input: items.json
  json_path: "$[*]"
  max_parallel: 2
  agent_template:
    - shell: "printf 'out \\\\033]0;pwned\\\\007 \\\\033[2J x\\\\n'; printf 'err \\\\033]52;c;cHduZWQ=\\\\007 \\\\000 y\\\\n' >&2; exit 3"
error_policy:
  on_item_failure: dlq
  max_retries: 0
`;

describe('hostile stored text', () => {
  it('is printed inert by sessions list/show, dlq list, events and the run itself, and by the dashboard views', async () => {
    const home = tempHome();
    const ws = workspace(HOSTILE);
    fs.writeFileSync(path.join(ws.dir, 'items.json'), JSON.stringify([{ n: 0 }, { n: 1 }]));
    const run = prodigy(['run', 'wf.yml', '--no-tui'], { home, cwd: ws.dir });
    expect(run.code, run.stderr).toBe(0);
    expectInert(run.stdout + run.stderr, 'run');
    const s = onlySession(home);
    // The stored data really is hostile (kept as written: only printing makes it safe).
    expect(JSON.stringify(s)).toContain('\\u001b]0;pwned');
    for (const args of [['sessions', 'list'], ['sessions', 'show', s.id], ['dlq', 'list', s.id], ['events', s.id]]) {
      const r = prodigy(args, { home });
      expect(r.code, args.join(' ')).toBe(0);
      expectInert(r.stdout + r.stderr, args.join(' '));
    }
    expect(prodigy(['sessions', 'list'], { home }).stdout).toContain('evil\uFFFDname');
    expect(prodigy(['dlq', 'list', s.id], { home }).stdout).toMatch(/item-0 .*err/);

    const store = createDashboardStore({ home, color: false, control: createDashboardControl(home), size: { columns: 120, rows: 30 } });
    await loadAll(store, new UnifiedSessionManager(home));
    feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20, tickMs: 200, retryMs: 20 }));
    const ui = renderDashboard(store, { columns: 120, rows: 30 });
    await ui.waitFor((f) => f.includes('STATUS') && f.includes('evil'));
    // A log is stored text too (commands write to it): a hostile line appended to it shows inert.
    fs.appendFileSync(path.join(home, 'logs', `${s.id}.log`), 'tail \x1b]0;pwned\x07\x1b[2J\x1b[H\x07 end\n');
    await ui.press('l', (f) => f.includes('‹ log of evil') && f.includes('tail \uFFFD end'));
    for (const l of store.getState().log!.lines) expectInert(l, 'log line');
    await ui.press(KEY.escape, (f) => f.includes('STATUS'));
    await ui.press(KEY.enter, (f) => f.includes('DLQ 2'));
    await ui.waitFor((f) => / item-0 +☠ dead/.test(f));
    for (let i = 0; i < 5 && !/item-0/.test(selectedLine(ui.frame())); i++) await ui.press('j', () => true);
    await ui.press('l', (f) => f.includes('attempt 1') && f.includes('err'));
    await ui.press(KEY.escape, (f) => f.includes('▸ Agents'));
    await ui.press('D', (f) => f.includes('DLQ of job') && f.includes('2 dead items'));
    await ui.press(KEY.enter, (f) => f.includes('‹ dead item item-0') && f.includes('err'));
    for (const l of store.getState().log!.lines) expectInert(l, 'dead item line');
    for (const f of ui.frames) expectInert(f, 'dashboard frame');
  });
});
