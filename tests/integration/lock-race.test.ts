import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { CookSessionAdapter } from '../../src/session/adapter.js';
import { LockFileError, SessionLockedError, readLock } from '../../src/storage/lock.js';
import { processStartTicks } from '../../src/storage/proc-identity.js';
import { tempHome } from '../helpers/home.js';
import { deadPid, startFixture } from '../helpers/processes.js';

/** Lines a racer printed, by session id. */
function answers(child: ChildProcess): Map<string, string> {
  const seen = new Map<string, string>();
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const [id, verdict] = line.split(' ');
      if (id && verdict) seen.set(id, verdict);
    }
  });
  return seen;
}

async function interruptedSessions(home: string, n: number): Promise<string[]> {
  const m = new UnifiedSessionManager(home);
  const dead = await deadPid();

  for (let i = 0; i < n; i++) {
    const id = `race-${i}`;
    await m.createWorkflowSession({ id, workflow_name: 'race', total_steps: 5 });
    if (i % 2 === 0) {
      await m.transition(id, 'Paused');
      m.release(id);
    } else {
      // A crashed owner: Running, its lock still there, its pid dead.
      await m.update(id, { metadata: { owner_pid: dead, owner_start_ticks: null } });
      m.release(id);
      fs.writeFileSync(m.store.paths.sessionLock(id), JSON.stringify({ pid: dead, host: os.hostname(), started: '' }));
    }
  }
  return Array.from({ length: n }, (_, i) => `race-${i}`);
}

describe('session locks', () => {
  it('50 simultaneous double resumes: exactly one of the two wins each time, and the lock names it', async () => {
    const home = tempHome();
    const ids = await interruptedSessions(home, 50);
    const a = await startFixture('race-resume.ts', [home], { stdin: true });
    const b = await startFixture('race-resume.ts', [home], { stdin: true });
    const seenA = answers(a);
    const seenB = answers(b);
    for (const [i, id] of ids.entries()) {
      const [first, second] = i % 2 ? [a, b] : [b, a];
      first.stdin!.write(`go ${id}\n`);
      second.stdin!.write(`go ${id}\n`);
    }
    const m = new UnifiedSessionManager(home);
    await vi_waitFor(() => ids.every((id) => seenA.has(id) && seenB.has(id)));
    for (const id of ids) {
      const verdicts = [seenA.get(id), seenB.get(id)];
      expect(verdicts.filter((v) => v === 'won'), id).toHaveLength(1);
      const winner = seenA.get(id) === 'won' ? a : b;
      expect(readLock(m.store.paths.sessionLock(id))?.pid, id).toBe(winner.pid);
      expect((await m.load(id)).status, id).toBe('Running');
    }
    // No temp file of a lock write is left behind.
    expect(fs.readdirSync(m.store.paths.sessionsDir).filter((n) => n.endsWith('.tmp') || n.endsWith('.takeover'))).toEqual([]);
  }, 120_000);

  it('an empty or half-written lock beside a Paused session is reported and left in place', async () => {
    const home = tempHome();
    const m = new UnifiedSessionManager(home);
    for (const [id, text] of [
      ['empty', ''],
      ['partial', '{"pid": 12'],
      ['wrong', '{"pid": "12", "host": 3}'],
    ] as const) {
      await m.createWorkflowSession({ id, workflow_name: 'w', total_steps: 2 });
      await m.transition(id, 'Paused');
      m.release(id);
      const lock = m.store.paths.sessionLock(id);
      fs.writeFileSync(lock, text);
      const err = await new CookSessionAdapter(home).resumeSession(id).catch((e: unknown) => e);
      expect(err, id).toBeInstanceOf(LockFileError);
      expect((err as Error).message, id).toContain(lock);
      expect((err as Error).message, id).not.toContain('12');
      expect(fs.readFileSync(lock, 'utf8'), id).toBe(text);
      expect((await m.load(id)).status, id).toBe('Paused');
    }
  });

  it('a lock whose pid is alive but belongs to a later process (pid reused) is stale', async () => {
    const home = tempHome();
    const m = new UnifiedSessionManager(home);
    await m.createWorkflowSession({ id: 'reused', workflow_name: 'w', total_steps: 2 });
    await m.transition('reused', 'Paused');
    m.release('reused');
    const ticks = processStartTicks(process.pid);
    expect(ticks).not.toBeNull();
    // Our own pid, with a start time that is not ours: the process that wrote it is gone.
    const lock = m.store.paths.sessionLock('reused');
    fs.writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: os.hostname(), started: '', start_ticks: ticks! + 1 }));
    await new CookSessionAdapter(home).resumeSession('reused');
    expect(readLock(lock)?.pid).toBe(process.pid);
    // The same pid with its true start time is a live owner.
    const ppidTicks = processStartTicks(process.ppid);
    fs.writeFileSync(path.join(path.dirname(lock), 'other.lock'), JSON.stringify({ pid: process.ppid, host: os.hostname(), started: '', start_ticks: ppidTicks }));
    await m.createWorkflowSession({ id: 'live-owner', workflow_name: 'w', total_steps: 1 }).then(() => m.release('live-owner'));
    fs.writeFileSync(m.store.paths.sessionLock('live-owner'), JSON.stringify({ pid: process.ppid, host: os.hostname(), started: '', start_ticks: ppidTicks }));
    await expect(new UnifiedSessionManager(home).claim('live-owner')).rejects.toBeInstanceOf(SessionLockedError);
  });
});

async function vi_waitFor(cond: () => boolean): Promise<void> {
  const { vi } = await import('vitest');
  await vi.waitFor(() => {
    if (!cond()) throw new Error('not yet');
  }, { timeout: 100_000, interval: 50 });
}
