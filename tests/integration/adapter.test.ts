import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CookSessionAdapter, NotResumableError } from '../../src/session/adapter.js';
import type { StartSessionOptions, WorkflowState } from '../../src/session/cook-state.js';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { tempHome } from '../helpers/home.js';

const start: StartSessionOptions = {
  workflowName: 'demo',
  workflowPath: '/repo/workflows/demo.yml',
  workflowType: 'Standard',
  workingDirectory: '/repo',
  totalSteps: 3,
  workflowHash: 'abc123',
};

function wfState(current: number, done: number[]): WorkflowState {
  return {
    current_iteration: 0,
    current_step: current,
    total_steps: 3,
    completed_steps: done.map((i) => ({
      step_index: i, command: `step ${i}`, success: true, output: `out ${i}`, duration: { secs: 0, nanos: 1000 },
      error: null, started_at: new Date().toISOString(), completed_at: new Date().toISOString(), exit_code: 0,
    })),
    workflow_path: start.workflowPath,
    input_args: [],
    map_patterns: [],
    using_worktree: false,
  };
}

afterEach(() => vi.restoreAllMocks());

describe('CookSessionAdapter', () => {
  it('drives a unified session through start, steps, checkpoint and completion', async () => {
    const home = tempHome();
    const a = new CookSessionAdapter(home);
    await a.startSession('session-a', start);
    await a.updateSession({ type: 'StartStep', index: 0, command: 'shell: echo hi' });
    await a.updateSession({ type: 'RecordCommandTiming', name: 'step_0', duration: { secs: 1, nanos: 0 } });
    await a.updateSession({ type: 'UpdateWorkflowState', state: wfState(1, [0]) });
    await a.updateSession({ type: 'UpdateExecutionContext', context: { variables: { OUT: 'x' }, step_outputs: {}, environment: {} } });
    await a.saveCheckpoint(a.getState());
    const onDisk = await new UnifiedSessionManager(home).load('session-a');
    expect(onDisk.status).toBe('Running');
    expect(onDisk.workflow_data).toMatchObject({ current_step: 1, completed_steps: [0], total_steps: 3, variables: { OUT: 'x' } });
    expect(onDisk.timings.step_0).toEqual({ secs: 1, nanos: 0 });
    expect(onDisk.metadata).toMatchObject({ workflow_path: start.workflowPath, workflow_hash: 'abc123', current_command: 'shell: echo hi' });
    expect(onDisk.checkpoints).toHaveLength(1);

    const summary = await a.completeSession();
    expect(summary.status).toBe('Completed');
    expect(a.getState().status).toBe('Completed');
  });

  it('answers getState from its cache without touching the disk', async () => {
    const home = tempHome();
    const a = new CookSessionAdapter(home);
    await a.startSession('session-b', start);
    await a.updateSession({ type: 'AddFilesChanged', count: 2 });
    const readFile = vi.spyOn(fs.promises, 'readFile');
    const readFileSync = vi.spyOn(fs, 'readFileSync');
    const readdir = vi.spyOn(fs.promises, 'readdir');
    fs.rmSync(path.join(home, 'sessions'), { recursive: true }); // any disk read would now fail
    const state = a.getState();
    expect(state.files_changed).toBe(2);
    expect(state.session_id).toBe('session-b');
    expect(readFile).not.toHaveBeenCalled();
    expect(readFileSync).not.toHaveBeenCalled();
    expect(readdir).not.toHaveBeenCalled();
  });

  it('marks an interrupted run Paused and resumes it from the last checkpoint', async () => {
    const home = tempHome();
    const a = new CookSessionAdapter(home);
    await a.startSession('session-c', start);
    await a.updateSession({ type: 'UpdateWorkflowState', state: wfState(2, [0, 1]) });
    await a.updateSession({ type: 'UpdateExecutionContext', context: { variables: { V: '1' }, step_outputs: { shell: 'o' }, environment: {} } });
    await a.saveCheckpoint(a.getState());
    await a.updateSession({ type: 'MarkInterrupted' });
    a.release();
    expect((await a.listResumable()).map((i) => [i.session_id, i.progress])).toEqual([['session-c', '2/3 steps']]);
    expect(await a.getLastInterrupted()).toBe('session-c');

    const b = new CookSessionAdapter(home);
    const state = await b.resumeSession('session-c');
    expect(state.status).toBe('InProgress');
    expect(state.workflow_state?.completed_steps.map((r) => r.step_index)).toEqual([0, 1]);
    expect(state.execution_context?.variables).toEqual({ V: '1' });
    expect((await b.manager.load('session-c')).status).toBe('Running');
    await b.updateSession({ type: 'UpdateStatus', status: 'Failed' });
    await b.updateSession({ type: 'AddError', error: 'step 3 failed' });
    const summary = await b.completeSession();
    expect(summary.status).toBe('Failed');
    await expect(new CookSessionAdapter(home).resumeSession('session-c')).rejects.toThrow(
      'session session-c cannot be resumed: it is Failed',
    );
  });

  it('refuses to resume a session its live owner is still running', async () => {
    const home = tempHome();
    const a = new CookSessionAdapter(home);
    await a.startSession('session-d', start);
    const err = await new CookSessionAdapter(home).resumeSession('session-d').catch((e) => e);
    expect(err).toBeInstanceOf(NotResumableError);
    expect(err.message).toMatch(/it is running in process \d+/);
  });

  it('saves and loads executor state to a file', async () => {
    const home = tempHome();
    const a = new CookSessionAdapter(home);
    await a.startSession('session-e', start);
    const file = path.join(home, 'state.json');
    await a.saveState(file);
    const b = new CookSessionAdapter(home);
    await b.loadState(file);
    expect(b.getState()).toEqual(a.getState());
    expect((await b.loadSession('session-e')).workflow_hash).toBe('abc123');
  });

  it('records MapReduce progress in mapreduce_data', async () => {
    const home = tempHome();
    const a = new CookSessionAdapter(home);
    await a.startSession('session-f', { ...start, workflowType: 'MapReduce', jobId: 'job-f' });
    await a.updateSession({ type: 'UpdateMapReduce', data: { phase: 'Map', total_items: 40, processed_items: 3, failed_items: 1 } });
    const s = await a.manager.load('session-f');
    expect(s.session_type).toBe('MapReduce');
    expect(s.mapreduce_data).toMatchObject({ job_id: 'job-f', phase: 'Map', total_items: 40, processed_items: 3, failed_items: 1 });
    expect(s.metadata.workflow_name).toBe('demo');
  });
});
