/**
 * The session journal against the real store: a reader (a second manager, as `sessions show` and the
 * dashboard are) sees every step as it completes, compaction folds the journal into the session file
 * without losing a step, a torn last line is ignored and resume carries on.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CookSessionAdapter } from '../../src/session/adapter.js';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import type { UnifiedSession } from '../../src/session/types.js';
import { storePaths } from '../../src/storage/paths.js';
import { executeWorkflow } from '../../src/workflow/executor.js';
import { parseWorkflow } from '../../src/workflow/parse.js';
import { tempHome } from '../helpers/home.js';
import { workspace } from './workflow-helpers.js';

function setup(yaml: string) {
  const home = tempHome();
  const ws = workspace(yaml);
  const parsed = parseWorkflow(yaml, ws.file);
  if (parsed.mode !== 'standard') throw new Error('expected a sequential workflow');
  return { home, ws, workflow: parsed.workflow, paths: storePaths(home) };
}

describe('session journal', () => {
  it('readers see each completed step; compaction keeps every completed step; the file stays a session', async () => {
    // ~6 KB of output per step: the journal passes the compaction floor several times in 60 steps.
    const steps = 60;
    const { home, ws, workflow, paths } = setup(`commands:\n${'  - shell: "head -c 6000 /dev/zero | tr \'\\\\0\' x"\n'.repeat(steps)}`);
    const id = 'session-journal-compact';
    const reader = new UnifiedSessionManager(home);
    const result = await executeWorkflow({
      sessions: new CookSessionAdapter(home),
      sessionId: id,
      workflow,
      workflowPath: ws.file,
      workflowHash: 'h',
      cwd: ws.dir,
      signal: new AbortController().signal,
    });
    expect(result.status).toBe('completed');
    const done = await reader.load(id);
    expect(done.status).toBe('Completed');
    expect(done.workflow_data!.completed_steps).toEqual(Array.from({ length: steps }, (_, i) => i));
    const cp = done.checkpoints.at(-1)!.state as { workflow_state: { completed_steps: { step_index: number }[] } };
    expect(cp.workflow_state.completed_steps.map((r) => r.step_index)).toEqual(Array.from({ length: steps }, (_, i) => i));
    // Final: everything is in the session file, the journal is gone.
    expect(fs.existsSync(paths.sessionJournal(id))).toBe(false);
    const raw = JSON.parse(fs.readFileSync(paths.sessionFile(id), 'utf8')) as UnifiedSession;
    expect(raw.workflow_data!.completed_steps).toHaveLength(steps);
  });

  it('while running, the session file is not rewritten per step; a reader rebuilds progress from the journal, never backwards', async () => {
    const steps = 80;
    const { home, ws, workflow, paths } = setup(`commands:\n${'  - shell: "head -c 6000 /dev/zero | tr \'\\\\0\' x"\n'.repeat(steps)}`);
    const id = 'session-journal-read';
    const reader = new UnifiedSessionManager(home);
    const progress: number[] = [];
    const snapshotSeqs: number[] = [];
    let rewrites = 0;
    let lastMtime = 0;
    const observe = async () => {
      const s = await reader.load(id);
      progress.push(s.workflow_data!.completed_steps.length);
      const raw = JSON.parse(fs.readFileSync(paths.sessionFile(id), 'utf8')) as UnifiedSession;
      snapshotSeqs.push(typeof raw.metadata.journal_seq === 'number' ? raw.metadata.journal_seq : 0);
      const m = fs.statSync(paths.sessionFile(id)).mtimeMs;
      if (m !== lastMtime) rewrites++;
      lastMtime = m;
    };
    let observed = Promise.resolve(); // one reader, one read after another (as the dashboard reloads)
    const result = await executeWorkflow({
      sessions: new CookSessionAdapter(home),
      sessionId: id,
      workflow,
      workflowPath: ws.file,
      workflowHash: 'h',
      cwd: ws.dir,
      signal: new AbortController().signal,
      reporter: { stepStarted: () => void (observed = observed.then(observe)) },
    });
    await observed;
    expect(result.status).toBe('completed');
    expect(progress).toHaveLength(steps);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(progress.at(-1)).toBeGreaterThanOrEqual(steps - 2);
    // Compaction happened (the snapshot folded journal lines in) but far less often than once per step.
    expect(Math.max(...snapshotSeqs)).toBeGreaterThan(0);
    expect(rewrites).toBeLessThan(steps / 3);
  });

  it('a torn last journal line is ignored: the session loads, lists and resumes from its last whole checkpoint', async () => {
    const { home, ws, workflow, paths } = setup(`commands:\n${'  - shell: "echo step"\n'.repeat(6)}`);
    const id = 'session-journal-torn';
    const ac = new AbortController();
    const first = await executeWorkflow({
      sessions: new CookSessionAdapter(home),
      sessionId: id,
      workflow,
      workflowPath: ws.file,
      workflowHash: 'h',
      cwd: ws.dir,
      signal: ac.signal,
      reporter: { stepFinished: (i) => i === 2 && ac.abort() },
    });
    expect(first.status).toBe('interrupted');
    // A writer killed mid-write leaves an unterminated line.
    fs.appendFileSync(paths.sessionJournal(id), '{"v":1,"seq":999,"at":"2026-01-01T00:00:00Z","patch":{"metadata":{"x":');
    const manager = new UnifiedSessionManager(home);
    const s = await manager.load(id);
    expect(s.status).toBe('Paused');
    expect(s.workflow_data!.completed_steps).toEqual([0, 1, 2]);
    const { sessions, problems } = await manager.list();
    expect(problems).toEqual([]);
    expect(sessions.map((x) => x.id)).toEqual([id]);

    const adapter = new CookSessionAdapter(home);
    const resumed = await adapter.resumeSession(id);
    const ran: number[] = [];
    const second = await executeWorkflow({
      sessions: adapter,
      sessionId: id,
      workflow,
      workflowPath: ws.file,
      workflowHash: 'h',
      cwd: ws.dir,
      signal: new AbortController().signal,
      resumed,
      reporter: { stepStarted: (i) => void ran.push(i) },
    });
    expect(second.status).toBe('completed');
    expect(ran).toEqual([3, 4, 5]);
    const end = await new UnifiedSessionManager(home).load(id);
    expect(end.workflow_data!.completed_steps).toEqual([0, 1, 2, 3, 4, 5]);
    expect(end.metadata.x).toBeUndefined();
  });
});
