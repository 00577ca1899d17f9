import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UnifiedSession } from '../../src/session/types.js';
import { MIN_SHORT, idBody, shortIds } from '../../src/view/short-id.js';
import { itemsProgress, progressText } from '../../src/view/progress-text.js';
import { sessionTable } from '../../src/view/session-rows.js';
import { displayWidth } from '../../src/view/text.js';
import { mapReduceSession, workflowSession } from '../tui/fixtures.js';

const hex = fc.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

describe('short ids (git-style unique prefixes)', () => {
  it('each is a prefix of its id without `session-`, at least 7 long, and no other id starts with it', () => {
    fc.assert(
      fc.property(fc.uniqueArray(hex, { maxLength: 60 }), fc.array(fc.nat(59), { maxLength: 5 }), (uuids, twins) => {
        // Near twins share long prefixes on purpose.
        const ids = [...uuids, ...twins.filter((i) => i < uuids.length).map((i) => `${uuids[i]!.slice(0, 20)}ffff${uuids[i]!.slice(24)}`)].map((u) => `session-${u}`);
        const short = shortIds(ids);
        for (const id of new Set(ids)) {
          const s = short.get(id)!;
          expect(idBody(id).startsWith(s)).toBe(true);
          expect(s.length).toBeGreaterThanOrEqual(Math.min(MIN_SHORT, idBody(id).length));
          for (const other of new Set(ids)) if (other !== id) expect(idBody(other).startsWith(s)).toBe(false);
        }
      }),
    );
  });

  it('the sessions table keeps whole ids when they fit, else short ones, and never cuts an id', () => {
    const sessions = ['0123abcd-89ab-4cde-8f01-23456789abcd', '0123abce-89ab-4cde-8f01-23456789abcd'].map((u) => workflowSession(`session-${u}`));
    const wide = sessionTable(sessions, () => false, Date.now(), 200, sessions.map((s) => s.id));
    expect(wide[1]).toMatch(/^session-0123abcd-89ab-4cde-8f01-23456789abcd /);
    const narrow = sessionTable(sessions, () => false, Date.now(), 80, sessions.map((s) => s.id));
    expect(narrow.map((l) => l.split(/\s+/)[0])).toEqual(['ID', '0123abcd', '0123abce']);
    for (const l of narrow) expect(displayWidth(l)).toBeLessThanOrEqual(80);
  });
});

describe('the one progress formatter', () => {
  it('says the step in flight for a stopped workflow and the last step once completed', () => {
    const paused = workflowSession('a', { status: 'Paused' }, { total_steps: 7, completed_steps: [0, 1] });
    expect(progressText(paused)).toBe('step 3/7');
    expect(progressText({ ...paused, status: 'Completed' } as UnifiedSession)).toBe('step 7/7');
  });

  it('counts finished items (done or dead) of all, and the failed ones', () => {
    const s = mapReduceSession('m', 'job');
    s.mapreduce_data = { ...s.mapreduce_data!, total_items: 50, processed_items: 31, failed_items: 3 };
    expect(progressText(s)).toBe('31/50 items, 3 failed');
    expect(itemsProgress(31, 50, 0)).toBe('31/50 items');
  });
});
