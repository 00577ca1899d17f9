import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { KEY_TABLE } from '../../src/tui/keys.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { type Feed, loadAll, startFeed } from '../../store/dashboard-feed.js';
import { seedProdigyFixtures, tempHome } from '../helpers/home.js';
import { T0, iso, workflowSession, writeSession } from './fixtures.js';
import { KEY, lines, renderDashboard, resize, selectedLine } from './render.js';

const feeds: Feed[] = [];
afterEach(() => feeds.splice(0).forEach((f) => f.stop()));

/** A temp home with `n` workflow sessions, loaded and followed like the real dashboard does. */
async function liveHome(n: number, opts: { repoPath?: string } = {}) {
  const home = tempHome();
  for (let i = 0; i < n; i++) {
    writeSession(home, workflowSession(`session-${String(i).padStart(3, '0')}`, {
      started_at: iso(T0 + i * 60_000),
      status: i % 3 === 0 ? 'Completed' : 'Paused',
      metadata: { repo_path: i % 2 ? '/repos/this' : '/repos/that' },
    }, { workflow_name: `flow-${i}` }));
  }
  const store = createDashboardStore({ home, repoPath: opts.repoPath ?? null, now: T0 + n * 60_000 });
  await loadAll(store, new UnifiedSessionManager(home));
  feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20 }));
  return { home, store };
}

describe('sessions view', () => {
  it('shows sessions newest first with counts per status; a newly written file appears in the next frame', async () => {
    const { home, store } = await liveHome(3);
    const ui = renderDashboard(store);
    await ui.waitFor((f) => f.includes('flow-2'));
    expect(lines(ui.frame())[0]).toMatch(/prodigy · 3 sessions.*‖ 2 Paused {2}✓ 1 Completed/);
    expect(selectedLine(ui.frame())).toContain('flow-2');
    writeSession(home, workflowSession('session-new', { started_at: iso(T0 + 999 * 60_000), metadata: { owner_pid: process.pid } }, { workflow_name: 'fresh-run', current_step: 1, completed_steps: [0] }));
    await ui.waitFor((f) => f.includes('fresh-run'));
    const row = lines(ui.frame()).find((l) => l.includes('fresh-run'))!;
    expect(row).toMatch(/● Running +workflow +fresh-run +step 2\/3/);
    // The cursor stayed on the session it was on.
    expect(selectedLine(ui.frame())).toContain('flow-2');
  });

  it('j/k/arrows, g/G and PgUp/PgDn move the cursor', async () => {
    const { store } = await liveHome(40);
    const ui = renderDashboard(store);
    await ui.waitFor((f) => selectedLine(f).includes('flow-39'));
    await ui.press('j', (f) => selectedLine(f).includes('flow-38'));
    await ui.press(KEY.down, (f) => selectedLine(f).includes('flow-37'));
    await ui.press('k', (f) => selectedLine(f).includes('flow-38'));
    await ui.press(KEY.up, (f) => selectedLine(f).includes('flow-39'));
    await ui.press('G', (f) => selectedLine(f).includes('flow-0 '));
    await ui.press('g', (f) => selectedLine(f).includes('flow-39'));
    await ui.press(KEY.pageDown, (f) => selectedLine(f).includes('flow-20')); // 24 rows: 19 per page
    await ui.press(KEY.pageUp, (f) => selectedLine(f).includes('flow-39'));
    await ui.press(KEY.end, (f) => selectedLine(f).includes('flow-0 '));
    await ui.press(KEY.home, (f) => selectedLine(f).includes('flow-39'));
    // Three keys in one chunk (key repeat) all count.
    await ui.press('jjj', (f) => selectedLine(f).includes('flow-36'));
  });

  it('/ filters by text, f cycles status filters, s cycles sort orders, Esc clears', async () => {
    const { store } = await liveHome(12);
    const ui = renderDashboard(store);
    await ui.waitFor((f) => f.includes('flow-11'));
    await ui.press('/', (f) => f.includes('/▏'));
    for (const ch of 'flow-1') await ui.press(ch, (f) => f.includes(`/${'flow-1'.slice(0, 'flow-1'.indexOf(ch) + 1)}▏`));
    await ui.press(KEY.enter, (f) => f.includes('search: "flow-1" (3)'));
    expect(ui.frame()).not.toContain('flow-9');
    await ui.press(KEY.escape, (f) => f.includes('flow-9'));
    await ui.press('f', (f) => f.includes('status: active'));
    await ui.press('f', (f) => f.includes('status: interrupted') && f.includes('‖ Paused') && !f.includes('✓ Completed  '));
    await ui.press('s', (f) => f.includes('sort: last active'));
    await ui.press('s', (f) => f.includes('sort: status'));
    await ui.press('s', (f) => f.includes('sort: name'));
    expect(lines(ui.frame()).find((l) => l.includes('flow-'))).toContain('flow-1 ');
  });

  it('lists this repository first and marks the others', async () => {
    const { store } = await liveHome(4, { repoPath: '/repos/this' });
    const ui = renderDashboard(store);
    await ui.waitFor((f) => f.includes('◦ other repository'));
    const rows = lines(ui.frame()).filter((l) => l.includes('flow-'));
    expect(rows.map((r) => r.match(/flow-\d/)![0])).toEqual(['flow-3', 'flow-1', 'flow-2', 'flow-0']);
    expect(rows.map((r) => r[1])).toEqual([' ', ' ', '◦', '◦']);
  });

  it('? shows every key of the view from the key table; any key closes it', async () => {
    const { store } = await liveHome(2);
    const ui = renderDashboard(store);
    await ui.press('?', (f) => f.includes('Keys — sessions view'));
    for (const b of KEY_TABLE.filter((x) => x.scope === 'any' || x.scope === 'list')) expect(ui.frame()).toContain(b.description);
    await ui.press(KEY.escape, (f) => f.includes('flow-1'));
  });

  it('q and Ctrl+C quit', async () => {
    for (const key of ['q', KEY.ctrlC]) {
      const { store } = await liveHome(1);
      const ui = renderDashboard(store);
      ui.stdin.write(key);
      await ui.waitFor(() => store.getState().quitRequested);
    }
  });

  it('Prodigy’s own session files render like ours', async () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const store = createDashboardStore({ home, now: Date.parse('2024-11-25T00:00:00Z') });
    await loadAll(store, new UnifiedSessionManager(home));
    const ui = renderDashboard(store);
    await ui.waitFor((f) => f.includes('implement'));
    const f = ui.frame();
    expect(f).toMatch(/! Interrupted +workflow +implement +step 1\/5/);
    expect(f).toMatch(/✗ Failed +mapreduce +mapreduce-17322\S* +212\/300 items, 12 failed/);
    expect(f).toMatch(/✓ Completed +mapreduce/);
    expect(f).not.toContain('ERROR');
  });

  it('fits narrow terminals, shows a notice in tiny ones, and never draws a frame as tall as the terminal', async () => {
    const { store } = await liveHome(30);
    const ui = renderDashboard(store, { columns: 40, rows: 12 });
    await ui.waitFor((f) => lines(f).length > 0 && lines(f).every((l) => l.length <= 40) && f.includes('flow-29'));
    expect(lines(ui.frame()).length).toBeLessThanOrEqual(11);
    expect(ui.frame()).toContain('Paused');
    expect(ui.frame()).toMatch(/flow-29 +step 1\/3/); // progress outlives the other optional columns
    resize(ui.stdout, { columns: 30, rows: 8 });
    await ui.waitFor((f) => f.startsWith('Need 40x12. q quits')); // the longest form that fits whole
    expect(lines(ui.frame())).toHaveLength(1);
    resize(ui.stdout, { columns: 120, rows: 40 });
    await ui.waitFor((f) => lines(f).length === 39 && f.includes('DURATION  ID'));
    resize(ui.stdout, { columns: 30, rows: 8 });
    await ui.press('q', () => store.getState().quitRequested); // q still quits from the notice
  });

  it('names a session file that does not parse, and leaves it alone', async () => {
    const { home, store } = await liveHome(2);
    const ui = renderDashboard(store);
    await ui.waitFor((f) => f.includes('flow-1'));
    const file = path.join(home, 'sessions', 'session-bad.json');
    fs.writeFileSync(file, '{"id": ');
    await ui.waitFor((f) => f.includes('⚠ 1 unreadable') && f.includes('⚠ sessions/session-bad.json: invalid JSON'));
    expect(fs.readFileSync(file, 'utf8')).toBe('{"id": ');
    expect(ui.frame()).toContain('flow-0');
  });
});
