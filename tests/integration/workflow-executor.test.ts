/**
 * The executor against the real CookSessionAdapter over a temporary PRODIGY_HOME. A recording wrapper
 * (it delegates every call) checks the call order the dashboard relies on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Coalescer } from '../../src/exec/output-tail.js';
import { CookSessionAdapter } from '../../src/session/adapter.js';
import type { SessionUpdate } from '../../src/session/cook-state.js';
import type { SessionManager } from '../../src/session/session-manager.js';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { executeWorkflow } from '../../src/workflow/executor.js';
import { parseWorkflow } from '../../src/workflow/parse.js';
import { tempHome } from '../helpers/home.js';
import { workspace } from './workflow-helpers.js';

function recording(inner: CookSessionAdapter): { sessions: SessionManager; calls: string[] } {
  const calls: string[] = [];
  const sessions: SessionManager = {
    startSession: (id, o) => (calls.push('startSession'), inner.startSession(id, o)),
    resumeSession: (id) => (calls.push('resumeSession'), inner.resumeSession(id)),
    updateSession: (u: SessionUpdate) => (calls.push(u.type === 'SetMetadata' ? `SetMetadata:${u.key}` : u.type), inner.updateSession(u)),
    completeSession: () => (calls.push('completeSession'), inner.completeSession()),
    getState: () => inner.getState(),
    saveState: (f) => inner.saveState(f),
    loadState: (f) => inner.loadState(f),
    loadSession: (id) => inner.loadSession(id),
    saveCheckpoint: (s) => (calls.push('saveCheckpoint'), inner.saveCheckpoint(s)),
    listResumable: () => inner.listResumable(),
    getLastInterrupted: () => inner.getLastInterrupted(),
  };
  return { sessions, calls };
}

async function execute(yaml: string, logFile?: string) {
  const home = tempHome();
  const ws = workspace(yaml);
  const parsed = parseWorkflow(yaml, ws.file);
  if (parsed.mode !== 'standard') throw new Error('expected a sequential workflow');
  const { sessions, calls } = recording(new CookSessionAdapter(home));
  const result = await executeWorkflow({
    sessions,
    sessionId: 'session-exec-test',
    workflow: parsed.workflow,
    workflowPath: ws.file,
    workflowHash: 'h',
    cwd: ws.dir,
    signal: new AbortController().signal,
    logFile,
  });
  const session = await new UnifiedSessionManager(home).load('session-exec-test');
  return { result, calls, session, home };
}

describe('executeWorkflow', () => {
  it('calls the session manager in the agreed order for every step', async () => {
    const { result, calls } = await execute('- shell: "echo a"\n- shell: "echo b"\n');
    expect(result.status).toBe('completed');
    const relevant = calls.filter((c) => c !== 'SetOutputTail' && !c.startsWith('SetMetadata:child_pgid'));
    const step = ['StartStep', 'RecordCommandTiming', 'UpdateWorkflowState', 'UpdateExecutionContext', 'saveCheckpoint'];
    expect(relevant).toEqual(['startSession', 'StartWorkflow', ...step, ...step, 'SetMetadata:current_command', 'completeSession']);
  });

  it('keeps the last 20 output lines in output_tail and the whole output in the log, appended', async () => {
    const home = tempHome();
    const log = path.join(home, 'run.log');
    fs.writeFileSync(log, 'written before\n');
    const { session } = await execute('- shell: "seq 1 100"\n', log);
    expect(session.metadata.output_tail).toEqual(Array.from({ length: 20 }, (_, i) => String(81 + i)));
    const text = fs.readFileSync(log, 'utf8');
    expect(text.startsWith('written before\n')).toBe(true);
    expect(text).toContain('\n1\n2\n3\n');
    expect(text).toContain('\n100\n');
  });

  it('records step_started_at and the failing step', async () => {
    const { result, session } = await execute('- shell: "true"\n- shell: "exit 3"\n');
    expect(result).toMatchObject({ status: 'failed', failedStep: 1 });
    expect(session.status).toBe('Failed');
    expect(session.metadata.failed_step).toBe(1);
    expect(session.metadata.current_command).toBe('shell: exit 3');
    expect(Date.parse(String(session.metadata.step_started_at))).not.toBeNaN();
    expect(session.error).toBe('step 2 (shell: exit 3) failed: exited with code 3');
  });

  it('only the latest checkpoint keeps its state (older ones keep time and step)', async () => {
    const { session } = await execute('- shell: "true"\n- shell: "true"\n- shell: "true"\n');
    expect(session.checkpoints).toHaveLength(3);
    expect(session.checkpoints.slice(0, 2).map((c) => c.state)).toEqual([null, null]);
    expect(session.checkpoints.map((c) => c.metadata.step)).toEqual([1, 2, 3]);
    expect(session.checkpoints[2]!.state).toMatchObject({ workflow_state: { current_step: 3 } });
  });
});

describe('Coalescer', () => {
  it('writes at most once per interval while output keeps coming, and flushes the rest at the end', () => {
    vi.useFakeTimers();
    try {
      let flushes = 0;
      const c = new Coalescer(200, () => flushes++);
      for (let ms = 0; ms < 1000; ms += 10) {
        c.poke();
        vi.advanceTimersByTime(10);
      }
      expect(flushes).toBeGreaterThanOrEqual(4);
      expect(flushes).toBeLessThanOrEqual(6);
      c.poke();
      c.done();
      expect(flushes).toBeLessThanOrEqual(7);
      const before = flushes;
      c.done();
      expect(flushes).toBe(before);
    } finally {
      vi.useRealTimers();
    }
  });
});
