import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interruptOwner, lastLogLine, launchResume } from '../../src/control/run-control.js';
import type { UnifiedSession } from '../../src/session/types.js';
import { tempHome } from '../helpers/home.js';

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('run control', () => {
  it('launches a detached resume process whose output goes to logs/<id>.log', async () => {
    const home = tempHome();
    const fake = path.join(home, 'fake-prodigy.sh');
    fs.writeFileSync(fake, '#!/bin/sh\necho "args: $*"\necho "pgid-leader: $$"\n');
    fs.chmodSync(fake, 0o755);
    const run = launchResume(home, 'session-x', { bin: fake });
    expect(run.logFile).toBe(path.join(home, 'logs', 'session-x.log'));
    await until(() => (lastLogLine(run.logFile) ?? '').startsWith('pgid-leader'));
    const log = fs.readFileSync(run.logFile, 'utf8');
    expect(log).toContain(`args: --home ${home} resume session-x -y`);
    expect(lastLogLine(run.logFile)).toBe(`pgid-leader: ${run.pid}`);
  });

  it("reports a refused launch's exit code and last log line while the launcher lives", async () => {
    const home = tempHome();
    const fake = path.join(home, 'refusing-prodigy.sh');
    fs.writeFileSync(fake, '#!/bin/sh\necho "prodigy: session-z is already Completed: nothing to resume" >&2\nexit 2\n');
    fs.chmodSync(fake, 0o755);
    const ended = await new Promise<{ code: number | null; line: string | null }>((resolve) => {
      launchResume(home, 'session-z', { bin: fake, onExit: (code, log) => resolve({ code, line: lastLogLine(log) }) });
    });
    expect(ended).toEqual({ code: 2, line: 'prodigy: session-z is already Completed: nothing to resume' });
  });

  it('interrupts a live owner with SIGINT', async () => {
    const dir = tempHome();
    const marker = path.join(dir, 'got-sigint');
    const child = spawn(process.execPath, ['-e', `process.on('SIGINT', () => { require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'); process.exit(130); }); console.log('ready'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => child.stdout!.once('data', r));
    const s: UnifiedSession = {
      id: 'session-y', session_type: 'Workflow', status: 'Running', started_at: '', updated_at: '', completed_at: null,
      metadata: { owner_pid: child.pid!, owner_host: os.hostname() }, checkpoints: [], timings: {}, error: null, workflow_data: null, mapreduce_data: null,
    };
    expect(interruptOwner(s)).toEqual({ ok: true });
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(130);
    expect(fs.existsSync(marker)).toBe(true);
  });
});
