/** Stable selection: the cursor follows its id under inserts, removals and reorders (every table uses it). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDashboardStore } from '../../store/dashboard.js';
import { follow, moveSelection, positionText } from '../../src/tui/selection.js';
import { T0, iso, workflowSession } from './fixtures.js';

describe('follow', () => {
  it('keeps the selected id under any insert and reorder; a vanished id keeps its row, clamped', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 40 }), fc.nat(), fc.array(fc.string({ minLength: 5, maxLength: 6 }), { maxLength: 10 }), fc.boolean(), fc.integer(), (ids, pick, added, drop, seed) => {
        const cursor = pick % ids.length;
        const selected = ids[cursor]!;
        // Rows arrive anywhere and everything is shuffled (a sort by a changing key).
        const key = (x: string) => [...x].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), seed | 0);
        const next = [...ids, ...added.filter((a) => !ids.includes(a))].sort((a, b) => key(a) - key(b));
        const shuffled = drop ? next.filter((x) => x !== selected) : next;
        const sel = follow(shuffled, selected, cursor);
        if (!drop) {
          expect(sel.selectedId).toBe(selected);
          expect(shuffled[sel.cursor]).toBe(selected);
        } else {
          expect(sel.cursor).toBe(Math.min(cursor, Math.max(0, shuffled.length - 1)));
          expect(sel.selectedId).toBe(shuffled[sel.cursor] ?? null);
        }
      }),
    );
  });

  it('moves by rows within bounds and says where it is', () => {
    expect(moveSelection(['a', 'b', 'c'], 1, 5)).toEqual({ cursor: 2, selectedId: 'c' });
    expect(moveSelection([], 3, 1)).toEqual({ cursor: 0, selectedId: null });
    expect(positionText(33, 2000)).toBe('34/2000');
    expect(positionText(0, 0)).toBe('');
  });
});

describe('the sessions store under arriving and re-sorted sessions', () => {
  it('Enter always opens the session the cursor was on, whatever arrived above it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.nat(), fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 8 }), (n, pick, offsets) => {
        const store = createDashboardStore({ home: '/nowhere', now: T0 });
        const base = Array.from({ length: n }, (_, i) => workflowSession(`session-${i}`, { started_at: iso(T0 + i * 1000), status: 'Completed' }));
        store.getState().sessionsLoaded(base, {});
        for (let i = 0; i < pick % n; i++) store.getState().perform('down');
        const chosen = store.getState().selectedId!;
        // New sessions at any start time (above or below), and updates that change the sort.
        offsets.forEach((o, k) => store.getState().sessionsChanged([workflowSession(`session-new-${k}`, { started_at: iso(T0 + o * 1000), status: 'Completed' })], [], {}));
        store.getState().perform('cycleSort');
        store.getState().perform('reverseSort');
        expect(store.getState().selectedId).toBe(chosen);
        expect(store.getState().ids[store.getState().cursor]).toBe(chosen);
        store.getState().perform('open');
        expect(store.getState().openId).toBe(chosen);
      }),
    );
  });
});
