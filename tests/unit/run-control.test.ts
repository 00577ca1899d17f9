import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { interruptRefusal, resumeRefusal } from '../../src/control/run-control.js';
import type { SessionStatus, UnifiedSession } from '../../src/session/types.js';

function session(status: SessionStatus, metadata: UnifiedSession['metadata'] = {}): UnifiedSession {
  return {
    id: 'session-1', session_type: 'Workflow', status, started_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
    completed_at: null, metadata, checkpoints: [], timings: {}, error: null, workflow_data: null, mapreduce_data: null,
  };
}

describe('resumeRefusal', () => {
  it('allows Paused and crashed sessions', () => {
    expect(resumeRefusal(session('Paused'), true)).toEqual({ ok: true });
    expect(resumeRefusal(session('Running'), false)).toEqual({ ok: true });
  });
  it('refuses completed, final and live sessions with one clear line', () => {
    expect(resumeRefusal(session('Completed'), false)).toEqual({ ok: false, reason: 'session-1 is already Completed: nothing to resume' });
    expect(resumeRefusal(session('Failed'), false)).toEqual({ ok: false, reason: 'session-1 is Failed: it cannot be resumed' });
    expect(resumeRefusal(session('Running', { owner_pid: 42 }), true)).toEqual({ ok: false, reason: 'session-1 is already running (process 42)' });
  });
});

describe('interruptRefusal', () => {
  it('allows a running session with a live local owner', () => {
    expect(interruptRefusal(session('Running', { owner_pid: 42, owner_host: os.hostname() }), true)).toEqual({ ok: true });
  });
  it('refuses what cannot be interrupted', () => {
    expect(interruptRefusal(session('Paused', { owner_pid: 42 }), true).ok).toBe(false);
    expect(interruptRefusal(session('Running'), undefined)).toEqual({ ok: false, reason: 'session-1 records no owner process to interrupt' });
    expect(interruptRefusal(session('Running', { owner_pid: 42, owner_host: 'elsewhere' }), undefined)).toEqual({ ok: false, reason: 'session-1 runs on elsewhere, not on this machine' });
    expect(interruptRefusal(session('Running', { owner_pid: 42 }), false).ok).toBe(false);
  });
});
