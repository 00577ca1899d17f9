import fs from 'node:fs';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../../src/session/lifecycle.js';
import { SessionExistsError, SessionNotFoundError, UnifiedSessionManager } from '../../src/session/manager.js';
import { SessionLockedError } from '../../src/storage/lock.js';
import { seedProdigyFixtures, tempHome } from '../helpers/home.js';
import { deadPid, startFixture, waitForExit } from '../helpers/processes.js';
import type { ChildProcess } from 'node:child_process';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('UnifiedSessionManager', () => {
  it('creates a Running workflow session owned by this process, on disk in Prodigy format', async () => {
    const home = tempHome();
    const m = new UnifiedSessionManager(home);
    const s = await m.createWorkflowSession({ workflow_name: 'demo', total_steps: 5 });
    expect(s.id).toMatch(/^session-[0-9a-f-]{36}$/);
    const onDisk = JSON.parse(fs.readFileSync(m.store.paths.sessionFile(s.id), 'utf8'));
    expect(onDisk).toMatchObject({
      id: s.id, session_type: 'Workflow', status: 'Running', completed_at: null, error: null, mapreduce_data: null,
      workflow_data: { workflow_name: 'demo', total_steps: 5, current_step: 0, completed_steps: [], variables: {} },
      metadata: { owner_pid: process.pid, owner_host: os.hostname() },
    });
    expect(Date.parse(onDisk.started_at)).not.toBeNaN();
    expect(fs.existsSync(m.store.paths.sessionLock(s.id))).toBe(true);
    await expect(m.createWorkflowSession({ id: s.id, workflow_name: 'x', total_steps: 1 })).rejects.toBeInstanceOf(SessionExistsError);
  });

  it('updates status, progress, variables, timings, error and metadata, merging nested fields', async () => {
    const m = new UnifiedSessionManager(tempHome());
    const s = await m.createWorkflowSession({ workflow_name: 'demo', total_steps: 3 });
    await m.update(s.id, { workflow: { current_step: 1, completed_steps: [0] }, variables: { A: '1' } });
    await m.update(s.id, { variables: { B: '2' }, timings: { step_0: { secs: 1, nanos: 5 } }, metadata: { k: 'v' } });
    await m.update(s.id, { error: 'boom' });
    const fresh = await new UnifiedSessionManager(m.home).load(s.id);
    expect(fresh.workflow_data).toMatchObject({ current_step: 1, completed_steps: [0], variables: { A: '1', B: '2' } });
    expect(fresh.timings.step_0).toEqual({ secs: 1, nanos: 5 });
    expect(fresh.metadata.k).toBe('v');
    expect(fresh.error).toBe('boom');
  });

  it('refuses an invalid transition and leaves the file as it was', async () => {
    const m = new UnifiedSessionManager(tempHome());
    const s = await m.createWorkflowSession({ workflow_name: 'demo', total_steps: 1 });
    const summary = await m.complete(s.id);
    expect(summary.status).toBe('Completed');
    expect(summary.duration).not.toBeNull();
    const before = fs.readFileSync(m.store.paths.sessionFile(s.id), 'utf8');
    await expect(m.transition(s.id, 'Running')).rejects.toBeInstanceOf(InvalidTransitionError);
    expect(fs.readFileSync(m.store.paths.sessionFile(s.id), 'utf8')).toBe(before);
    expect(fs.existsSync(m.store.paths.sessionLock(s.id))).toBe(false);
  });

  it('keeps checkpoints and answers the latest', async () => {
    const m = new UnifiedSessionManager(tempHome());
    const s = await m.createWorkflowSession({ workflow_name: 'demo', total_steps: 3 });
    expect(await m.latestCheckpoint(s.id)).toBeNull();
    await m.createCheckpoint(s.id, { step: 0 });
    const second = await m.createCheckpoint(s.id, { step: 1 }, { note: 'after step 1' });
    expect((await m.listCheckpoints(s.id)).map((c) => c.state)).toEqual([{ step: 0 }, { step: 1 }]);
    const latest = await new UnifiedSessionManager(m.home).latestCheckpoint(s.id);
    expect(latest).toEqual(second);
    expect(latest!.id).toMatch(/^checkpoint-/);
  });

  it('lists newest first with status, type, time and limit filters', async () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const m = new UnifiedSessionManager(home);
    const mine = await m.createMapReduceSession({ job_id: 'job-1', total_items: 10 });
    const all = (await m.list()).sessions.map((s) => s.id);
    expect(all[0]).toBe(mine.id);
    expect(all).toEqual([mine.id, 'workflow-1732450000000', 'session-5f0c7d3e-8a1b-4c2d-9e3f-0a1b2c3d4e5f', 'session-9a8b7c6d-0000-4000-8000-123456789abc']);
    expect((await m.list({ status: 'Failed' })).sessions.map((s) => s.id)).toEqual(['session-9a8b7c6d-0000-4000-8000-123456789abc']);
    expect((await m.list({ session_type: 'MapReduce' })).sessions).toHaveLength(2);
    expect((await m.list({ after: new Date('2024-11-23T12:00:00Z'), before: new Date('2025-01-01T00:00:00Z') })).sessions.map((s) => s.id)).toEqual(['workflow-1732450000000']);
    expect((await m.list({ limit: 2 })).sessions).toHaveLength(2);
    expect((await m.list({ worktree_name: 'session-abc' })).sessions.map((s) => s.id)).toEqual(['workflow-1732450000000']);
    expect(await m.resolveId('job-1')).toBe(mine.id);
    await expect(m.resolveId('nope')).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('refuses a second process writing a session another live process owns', async () => {
    const home = tempHome();
    const child = await startFixture('hold-session.ts', [home, 'session-held']);
    children.push(child);
    const m = new UnifiedSessionManager(home);
    const err = await m.update('session-held', { metadata: { x: 1 } }).catch((e) => e);
    expect(err).toBeInstanceOf(SessionLockedError);
    expect(err.message).toBe(`session session-held is already being run by process ${child.pid} on ${os.hostname()}`);
    expect((await m.load('session-held')).metadata.x).toBeUndefined();
  });

  it('takes over a stale lock left by a killed owner, and reports that session as interrupted', async () => {
    const home = tempHome();
    const child = await startFixture('hold-session.ts', [home, 'session-crashed']);
    child.kill('SIGKILL');
    await waitForExit(child);
    const m = new UnifiedSessionManager(home);
    const s = await m.load('session-crashed');
    expect(s.status).toBe('Running');
    expect(m.ownerAlive(s)).toBe(false);
    expect((await m.getLastInterrupted())?.id).toBe('session-crashed');
    expect((await m.listResumable()).map((x) => x.id)).toEqual(['session-crashed']);
    await m.claim('session-crashed');
    await m.transition('session-crashed', 'Paused');
    expect((await m.load('session-crashed')).metadata.owner_pid).toBe(process.pid);
  });

  it('does not offer live, completed or failed sessions as interrupted; Prodigy files with no owner count as crashed', async () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const m = new UnifiedSessionManager(home);
    await m.createWorkflowSession({ id: 'live', workflow_name: 'live', total_steps: 1 });
    const resumable = (await m.listResumable()).map((s) => s.id);
    expect(resumable).toEqual(['workflow-1732450000000']);
  });

  it('counts a Running session whose owner pid is dead as the last interrupted one', async () => {
    const home = tempHome();
    const m = new UnifiedSessionManager(home);
    const s = await m.createWorkflowSession({ workflow_name: 'a', total_steps: 2 });
    await m.update(s.id, { metadata: { owner_pid: await deadPid() } });
    m.release(s.id);
    expect((await new UnifiedSessionManager(home).getLastInterrupted())?.id).toBe(s.id);
  });

  it('deletes a session file and its lock', async () => {
    const m = new UnifiedSessionManager(tempHome());
    const s = await m.createWorkflowSession({ workflow_name: 'a', total_steps: 1 });
    await m.complete(s.id);
    await m.delete(s.id);
    await expect(m.load(s.id)).rejects.toBeInstanceOf(SessionNotFoundError);
  });
});
