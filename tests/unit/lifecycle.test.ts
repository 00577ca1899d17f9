import { describe, expect, it } from 'vitest';
import {
  InvalidTransitionError,
  TRANSITIONS,
  assertTransition,
  canTransition,
  isFinal,
  isInterrupted,
} from '../../src/session/lifecycle.js';
import { SESSION_STATUSES } from '../../src/session/types.js';

const allowed: Array<[string, string]> = [
  ['Initializing', 'Running'],
  ['Initializing', 'Failed'],
  ['Initializing', 'Cancelled'],
  ['Running', 'Paused'],
  ['Running', 'Completed'],
  ['Running', 'Failed'],
  ['Running', 'Cancelled'],
  ['Paused', 'Running'],
  ['Paused', 'Cancelled'],
];

describe('lifecycle table', () => {
  for (const from of SESSION_STATUSES) {
    for (const to of SESSION_STATUSES) {
      if (from === to) continue;
      const ok = allowed.some(([f, t]) => f === from && t === to);
      it(`${from} -> ${to} is ${ok ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(ok);
        if (ok) expect(() => assertTransition('s', from, to)).not.toThrow();
        else expect(() => assertTransition('s', from, to)).toThrow(InvalidTransitionError);
      });
    }
  }

  it('final statuses have no way out, and re-asserting one is refused', () => {
    for (const s of ['Completed', 'Failed', 'Cancelled'] as const) {
      expect(isFinal(s)).toBe(true);
      expect(TRANSITIONS[s]).toEqual([]);
      expect(() => assertTransition('s', s, s)).toThrow(/cannot go from/);
    }
  });

  it('re-asserting a live status is a no-op', () => {
    expect(() => assertTransition('s', 'Running', 'Running')).not.toThrow();
  });

  it('names the session and both statuses in the error', () => {
    expect(() => assertTransition('session-x', 'Completed', 'Running')).toThrow(
      'session session-x: cannot go from Completed to Running',
    );
  });

  it('treats Paused and Running-with-dead-owner as interrupted', () => {
    expect(isInterrupted('Paused', true)).toBe(true);
    expect(isInterrupted('Running', false)).toBe(true);
    expect(isInterrupted('Running', true)).toBe(false);
    expect(isInterrupted('Running', undefined)).toBe(false);
    expect(isInterrupted('Completed', false)).toBe(false);
  });
});
