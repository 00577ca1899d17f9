import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canTransition, isFinal } from '../../src/session/lifecycle.js';
import { type SessionPatch, applyPatch } from '../../src/session/manager.js';
import { parseSession } from '../../src/storage/session-store.js';
import { SESSION_STATUSES, type UnifiedSession } from '../../src/session/types.js';

const base: UnifiedSession = {
  id: 'session-p', session_type: 'Workflow', status: 'Running', started_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z', completed_at: null, metadata: {}, checkpoints: [], timings: {}, error: null,
  workflow_data: {
    workflow_id: 'w', workflow_name: 'w', current_step: 0, total_steps: 5, completed_steps: [], variables: {},
    iterations_completed: 0, files_changed: 0, worktree_name: null,
  },
  mapreduce_data: null,
};

const patchArb: fc.Arbitrary<SessionPatch> = fc.record(
  {
    status: fc.constantFrom(...SESSION_STATUSES),
    error: fc.option(fc.string(), { nil: null }),
    workflow: fc.record({ current_step: fc.nat(10), completed_steps: fc.array(fc.nat(10), { maxLength: 5 }) }, { requiredKeys: [] }),
    variables: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string()),
    timings: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.record({ secs: fc.nat(), nanos: fc.nat(999_999_999) })),
    metadata: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.jsonValue() as fc.Arbitrary<never>),
  },
  { requiredKeys: [] },
);

describe('random update sequences', () => {
  it('never produce a file that does not load, nor a status reached by a refused transition', () => {
    fc.assert(
      fc.property(fc.array(patchArb, { maxLength: 25 }), (patches) => {
        let s = base;
        for (const p of patches) {
          let next: UnifiedSession | null = null;
          try {
            next = applyPatch(s, p);
          } catch {
            const sameLiveStatus = p.status === s.status && !isFinal(s.status);
            expect(p.status !== undefined && !sameLiveStatus && !canTransition(s.status, p.status)).toBe(true);
            continue;
          }
          if (p.status !== undefined && p.status !== s.status) expect(canTransition(s.status, p.status)).toBe(true);
          s = next;
          const reloaded = parseSession(JSON.stringify(s, null, 2), 'x.json');
          expect(reloaded.status).toBe(s.status);
          expect(SESSION_STATUSES).toContain(reloaded.status);
          expect(reloaded.completed_at === null).toBe(!['Completed', 'Failed', 'Cancelled'].includes(s.status));
        }
      }),
      { numRuns: 300 },
    );
  });
});
