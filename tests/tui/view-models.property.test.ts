import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEY_TABLE, actionFor, helpRows, keyName } from '../../src/tui/keys.js';
import { shortIds } from '../../src/view/short-id.js';
import { MIN_SIZE, clampCursor, fitLine, fits, splitRows, tooSmallNotice, windowTop } from '../../src/tui/layout.js';
import { etaMs, itemsPerMinute, progressBar, progressSegments, RATE_WINDOW_MS } from '../../src/tui/progress.js';
import { inRepo, listStatus, listTable, visibleIds } from '../../src/tui/session-list.js';
import { SLOW_TICK_MS, shouldTick } from '../../src/tui/clock.js';
import { displayWidth } from '../../src/view/text.js';
import { T0, iso, jobState, mapReduceSession, workItems, workflowSession } from './fixtures.js';
import { jobSummary, orderItems } from '../../src/tui/mapreduce-view.js';
import type { WorkItemState } from '../../src/mapreduce/job-types.js';

describe('scrolling window', () => {
  it('always shows the cursor, stays in bounds, and does not move while the cursor is inside it', () => {
    fc.assert(
      fc.property(fc.nat(500), fc.nat(500), fc.integer({ min: 1, max: 60 }), fc.nat(500), (c, top, height, count) => {
        const cursor = clampCursor(c, 0, count);
        const t = windowTop(cursor, top, height, count);
        expect(t).toBeGreaterThanOrEqual(0);
        if (count > 0) {
          expect(cursor).toBeGreaterThanOrEqual(t);
          expect(cursor).toBeLessThan(t + height);
          expect(t).toBeLessThanOrEqual(Math.max(0, count - height));
        }
        const maxTop = Math.max(0, count - height);
        if (top <= maxTop && cursor >= top && cursor < top + height) expect(t).toBe(top);
      }),
    );
  });

  it('clamps cursor moves to the rows there are', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.integer({ min: -1000, max: 1000 }), fc.nat(100), (c, d, n) => {
        const r = clampCursor(c, d, n);
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(Math.max(0, n - 1));
      }),
    );
  });

  it('a too-small terminal gets a notice no wider than itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 60 }), (columns, rows) => {
        expect(fits({ columns, rows })).toBe(columns >= MIN_SIZE.columns && rows >= MIN_SIZE.rows);
        expect(tooSmallNotice({ columns, rows }).length).toBeLessThanOrEqual(columns);
      }),
    );
  });
});

describe('progress maths', () => {
  const counts = fc.record({ completed: fc.nat(20000), failed: fc.nat(2000), running: fc.nat(64), pending: fc.nat(20000) });

  it('the bar is exactly as wide as asked and its parts follow the counts', () => {
    fc.assert(
      fc.property(counts, fc.nat(200), (c, width) => {
        const total = c.completed + c.failed + c.running + c.pending;
        const seg = progressSegments({ ...c, total }, width);
        expect(seg.completed + seg.failed + seg.running + seg.pending).toBe(width);
        expect([...progressBar({ ...c, total }, width)].length).toBe(width);
        if (total > 0 && c.pending === 0 && c.running === 0 && c.failed === 0) expect(seg.completed).toBe(width);
        // No part is off by more than one cell from its exact share.
        if (total > 0) for (const k of ['completed', 'failed', 'running', 'pending'] as const) expect(Math.abs(seg[k] - (c[k] / total) * width)).toBeLessThan(1);
      }),
    );
  });

  it('rate counts items finished in the recent window, over the run when it is short', () => {
    const now = T0 + 60 * 60_000;
    // 10 items ended in the last minute of a one-hour run: recent pace wins.
    const recent = Array.from({ length: 10 }, (_, i) => now - i * 5000);
    expect(itemsPerMinute(recent, T0, now)).toBeCloseTo((10 / RATE_WINDOW_MS) * 60_000);
    // A 2-minute-old run with 4 items done: 2/min.
    expect(itemsPerMinute([now - 1000, now - 2000, now - 3000, now - 4000], now - 120_000, now)).toBeCloseTo(2);
    expect(itemsPerMinute([], T0, now)).toBeNull();
  });

  it('ETA is remaining over rate, zero when done, unknown without a rate', () => {
    fc.assert(
      fc.property(fc.nat(100000), fc.double({ min: 0.01, max: 10000, noNaN: true }), (remaining, rate) => {
        const eta = etaMs(remaining, rate)!;
        expect(eta).toBeCloseTo((remaining / rate) * 60_000, 3);
        expect(etaMs(remaining + 1, rate)!).toBeGreaterThan(eta);
      }),
    );
    expect(etaMs(0, null)).toBe(0);
    expect(etaMs(5, null)).toBeNull();
  });
});

describe('key table', () => {
  it('no key means two things in one view', () => {
    for (const view of ['list', 'detail'] as const) {
      const seen = new Map<string, string>();
      for (const b of KEY_TABLE.filter((x) => x.scope === 'any' || x.scope === view)) {
        for (const k of b.keys) {
          expect(seen.get(k), `${k} in ${view}`).toBeUndefined();
          seen.set(k, b.action);
        }
      }
    }
  });

  it('help lists every binding of the view, in table order', () => {
    const rows = helpRows('detail');
    const expected = KEY_TABLE.filter((b) => b.scope === 'any' || b.scope === 'detail');
    expect(rows.map((r) => r.description)).toEqual(expected.map((b) => b.description));
  });

  it('names keys the way the table spells them', () => {
    expect(keyName('', { downArrow: true })).toBe('down');
    expect(keyName('', { delete: true })).toBe('backspace'); // Ink 6 reports \x7f as delete
    expect(keyName('', { tab: true, shift: true })).toBe('shift-tab');
    expect(keyName('c', { ctrl: true })).toBe('ctrl-c');
    expect(keyName('', { escape: true })).toBe('escape');
    expect(keyName('G', { shift: true })).toBe('G');
    expect(actionFor('G', 'list')).toBe('bottom');
    expect(actionFor('return', 'detail')).toBeNull();
    expect(actionFor('escape', 'detail')).toBe('back');
  });
});

describe('sessions list', () => {
  const sessions = Object.fromEntries(
    Array.from({ length: 30 }, (_, i) => {
      const s = workflowSession(`s-${String(i).padStart(2, '0')}`, {
        started_at: iso(T0 + i * 60_000),
        status: (['Running', 'Completed', 'Failed', 'Paused'] as const)[i % 4],
        metadata: { repo_path: i % 2 ? '/repos/here' : '/repos/other' },
      });
      return [s.id, s];
    }),
  );
  const q = { text: '', status: 'all' as const, sort: 'started' as const, repoPath: null, all: false };

  it('lists newest first; this repository first when grouping', () => {
    expect(visibleIds(sessions, {}, q).slice(0, 3)).toEqual(['s-29', 's-28', 's-27']);
    const grouped = visibleIds(sessions, {}, { ...q, repoPath: '/repos/here' });
    expect(grouped.slice(0, 15).every((id) => Number(id.slice(2)) % 2 === 1)).toBe(true);
    expect(visibleIds(sessions, {}, { ...q, repoPath: '/repos/here', all: true })[0]).toBe('s-29');
  });

  it('a running session whose owner is gone shows as Interrupted and is found by that filter', () => {
    const ids = visibleIds(sessions, { 's-00': false }, { ...q, status: 'interrupted' });
    expect(ids).toContain('s-00');
    expect(ids).not.toContain('s-04'); // running, owner alive (unknown)
    const { rows } = listTable(['s-00'], sessions, { 's-00': false }, { now: T0, width: 100, repoPath: null, all: false });
    expect(rows[0]!.text).toContain('! Interrupted');
  });

  it('random stores: this repository first, then newest first, each status filter exact', () => {
    const arb = fc.array(
      fc.record({
        t: fc.integer({ min: 0, max: 1e6 }),
        status: fc.constantFrom('Running', 'Paused', 'Completed', 'Failed', 'Cancelled', 'Initializing'),
        here: fc.boolean(),
        dead: fc.boolean(),
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, fc.constantFrom('all', 'active', 'interrupted', 'failed', 'completed'), (specs, status) => {
        const all = Object.fromEntries(
          specs.map((x, i) => {
            const s = workflowSession(`id-${i}`, { status: x.status as never, started_at: iso(T0 + x.t * 1000), metadata: { repo_path: x.here ? '/r/here' : '/r/else' } });
            return [s.id, s];
          }),
        );
        const alive = Object.fromEntries(specs.map((x, i) => [`id-${i}`, !x.dead]));
        const ids = visibleIds(all, alive, { ...q, status, repoPath: '/r/here' });
        const key = (id: string) => [inRepo(all[id]!, '/r/here') ? 0 : 1, -Date.parse(all[id]!.started_at)] as const;
        for (let i = 1; i < ids.length; i++) {
          const [ga, ta] = key(ids[i - 1]!);
          const [gb, tb] = key(ids[i]!);
          expect(ga < gb || (ga === gb && ta <= tb)).toBe(true);
        }
        const expected = Object.values(all).filter((s) => {
          const st = listStatus(s, alive[s.id]);
          return status === 'all' || (status === 'active' ? ['Running', 'Initializing'] : status === 'interrupted' ? ['Interrupted', 'Paused'] : status === 'failed' ? ['Failed', 'Cancelled'] : ['Completed']).includes(st);
        });
        expect(new Set(ids)).toEqual(new Set(expected.map((s) => s.id)));
      }),
    );
  });

  it('every line fits the width it is given', () => {
    fc.assert(
      // 38: the smallest dashboard (40 columns) less the cursor marks.
      fc.property(fc.integer({ min: 38, max: 200 }), fc.nat(29), (width, start) => {
        const ids = visibleIds(sessions, {}, q).slice(start, start + 10);
        const short = shortIds(Object.keys(sessions));
        const t = listTable(ids, sessions, {}, { now: T0 + 3600_000, width, repoPath: '/repos/here', all: false, short });
        // The short id is never dropped nor cut.
        for (const r of t.rows) expect(r.text.trimEnd().endsWith(short.get(r.id)!)).toBe(true);
        for (const line of [t.header, ...t.rows.map((r) => r.text)]) expect(displayWidth(line)).toBeLessThanOrEqual(width);
        // Status is never dropped: it carries the word, not just a colour.
        expect(t.header.startsWith('STATUS')).toBe(true);
        // Headers stay over their columns when columns in the middle are dropped.
        const name = t.header.indexOf('NAME');
        expect(name).toBeGreaterThan(0);
        for (const r of t.rows) expect(r.text.slice(name, name + 3)).toBe('wf-');
      }),
    );
  });
});

describe('layout helpers', () => {
  it('splitRows never gives more than is available or wanted, and wastes nothing that is wanted', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.array(fc.nat(60), { minLength: 1, maxLength: 4 }), (available, wants) => {
        const got = splitRows(available, wants);
        const sum = got.reduce((a, b) => a + b, 0);
        expect(sum).toBeLessThanOrEqual(available);
        got.forEach((g, i) => expect(g).toBeLessThanOrEqual(wants[i]!));
        expect(sum).toBe(Math.min(available, wants.reduce((a, b) => a + b, 0)));
      }),
    );
  });

  it('fitLine keeps within the width and keeps the right side whole when it can', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 20 }), fc.integer({ min: 1, max: 120 }), (l, r, width) => {
        const line = fitLine(l, r, width);
        expect(displayWidth(line)).toBeLessThanOrEqual(width);
        if (displayWidth(r) + 2 <= width && r.length > 0) expect(line.endsWith(r)).toBe(true);
      }),
    );
  });
});

describe('clock', () => {
  const old = workflowSession('old', { status: 'Completed', started_at: iso(T0 - 3600_000) });
  it('ticks every second only while a live run or a sub-minute age is on screen', () => {
    expect(shouldTick({ sessions: { old }, alive: {} }, T0, T0 - 1000)).toBe(false);
    expect(shouldTick({ sessions: { old }, alive: {} }, T0, T0 - SLOW_TICK_MS)).toBe(true);
    const run = workflowSession('run', { status: 'Running', started_at: iso(T0 - 3600_000) });
    expect(shouldTick({ sessions: { old, run }, alive: {} }, T0, T0 - 1000)).toBe(true);
    expect(shouldTick({ sessions: { old, run }, alive: { run: false } }, T0, T0 - 1000)).toBe(false); // crashed: frozen
    const fresh = workflowSession('fresh', { status: 'Completed', started_at: iso(T0 - 30_000) });
    expect(shouldTick({ sessions: { fresh }, alive: {} }, T0, T0 - 1000)).toBe(true);
  });

  it('in the list, ticks only when a row\'s clock text would change; other views tick while a run is live', () => {
    // 2h 00m 30s old: its duration reads "2h 00m" a second ago and now, its age "2h ago".
    const long = workflowSession('long', { status: 'Running', started_at: iso(T0 - 7_230_000) });
    expect(shouldTick({ sessions: { long }, alive: {}, view: 'list' }, T0, T0 - 1000)).toBe(false);
    expect(shouldTick({ sessions: { long }, alive: {}, view: 'detail' }, T0, T0 - 1000)).toBe(true); // spinner
    // Started 65 s ago: "1m 04s" -> "1m 05s".
    const young = workflowSession('young', { status: 'Running', started_at: iso(T0 - 65_000) });
    expect(shouldTick({ sessions: { long, young }, alive: {}, view: 'list' }, T0, T0 - 1000)).toBe(true);
    // A clock that reads the same (a start time ahead of this machine's clock) does not redraw the list.
    const ahead = workflowSession('ahead', { status: 'Running', started_at: iso(T0 + 86_400_000) });
    expect(shouldTick({ sessions: { ahead }, alive: {}, view: 'list' }, T0, T0 - 1000)).toBe(false);
    // What is shown beside the list (the banner's age) counts too.
    expect(shouldTick({ sessions: { long }, alive: {}, view: 'list' }, T0, T0 - 1000, (at) => String(Math.floor(at / 1000)))).toBe(true);
  });
});

describe('agent table order', () => {
  it('is running, dead, failed, pending, completed, by index in each, whether or not the items come in index order', () => {
    const status = fc.constantFrom<WorkItemState['status']>('running', 'dead', 'failed', 'pending', 'completed');
    fc.assert(
      fc.property(fc.array(status, { maxLength: 60 }), fc.boolean(), (statuses, shuffle) => {
        const items = workItems(statuses.length, (i) => statuses[i]!);
        const input = shuffle ? [...items].reverse() : items;
        const rank = { running: 0, dead: 1, failed: 2, pending: 3, completed: 4 };
        const want = [...items].sort((a, b) => rank[a.status] - rank[b.status] || a.index - b.index);
        expect(orderItems(input).map((it) => it.id)).toEqual(want.map((it) => it.id));
      }),
    );
  });
});

describe('job summary over a followed job', () => {
  it('counts and rates as a fresh count would, as items are replaced frame after frame', () => {
    const status = fc.constantFrom<WorkItemState['status']>('running', 'dead', 'failed', 'pending', 'completed');
    fc.assert(
      fc.property(fc.array(status, { minLength: 1, maxLength: 40 }), fc.array(fc.tuple(fc.nat(), status), { maxLength: 30 }), (first, changes) => {
        let items = workItems(first.length, (i) => first[i]!);
        const session = mapReduceSession('session-m', 'job-m');
        const now = T0 + 3_600_000;
        for (const [at, st] of changes) {
          const i = at % items.length;
          // A followed job replaces a changed item's object, never edits it.
          items = items.map((it, k) => (k === i ? { ...workItems(items.length, () => st)[k]!, index: it.index } : it));
          const got = jobSummary(session, jobState('job-m', 'session-m', items), now);
          const fresh = items.filter((it) => it.ended_at && (it.status === 'completed' || it.status === 'dead')).map((it) => Date.parse(it.ended_at!));
          expect(got.counts).toEqual({
            total: items.length,
            completed: items.filter((it) => it.status === 'completed').length,
            failed: items.filter((it) => it.status === 'dead').length,
            running: items.filter((it) => it.status === 'running').length,
            pending: items.filter((it) => it.status === 'pending' || it.status === 'failed').length,
          });
          expect(got.perMinute).toBe(itemsPerMinute(fresh, Date.parse(jobState('job-m', 'session-m', items).created_at), now));
        }
      }),
    );
  });
});
