import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { type Feed, loadAll, startFeed } from '../../store/dashboard-feed.js';
import { storePaths } from '../../src/storage/paths.js';
import { type FolderWatch, watchFolder, watchSessions } from '../../store/watch.js';
import { seedProdigyFixtures, tempHome } from '../helpers/home.js';
import { appendEvents, jobState, mapReduceSession, workItems, workflowSession, writeDlqItem, writeJob, writeSession } from './fixtures.js';

const open: Array<FolderWatch | Feed> = [];
afterEach(() => {
  for (const w of open.splice(0)) 'stop' in w ? w.stop() : w.close();
});

describe('watch', () => {
  it('reports an atomically replaced session file once, by id, and ignores temp files', async () => {
    const home = tempHome();
    const dir = storePaths(home).sessionsDir;
    fs.mkdirSync(dir, { recursive: true });
    const batches: string[][] = [];
    open.push(watchSessions(dir, (ids) => batches.push([...ids])));
    writeSession(home, workflowSession('session-a'));
    await vi.waitFor(() => expect(batches.flat()).toContain('session-a'));
    expect(batches.flat().some((id) => id.includes('tmp'))).toBe(false);
  });

  it('coalesces a burst of writes into few batches', async () => {
    const home = tempHome();
    const dir = storePaths(home).sessionsDir;
    fs.mkdirSync(dir, { recursive: true });
    const batches: string[][] = [];
    open.push(watchSessions(dir, (ids) => batches.push([...ids]), { debounceMs: 20, minIntervalMs: 200 }));
    for (let i = 0; i < 50; i++) writeSession(home, workflowSession(`session-${i % 5}`, {}, { current_step: i }));
    await vi.waitFor(() => expect(new Set(batches.flat()).size).toBe(5));
    expect(batches.length).toBeLessThan(10);
  });

  it('starts watching a folder that appears later, reporting everything in it', async () => {
    const home = tempHome();
    const dir = path.join(home, 'late', 'folder');
    let all = false;
    const w = watchFolder(dir, { retryMs: 20, onChange: (_n, a) => (all ||= a) });
    open.push(w);
    expect(w.attached).toBe(false);
    fs.mkdirSync(dir, { recursive: true });
    await vi.waitFor(() => expect(all).toBe(true));
    expect(w.attached).toBe(true);
  });
});

describe('feed: disk -> store', () => {
  it('loads every session (ours and Prodigy’s), then follows writes by a real session manager', async () => {
    const home = tempHome();
    const prodigyIds = seedProdigyFixtures(home);
    const store = createDashboardStore({ home });
    const manager = new UnifiedSessionManager(home);
    await loadAll(store, manager);
    expect(Object.keys(store.getState().sessions).sort()).toEqual([...prodigyIds].sort());
    const feed = startFeed(store, { debounceMs: 10, minIntervalMs: 20 });
    open.push(feed);

    const s = await manager.createWorkflowSession({ workflow_name: 'live', total_steps: 4, metadata: { steps: ['a', 'b', 'c', 'd'] } });
    await vi.waitFor(() => expect(store.getState().sessions[s.id]?.workflow_data?.workflow_name).toBe('live'));
    await manager.update(s.id, { workflow: { current_step: 2, completed_steps: [0, 1] } });
    await vi.waitFor(() => expect(store.getState().sessions[s.id]?.workflow_data?.current_step).toBe(2));
    expect(store.getState().alive[s.id]).toBe(true); // this process owns it

    await manager.delete(s.id);
    await vi.waitFor(() => expect(store.getState().sessions[s.id]).toBeUndefined());
  });

  it('reports a corrupt file, keeps its last good copy, and leaves the file alone', async () => {
    const home = tempHome();
    writeSession(home, workflowSession('session-c'));
    const store = createDashboardStore({ home });
    await loadAll(store, new UnifiedSessionManager(home));
    open.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20 }));
    const file = storePaths(home).sessionFile('session-c');
    fs.writeFileSync(file, '{ not json');
    await vi.waitFor(() => expect(Object.keys(store.getState().problems)).toEqual([file]));
    expect(store.getState().sessions['session-c']).toBeDefined();
    expect(fs.readFileSync(file, 'utf8')).toBe('{ not json');
  });

  it('while a MapReduce session is open, follows its job file, events and DLQ', async () => {
    const home = tempHome();
    writeSession(home, mapReduceSession('session-m', 'job-7'));
    const store = createDashboardStore({ home });
    await loadAll(store, new UnifiedSessionManager(home));
    open.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20, tickMs: 50, retryMs: 20 }));
    store.getState().openSession('session-m');
    await vi.waitFor(() => expect(store.getState().job?.repo).toBe('demo-repo'));

    writeJob(home, 'demo-repo', jobState('job-7', 'session-m', workItems(20, (i) => (i < 5 ? 'completed' : 'pending'))));
    await vi.waitFor(() => expect(store.getState().job?.state?.items).toHaveLength(20));
    appendEvents(home, 'demo-repo', 'job-7', [{ type: 'AgentCompleted', item_id: 'item-4' }]);
    await vi.waitFor(() => expect(store.getState().job?.events.at(-1)?.item_id).toBe('item-4'));
    writeDlqItem(home, 'demo-repo', 'job-7', 'item-9');
    await vi.waitFor(() => expect(store.getState().job?.dlqCount).toBe(1));
    expect(store.getState().job?.ordered[0]?.status).toBe('pending');

    store.getState().back();
    expect(store.getState().job).toBeNull();
  });

  it('finds a job that records no repository once its files exist and its session moves', async () => {
    const home = tempHome();
    const bare = mapReduceSession('session-b', 'job-9', { metadata: {} });
    writeSession(home, bare);
    const store = createDashboardStore({ home });
    await loadAll(store, new UnifiedSessionManager(home));
    open.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20, tickMs: 50, retryMs: 20 }));
    store.getState().openSession('session-b');
    await vi.waitFor(() => expect(store.getState().job?.repo).toBeNull());
    writeJob(home, 'some-repo', jobState('job-9', 'session-b', workItems(3, () => 'running')));
    writeSession(home, { ...bare, updated_at: new Date().toISOString() });
    await vi.waitFor(() => expect(store.getState().job?.state?.items).toHaveLength(3));
    expect(store.getState().job?.repo).toBe('some-repo');
  });
});
