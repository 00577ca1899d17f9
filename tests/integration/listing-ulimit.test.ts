/**
 * A listing reads with bounded concurrency: under a small `ulimit -n` it still lists every session
 * (before, it opened every file at once, hit EMFILE and printed a part).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigyBin } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';

function seed(home: string, n: number): void {
  const dir = path.join(home, 'sessions');
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const id = `session-ulimit-${String(i).padStart(5, '0')}`;
    const t = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    fs.writeFileSync(
      path.join(dir, `${id}.json`),
      JSON.stringify({ id, session_type: 'Workflow', status: 'Completed', started_at: t, updated_at: t, completed_at: t, metadata: {}, checkpoints: [], timings: {}, error: null, workflow_data: null, mapreduce_data: null }),
    );
  }
}

describe('listing under a small open-file limit', () => {
  it('lists every session with ulimit -n 100, says nothing on stderr and exits 0', () => {
    const home = tempHome();
    const n = 1500;
    seed(home, n);
    const r = spawnSync('sh', ['-c', `ulimit -n 100 && exec "$0" "$1" sessions list --json`, process.execPath, prodigyBin], {
      encoding: 'utf8',
      env: { ...process.env, PRODIGY_HOME: home, NO_COLOR: '1' },
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const listed = JSON.parse(r.stdout) as { id: string }[];
    expect(listed).toHaveLength(n);
    expect(new Set(listed.map((s) => s.id)).size).toBe(n);
  });
});
