/** A job on queue workers in the dashboard: the worker column, the queue depth, the workers pane (Tab). */
import { afterEach, describe, expect, it } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { nextPane, queueText, workerPaneRows } from '../../src/tui/queue-view.js';
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
    expect(workerPaneRows(QUEUE, NOW).map((r) => [r.worker, r.running, r.heartbeat, r.state])).toEqual([
      ['box-a:101', '2/2', '1s ago', 'ready'],
      ['box-b:202', '2/4', '3s ago', 'draining'],
    ]);
    expect([nextPane(0, false), nextPane(1, false)]).toEqual([1, 0]);
    expect([nextPane(0, true), nextPane(1, true), nextPane(2, true)]).toEqual([1, 2, 0]);
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
