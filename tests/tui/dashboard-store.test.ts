import { describe, expect, it } from 'vitest';
import { createDashboardStore } from '../../store/dashboard.js';
import { T0, iso, mapReduceSession, workflowSession } from './fixtures.js';

function storeWith(n: number) {
  const store = createDashboardStore({ home: '/nowhere', now: T0, size: { columns: 100, rows: 20 } });
  const sessions = Array.from({ length: n }, (_, i) => workflowSession(`s-${String(i).padStart(2, '0')}`, { started_at: iso(T0 + i * 1000) }));
  store.getState().sessionsLoaded(sessions, {});
  return store;
}
const keys = (store: ReturnType<typeof storeWith>, ...names: string[]) => names.forEach((k) => store.getState().key(k));

describe('dashboard store', () => {
  it('moves the cursor with j/k, g/G and pages, within bounds', () => {
    const store = storeWith(40);
    expect(store.getState().selectedId).toBe('s-39');
    keys(store, 'j', 'j', 'down');
    expect(store.getState().cursor).toBe(3);
    keys(store, 'k', 'up', 'up', 'up');
    expect(store.getState().cursor).toBe(0);
    keys(store, 'G');
    expect(store.getState().selectedId).toBe('s-00');
    keys(store, 'g', 'pagedown');
    expect(store.getState().cursor).toBe(15); // rows 20 -> 19-line frame -> 15 list rows
    keys(store, 'pageup');
    expect(store.getState().cursor).toBe(0);
  });

  it('the cursor stays on its session when a newer one appears above it', () => {
    const store = storeWith(5);
    keys(store, 'j');
    expect(store.getState().selectedId).toBe('s-03');
    store.getState().sessionsChanged([workflowSession('s-99', { started_at: iso(T0 + 999_000) })], [], {});
    expect(store.getState().selectedId).toBe('s-03');
    expect(store.getState().cursor).toBe(2);
    store.getState().sessionsChanged([], ['s-03'], {});
    expect(store.getState().ids).not.toContain('s-03');
    expect(store.getState().cursor).toBe(2);
  });

  it('/ edits the filter, Enter keeps it, Esc clears it; typed letters are not commands', () => {
    const store = storeWith(12);
    keys(store, '/', 's', '-', '1', 'q');
    expect(store.getState().quitRequested).toBe(false);
    expect(store.getState().filterText).toBe('s-1q');
    keys(store, 'backspace');
    expect(store.getState().ids).toEqual(['s-11', 's-10']);
    keys(store, 'return', 'j');
    expect(store.getState().filterEditing).toBe(false);
    expect(store.getState().selectedId).toBe('s-10');
    keys(store, 'escape');
    expect(store.getState().ids).toHaveLength(12);
  });

  it('f cycles status filters and s cycles sorts', () => {
    const store = createDashboardStore({ home: '/x', now: T0 });
    store.getState().sessionsLoaded(
      [
        workflowSession('a', { status: 'Completed', started_at: iso(T0 + 3000) }),
        workflowSession('b', { status: 'Running', started_at: iso(T0 + 2000), updated_at: iso(T0 + 9000) }),
        workflowSession('c', { status: 'Running', started_at: iso(T0 + 1000) }, { workflow_name: 'aaa' }),
      ],
      { c: false },
    );
    keys(store, 'f');
    expect(store.getState().statusFilter).toBe('active');
    expect(store.getState().ids).toEqual(['b']);
    keys(store, 'f');
    expect(store.getState().ids).toEqual(['c']); // owner gone: interrupted
    keys(store, 'f', 'f', 'f');
    expect(store.getState().statusFilter).toBe('all');
    keys(store, 's');
    expect(store.getState().sort).toBe('updated');
    expect(store.getState().ids[0]).toBe('b');
    keys(store, 's', 's');
    expect(store.getState().ids[0]).toBe('c');
  });

  it('Enter opens the detail view (with its job for MapReduce), Esc and Backspace go back', () => {
    const store = createDashboardStore({ home: '/x', now: T0 });
    store.getState().sessionsLoaded([mapReduceSession('m', 'job-1'), workflowSession('w', { started_at: iso(T0 - 1000) })], {});
    keys(store, 'return');
    expect(store.getState().view).toBe('detail');
    expect(store.getState().job?.jobId).toBe('job-1');
    keys(store, 'tab');
    expect(store.getState().pane).toBe(1);
    keys(store, 'escape');
    expect(store.getState().view).toBe('list');
    expect(store.getState().job).toBeNull();
    keys(store, 'j', 'return');
    expect(store.getState().openId).toBe('w');
    keys(store, 'backspace');
    expect(store.getState().view).toBe('list');
  });

  it('? toggles help, any other key closes it, q and Ctrl+C quit', () => {
    const store = storeWith(3);
    keys(store, '?');
    expect(store.getState().help).toBe(true);
    keys(store, 'j');
    expect(store.getState().help).toBe(false);
    expect(store.getState().cursor).toBe(0);
    keys(store, '?', 'q');
    expect(store.getState().quitRequested).toBe(true);
    const other = storeWith(1);
    keys(other, 'ctrl-c');
    expect(other.getState().quitRequested).toBe(true);
  });

  it('ask() takes y/n before anything else (the seam for resume and interrupt prompts)', () => {
    const store = storeWith(3);
    const answers: string[] = [];
    store.getState().ask({ prompt: 'Resume s-01?', onYes: () => answers.push('yes'), onNo: () => answers.push('no') });
    keys(store, 'j', 'q');
    expect(store.getState().cursor).toBe(0);
    expect(store.getState().quitRequested).toBe(false);
    keys(store, 'y');
    store.getState().ask({ prompt: 'again?', onYes: () => answers.push('yes') , onNo: () => answers.push('no') });
    keys(store, 'escape');
    expect(answers).toEqual(['yes', 'no']);
    expect(store.getState().confirm).toBeNull();
  });
});
