/** A job on queue workers in the dashboard: the worker column, the queue depth, the workers pane (Tab). */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { nextPane, queueText, workerIds, workerPaneWindow } from '../../src/tui/queue-view.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { type Feed, loadAll, startFeed } from '../../store/dashboard-feed.js';
import { tempHome } from '../helpers/home.js';
import { T0, iso, jobState, mapReduceSession, workItems, writeJob, writeSession } from './fixtures.js';
import { KEY, lines, renderDashboard } from './render.js';

const feeds: Feed[] = [];
afterEach(() => feeds.splice(0).forEach((f) => f.stop()));
const NOW = T0 + 60_000;

const QUEUE = {
  waiting: 12,
  active: 4,
  delayed: 0,
  workers: 2,
  at: iso(NOW),
  list: [
    { worker: 'box-a:101', running: 2, concurrency: 2, completed: 7, per_min: 7, heartbeat_at: iso(NOW - 1000), draining: false },
    { worker: 'box-b:202', running: 2, concurrency: 4, completed: 3, per_min: 3, heartbeat_at: iso(NOW - 3000), draining: true },
  ],
};

describe('queue view models', () => {
  it('queue text, worker rows and Tab order', () => {
    expect(queueText(QUEUE)).toEqual({ long: 'queue 12 waiting · 4 active · 0 delayed · 2 workers', short: 'q 12/4/0 w2' });
    expect(queueText(null)).toBeNull();
    expect(workerPaneWindow(QUEUE, NOW, 0, 0, 10).rows.map((r) => [r.worker, r.running, r.heartbeat, r.state])).toEqual([
      ['box-a:101', '2/2', '1s ago', 'ready'],
      ['box-b:202', '2/4', '3s ago', 'draining'],
    ]);
    expect([nextPane(0, false), nextPane(1, false)]).toEqual([1, 0]);
    expect([nextPane(0, true), nextPane(1, true), nextPane(2, true)]).toEqual([1, 2, 0]);
  });

  it('the workers window: only the visible rows, the cursor in view, the heading with the position', () => {
    const q = manyWorkers(40);
    const w = workerPaneWindow(q, NOW, 0, 0, 5);
    expect(w.rows.map((r) => r.worker)).toEqual(workerIds(q).slice(0, 5));
    expect(w.heading).toBe('1/40 · 40 connected');
    // The cursor below the window moves it just enough; inside it, the window stays.
    expect(workerPaneWindow(q, NOW, 7, 0, 5)).toMatchObject({ top: 3, cursor: 7, heading: '8/40 · 40 connected' });
    expect(workerPaneWindow(q, NOW, 5, 3, 5).top).toBe(3);
    expect(workerPaneWindow(q, NOW, 99, 0, 5)).toMatchObject({ top: 35, cursor: 39 });
    expect(workerPaneWindow(null, NOW, 3, 2, 5)).toEqual({ top: 0, cursor: 0, rows: [], heading: '0 connected' });
    expect(workerPaneWindow(q, NOW, 4, 0, 0).rows).toEqual([]);
  });

  it('property: the window holds the cursor, fits its height, stays in the list and moves only when it must', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: -5, max: 70 }), fc.integer({ min: -5, max: 70 }), fc.integer({ min: 0, max: 20 }), (n, cursor, top, height) => {
        const q = manyWorkers(n);
        const w = workerPaneWindow(q, NOW, cursor, top, height);
        expect(w.rows.length).toBe(Math.min(height, n));
        expect(w.cursor).toBe(n === 0 ? 0 : Math.min(n - 1, Math.max(0, cursor)));
        if (height > 0 && n > 0) {
          expect(w.cursor - w.top).toBeGreaterThanOrEqual(0);
          expect(w.cursor - w.top).toBeLessThan(height);
          expect(w.rows.map((r) => r.worker)).toEqual(workerIds(q).slice(w.top, w.top + height));
          // A window that already held the cursor (and fit the list) is kept.
          const fits = top >= 0 && top <= Math.max(0, n - height) && w.cursor >= top && w.cursor < top + height;
          if (fits) expect(w.top).toBe(n <= height ? 0 : top);
        }
      }),
    );
  });
});

/** A queue snapshot with `n` workers box-00:1000, box-01:1001, ... (sorted as the coordinator writes them). */
function manyWorkers(n: number, at = NOW) {
  const list = Array.from({ length: n }, (_, i) => ({ worker: `box-${String(i).padStart(2, '0')}:${1000 + i}`, running: i % 3, concurrency: 4, completed: i, per_min: i, heartbeat_at: iso(at - 1000), draining: false }));
  return { waiting: 0, active: 0, delayed: 0, workers: n, at: iso(at), list };
}

describe('the workers pane over many workers', () => {
  it('j/k, arrows, g/G and PgUp/PgDn move a cursor over the workers; only the rows that fit are drawn; the cursor follows its worker', async () => {
    const home = tempHome();
    writeSession(home, mapReduceSession('session-q', 'job-q', { metadata: { repo_name: 'demo-repo', workflow_name: 'spread', owner_pid: process.pid } }));
    const items = workItems(3, () => 'running');
    writeJob(home, 'demo-repo', { ...jobState('job-q', 'session-q', items), queue: manyWorkers(40) });
    const store = createDashboardStore({ home, now: NOW, size: { columns: 100, rows: 24 } });
    await loadAll(store, new UnifiedSessionManager(home));
    feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20, tickMs: 60_000, retryMs: 20 }));
    const ui = renderDashboard(store, { columns: 100, rows: 24 });
    await ui.waitFor((f) => f.includes('spread'));
    await ui.press(KEY.enter, (f) => f.includes('1/40 · 40 connected'));
    await ui.press(KEY.tab, () => store.getState().pane === 1);
    await ui.press(KEY.tab, (f) => f.includes('▸ Workers'));
    const workerLines = (f: string) => lines(f).filter((l) => /box-\d\d:\d+/.test(l));
    const selected = (f: string) => workerLines(f).find((l) => l.startsWith('›'));
    const drawn = workerLines(ui.frame()).length;
    // The pane shows a window of the 40, and the frame fits the terminal.
    expect(drawn).toBeGreaterThan(0);
    expect(drawn).toBeLessThan(40);
    expect(lines(ui.frame()).length).toBeLessThanOrEqual(24);
    expect(selected(ui.frame())).toMatch(/^› +box-00:1000 +0\/4 +0 +0\/min +1s ago +ready/);
    await ui.press('j', (f) => selected(f)?.includes('box-01:1001') === true && f.includes('2/40 · 40 connected'));
    await ui.press(KEY.down, (f) => selected(f)?.includes('box-02:1002') === true);
    await ui.press('k', (f) => selected(f)?.includes('box-01:1001') === true);
    await ui.press(KEY.up, (f) => selected(f)?.includes('box-00:1000') === true);
    await ui.press('G', (f) => selected(f)?.includes('box-39:1039') === true && f.includes('40/40 · 40 connected'));
    expect(workerLines(ui.frame())).toHaveLength(drawn);
    expect(workerLines(ui.frame()).at(-1)).toMatch(/^› +box-39/);
    await ui.press('g', (f) => selected(f)?.includes('box-00:1000') === true);
    await ui.press(KEY.pageDown, () => store.getState().workerCursor > 1);
    const paged = store.getState().workerCursor;
    await ui.press(KEY.pageDown, (f) => selected(f)?.includes(`box-${String(Math.min(39, paged * 2)).padStart(2, '0')}`) === true);
    await ui.press(KEY.pageUp, (f) => selected(f)?.includes(`box-${String(paged).padStart(2, '0')}`) === true);
    // The agent table's cursor did not move with the workers'.
    expect(store.getState().detailCursor[0]).toBe(0);

    // Workers come and go (the coordinator rewrites job.json): the cursor stays on its worker.
    const on = store.getState().workerSelected!;
    const fewer = manyWorkers(40);
    fewer.list = fewer.list.filter((w, i) => i % 2 === 1 || w.worker === on);
    fewer.workers = fewer.list.length;
    writeJob(home, 'demo-repo', { ...jobState('job-q', 'session-q', items), queue: fewer });
    const at = fewer.list.findIndex((w) => w.worker === on);
    await ui.waitFor((f) => f.includes(`${at + 1}/${fewer.list.length} · ${fewer.list.length} connected`) && selected(f)?.includes(on) === true);
  });
});

describe('MapReduce detail of a job on queue workers', () => {
  it('shows which worker runs each item, the queue depth, and a workers pane that Tab focuses', async () => {
    const home = tempHome();
    writeSession(home, mapReduceSession('session-q', 'job-q', { metadata: { repo_name: 'demo-repo', workflow_name: 'spread', owner_pid: process.pid } }));
    const items = workItems(6, (i) => (i < 2 ? 'completed' : i < 4 ? 'running' : 'pending')).map((it, i) => ({ ...it, worker: i < 4 ? (i % 2 ? 'box-b:202' : 'box-a:101') : null }));
    writeJob(home, 'demo-repo', { ...jobState('job-q', 'session-q', items), queue: QUEUE });
    const store = createDashboardStore({ home, now: NOW });
    await loadAll(store, new UnifiedSessionManager(home));
    feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20, tickMs: 60_000, retryMs: 20 }));
    const ui = renderDashboard(store, { columns: 120, rows: 30 });
    await ui.waitFor((f) => f.includes('spread'));
    await ui.press(KEY.enter, (f) => f.includes('Workers') && f.includes('box-b:202'));
    const f = ui.frame();
    expect(f).toContain('queue 12 waiting · 4 active · 0 delayed · 2 workers');
    expect(lines(f).find((l) => /item-2 .*running/.test(l))).toMatch(/item-2 +● running +box-a:101/);
    expect(lines(f).find((l) => /item-3 .*running/.test(l))).toMatch(/box-b:202/);
    expect(f).toMatch(/WORKER +RUNNING +DONE +RATE +HEARTBEAT +STATE/);
    expect(lines(f).find((l) => l.includes('box-b:202') && l.includes('draining'))).toMatch(/box-b:202 +2\/4 +3 +3\/min +3s ago +draining/);
    await ui.press(KEY.tab, () => store.getState().pane === 1);
    await ui.press(KEY.tab, (fr) => store.getState().pane === 2 && fr.includes('▸ Workers'));
    await ui.press(KEY.tab, () => store.getState().pane === 0);
  });
});
