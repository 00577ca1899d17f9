import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { storePaths } from '../../src/storage/paths.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { type Feed, startFeed } from '../../store/dashboard-feed.js';
import { readFirstPage, showFirstPage, streamRest } from '../../store/session-loader.js';
import { tempHome } from '../helpers/home.js';
import { T0, iso, workflowSession, writeSession } from './fixtures.js';
import { lines, renderDashboard } from './render.js';

const feeds: Feed[] = [];
afterEach(() => feeds.splice(0).forEach((f) => f.stop()));

/** `n` completed sessions whose files' mtimes follow their index (the last one is the newest). */
function seed(n: number): string {
  const home = tempHome();
  for (let i = 0; i < n; i++) {
    const id = `session-${String(i).padStart(4, '0')}`;
    writeSession(home, workflowSession(id, { status: 'Completed', started_at: iso(T0 + i * 1000) }, { workflow_name: `flow-${i}` }));
    const t = new Date(T0 + i * 1000);
    fs.utimesSync(storePaths(home).sessionFile(id), t, t);
  }
  return home;
}

describe('start-up read: O(screen) first frame, the rest streamed', () => {
  it('draws the newest screenful with a "loading N/M" title before the rest is read, then every session', async () => {
    const home = seed(300);
    const manager = new UnifiedSessionManager(home);
    const store = createDashboardStore({ home, now: T0 + 400_000 });
    const page = await readFirstPage(manager, 20);
    // Only the newest 20 files were read; the rest are names in the folder.
    expect(page.read).toBe(20);
    expect(page.first.sessions.map((s) => s.id).sort()).toEqual(Array.from({ length: 20 }, (_, k) => `session-${String(280 + k).padStart(4, '0')}`));
    showFirstPage(store, manager, page);
    const ui = renderDashboard(store);
    await ui.waitFor((f) => f.includes('flow-299'));
    // The first frame: drawn from what is read so far, the title says how far the read got.
    expect(lines(ui.frame())[0]).toContain('prodigy · loading 20/300 sessions');
    expect(Object.keys(store.getState().sessions)).toHaveLength(20);

    const streaming = streamRest(store, manager, page, 64);
    await streaming.done;
    await ui.waitFor((f) => lines(f)[0]!.includes('prodigy · 300 sessions'));
    expect(store.getState().loading).toBeNull();
    expect(Object.keys(store.getState().sessions)).toHaveLength(300);
  });

  it('a session the watcher read while streaming keeps its newer state; a session to open is read first', async () => {
    const home = seed(120);
    const manager = new UnifiedSessionManager(home);
    const store = createDashboardStore({ home, now: T0 + 400_000 });
    const page = await readFirstPage(manager, 10, ['session-0003']);
    expect(page.first.sessions.map((s) => s.id)).toContain('session-0003');
    showFirstPage(store, manager, page);
    feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20 }));
    // An old session changes on disk after the folder was listed: the watcher reads the new state.
    writeSession(home, workflowSession('session-0050', { status: 'Failed', started_at: iso(T0 + 50_000) }, { workflow_name: 'changed-later' }));
    await expect.poll(() => store.getState().sessions['session-0050']?.status).toBe('Failed');
    await streamRest(store, manager, page, 16).done;
    expect(Object.keys(store.getState().sessions)).toHaveLength(120);
    // A batch read before that write lands after it: its older copy does not replace the watcher's.
    const stale = workflowSession('session-0050', { status: 'Completed', started_at: iso(T0 + 50_000) }, { workflow_name: 'flow-50' });
    store.getState().sessionsStreamed([stale], {}, {}, { done: 120, total: 120 });
    expect(store.getState().sessions['session-0050']!.status).toBe('Failed');
  });

  it('an empty store is loaded at once ("No sessions yet", no loading title)', async () => {
    const home = tempHome();
    const manager = new UnifiedSessionManager(home);
    const store = createDashboardStore({ home });
    const page = await readFirstPage(manager, 20);
    showFirstPage(store, manager, page);
    await streamRest(store, manager, page).done;
    const ui = renderDashboard(store);
    await ui.waitFor((f) => f.includes('No sessions yet'));
    expect(ui.frame()).not.toContain('loading');
  });
});
