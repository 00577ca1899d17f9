import { afterEach, describe, expect, it } from 'vitest';
import type { WorkItemStatus } from '../../src/mapreduce/job-types.js';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { type Feed, loadAll, startFeed } from '../../store/dashboard-feed.js';
import { seedProdigyFixtures, tempHome } from '../helpers/home.js';
import { T0, appendEvents, iso, jobState, mapReduceSession, workItems, writeDlqItem, writeJob, writeSession } from './fixtures.js';
import { KEY, lines, renderDashboard, resize } from './render.js';

const feeds: Feed[] = [];
afterEach(() => feeds.splice(0).forEach((f) => f.stop()));

const NOW = T0 + 10 * 60_000;
/** 10 minutes in: 300 done, 10 dead (given up, in the DLQ), 4 running, the rest pending; every finished item ended at T0+30s+i s. */
const statusOf =
  (done: number) =>
  (i: number): WorkItemStatus =>
    i < done ? 'completed' : i < done + 10 ? 'dead' : i < done + 14 ? 'running' : 'pending';

async function openJob(items: number, done = 300) {
  const home = tempHome();
  writeSession(home, mapReduceSession('session-mr', 'job-42', { metadata: { repo_name: 'demo-repo', workflow_name: 'fan-out', owner_pid: process.pid } }));
  writeJob(home, 'demo-repo', jobState('job-42', 'session-mr', workItems(items, statusOf(done))));
  appendEvents(home, 'demo-repo', 'job-42', [
    { type: 'JobStarted', timestamp: iso(T0) },
    { type: 'AgentFailed', item_id: 'item-300', agent_id: 'agent-1', message: 'exit 1', timestamp: iso(T0 + 1000) },
    { type: 'AgentCompleted', item_id: 'item-299', agent_id: 'agent-2', timestamp: iso(T0 + 2000) },
  ]);
  writeDlqItem(home, 'demo-repo', 'job-42', 'item-300');
  writeDlqItem(home, 'demo-repo', 'job-42', 'item-301');
  const store = createDashboardStore({ home, now: NOW });
  await loadAll(store, new UnifiedSessionManager(home));
  feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20, tickMs: 60_000, retryMs: 20 }));
  const ui = renderDashboard(store);
  await ui.waitFor((f) => f.includes('fan-out'));
  // Event lines name items too: wait for the agent table itself, i.e. job.json read and its rows drawn.
  await ui.press(
    KEY.enter,
    (f) => store.getState().job?.state?.items.length === items && f.includes('▸ Agents') && lines(f).some((l) => l.startsWith('›') && / item-\d+ /.test(l)),
  );
  return { home, store, ui };
}

describe('MapReduce detail', () => {
  it('shows phase, a progress bar with counts, rate, ETA, DLQ count, the agent table and the latest events', async () => {
    const { ui } = await openJob(1000);
    await ui.waitFor((f) => f.includes('DLQ 2') && f.includes('AgentCompleted'));
    const f = ui.frame();
    expect(f).toContain('✓ setup → ▸ map → reduce → done');
    expect(f).toMatch(/█+▓+▒*░+ 310\/1000/);
    expect(f).toContain('✓ 300 done  ✗ 10 failed  ● 4 running  · 686 pending');
    // Items 270..309 ended in the last 5 minutes: 8.0/min; 690 left -> 1h 26m.
    expect(f).toMatch(/8\.0\/min +ETA 1h 26m +DLQ 2/);
    // Running agents first, with attempt and last output line.
    expect(lines(f).find((l) => l.startsWith('›'))).toMatch(/item-310 +● running +1 .*line from item-310/);
    expect(f).toMatch(/item-300 +☠ dead +3 +30s +item-300 broke/);
    // Newest event first.
    const ev = lines(f).filter((l) => /\d\d:\d\d:\d\d /.test(l));
    expect(ev[0]).toContain('AgentCompleted item-299 (agent-2)');
    expect(ev[1]).toContain('AgentFailed item-300 (agent-1) exit 1');
  });

  it('follows the job as its files change', async () => {
    const { home, ui } = await openJob(100, 50);
    writeJob(home, 'demo-repo', jobState('job-42', 'session-mr', workItems(100, statusOf(80)), { phase: 'Map' }));
    await ui.waitFor((f) => f.includes('✓ 80 done'));
    appendEvents(home, 'demo-repo', 'job-42', [{ type: 'PhaseChanged', phase: 'Reduce', timestamp: iso(T0 + 9000) }]);
    writeJob(home, 'demo-repo', jobState('job-42', 'session-mr', workItems(100, () => 'completed'), { phase: 'Reduce' }));
    await ui.waitFor((f) => f.includes('▸ reduce') && f.includes('PhaseChanged Reduce') && f.includes('DLQ 2'));
    // Nothing runs in reduce: no rate, no "ETA 0ms".
    expect(ui.frame()).not.toMatch(/ETA|\/min/);
  });

  it('10,000 items: formats only the rows that fit, and scrolls through them', async () => {
    const { ui, store } = await openJob(10_000);
    const rows = () => lines(ui.frame()).filter((l) => / item-\d+ /.test(l));
    const height = rows().length;
    expect(height).toBeGreaterThan(5);
    expect(height).toBeLessThan(20);
    expect(lines(ui.frame()).length).toBeLessThanOrEqual(23);
    await ui.press('G', (f) => lines(f).some((l) => l.startsWith('›') && l.includes('item-299 ')));
    expect(ui.frame()).toContain('10000/10000');
    await ui.press('g', (f) => lines(f).some((l) => l.startsWith('›') && l.includes('item-310 ')));
    await ui.press(KEY.pageDown, () => store.getState().detailCursor[0] > 0);
    expect(rows().length).toBe(height);
    await ui.press(KEY.tab, (f) => f.includes('▸ Events'));
    await ui.press('j', (f) => lines(f).some((l) => l.startsWith('›') && l.includes('AgentFailed')));
  });

  it('stays readable at 40x12', async () => {
    const { ui } = await openJob(1000);
    resize(ui.stdout, { columns: 40, rows: 12 });
    await ui.waitFor((f) => lines(f).every((l) => l.length <= 40) && f.includes('▸ Agents'));
    expect(lines(ui.frame()).length).toBeLessThanOrEqual(11);
    expect(ui.frame()).toContain('✓300 ✗10 ●4 ·686');
    expect(ui.frame()).toContain("8.0/m ETA 1h 26m DLQ 2");
  });

  it('Prodigy’s own MapReduce sessions (no job files here) show counts from the session', async () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const store = createDashboardStore({ home, now: Date.parse('2024-11-25T00:00:00Z') });
    await loadAll(store, new UnifiedSessionManager(home));
    feeds.push(startFeed(store, { tickMs: 60_000 }));
    store.getState().openSession('session-9a8b7c6d-0000-4000-8000-123456789abc');
    const ui = renderDashboard(store);
    await ui.waitFor((f) => f.includes('job files not found'));
    const f = ui.frame();
    expect(f).toContain('✗ Failed');
    expect(f).toContain('✓ 200 done  ✗ 12 failed  ● 0 running  · 88 pending');
    expect(f).toContain('212/300');
    expect(f).toContain('job mapreduce-1732298400000');
  });
});
