/** y / Y (OSC 52), s / S with the header mark, `/` over every field with words in any order, and the agent cursor following its item. */
import { afterEach, describe, expect, it } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { helpRows } from '../../src/tui/keys.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { type Feed, loadAll, startFeed } from '../../store/dashboard-feed.js';
import { tempHome } from '../helpers/home.js';
import { T0, iso, jobState, mapReduceSession, workItems, workflowSession, writeJob, writeSession } from './fixtures.js';
import { KEY, lines, renderDashboard, selectedLine } from './render.js';

const feeds: Feed[] = [];
afterEach(() => feeds.splice(0).forEach((f) => f.stop()));

const osc52 = (text: string) => `\x1b]52;c;${Buffer.from(text).toString('base64')}\x07`;

async function home3() {
  const home = tempHome();
  writeSession(home, workflowSession('session-0a11aaaa-0000-4000-8000-000000000001', { started_at: iso(T0), status: 'Completed', metadata: { repo_path: '/src/alpha', workflow_path: '/src/alpha/deploy.yml' } }, { workflow_name: 'deploy' }));
  writeSession(home, workflowSession('session-0b22bbbb-0000-4000-8000-000000000002', { started_at: iso(T0 + 60_000), status: 'Failed', error: 'disk quota exceeded', metadata: { repo_path: '/src/beta' } }, { workflow_name: 'build' }));
  writeSession(home, workflowSession('session-0c33cccc-0000-4000-8000-000000000003', { started_at: iso(T0 + 120_000), status: 'Paused', metadata: { repo_path: '/src/gamma' } }, { workflow_name: 'test' }));
  const store = createDashboardStore({ home, now: T0 + 180_000, color: false });
  await loadAll(store, new UnifiedSessionManager(home));
  feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20 }));
  const ui = renderDashboard(store);
  await ui.waitFor((f) => f.includes('deploy'));
  return { home, store, ui };
}

describe('copy', () => {
  it('y writes OSC 52 with the selected id and the status line confirms; Y copies the resume command', async () => {
    const { ui } = await home3();
    await ui.press('y', (f) => f.includes('Copied session id: session-0c33cccc-0000-4000-8000-000000000003'));
    expect(ui.frames).toContain(osc52('session-0c33cccc-0000-4000-8000-000000000003'));
    await ui.press('j', (f) => selectedLine(f).includes('build'));
    await ui.press('Y', (f) => f.includes('Copied resume command: prodigy resume session-0b22bbbb-0000-4000-8000-000000000002'));
    expect(ui.frames).toContain(osc52('prodigy resume session-0b22bbbb-0000-4000-8000-000000000002'));
    // The short id is shown in the list, whole (the store's three ids differ from the 2nd character).
    expect(selectedLine(ui.frame())).toMatch(/0b22bbb$/);
  });
});

describe('sort and search', () => {
  it('s cycles the sort column (the header marks it), S reverses it, the cursor stays on its session', async () => {
    const { ui } = await home3();
    expect(lines(ui.frame())[2]).toContain('STARTED▼');
    await ui.press('S', (f) => lines(f)[2]!.includes('STARTED▲') && f.includes('(reversed)'));
    expect(selectedLine(ui.frame())).toContain('test');
    expect(lines(ui.frame())[3]).toContain('deploy'); // oldest first now
    await ui.press('s', (f) => f.includes('sort: last active'));
    await ui.press('s', (f) => lines(f)[2]!.includes('STATUS▲'));
    await ui.press('s', (f) => lines(f)[2]!.includes('NAME▲'));
    expect(selectedLine(ui.frame())).toContain('test');
    // Names reversed: test, deploy, build; the position indicator says where the cursor is.
    expect(lines(ui.frame())[1]).toMatch(/ 1\/3$/);
    await ui.press('j', (f) => / 2\/3$/.test(lines(f)[1]!) && selectedLine(f).includes('deploy'));
  });

  it('/ matches name, id, status, repository, workflow path and error text, words in any order', async () => {
    const { store, ui } = await home3();
    const search = async (text: string, expected: string[]) => {
      store.getState().setFilterText('');
      await ui.press('/', () => store.getState().filterEditing);
      ui.stdin.write(text);
      await ui.press(KEY.enter, () => !store.getState().filterEditing && store.getState().filterText === text);
      await ui.waitFor(() => true);
      expect(store.getState().ids.map((id) => store.getState().sessions[id]!.workflow_data!.workflow_name).sort()).toEqual(expected);
    };
    await search('quota', ['build']); // error text
    await search('exceeded failed', ['build']); // words in any order, status word
    await search('gamma', ['test']); // repository
    await search('deploy.yml', ['deploy']); // workflow path
    await search('0a11', ['deploy']); // id
    await search('paused test', ['test']);
    await search('alpha failed', []);
  });
});

describe('the agent table', () => {
  it('keeps the cursor on its item when rows reorder (items start and finish), with a position indicator', async () => {
    const home = tempHome();
    writeSession(home, mapReduceSession('session-mr', 'job-7', { metadata: { repo_name: 'r', workflow_name: 'fan', owner_pid: process.pid } }));
    writeJob(home, 'r', jobState('job-7', 'session-mr', workItems(30, (i) => (i < 3 ? 'running' : 'pending'))));
    const store = createDashboardStore({ home, now: T0 + 60_000, color: false });
    await loadAll(store, new UnifiedSessionManager(home));
    feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20, retryMs: 20 }));
    const ui = renderDashboard(store);
    await ui.waitFor((f) => f.includes('fan'));
    await ui.press(KEY.enter, (f) => / item-0 /.test(selectedLine(f)));
    for (let i = 0; i < 5; i++) await ui.press('j', (f) => f.includes(`${i + 2}/30`));
    expect(selectedLine(ui.frame())).toMatch(/ item-5 /);
    // item-5 starts running (moves up to the running group) and item-0 finishes (moves down).
    writeJob(home, 'r', jobState('job-7', 'session-mr', workItems(30, (i) => (i === 0 ? 'completed' : i < 3 || i === 5 ? 'running' : 'pending'))));
    await ui.waitFor((f) => /item-5 +● running/.test(selectedLine(f)));
    expect(ui.frame()).toContain('3/30');
    expect(store.getState().agentSelected).toBe('item-5');
    // y on the agent table copies the item id.
    await ui.press('y', (f) => f.includes('Copied item id: item-5'));
  });

  it('every key of the table is in the help overlay', () => {
    const list = helpRows('list').map((r) => r.label);
    for (const k of ['s', 'S', 'y', 'Y', '/']) expect(list).toContain(k);
  });
});
