import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { prodigy, prodigyBin } from '../helpers/cli.js';
import { seedProdigyFixtures, tempHome } from '../helpers/home.js';

beforeAll(() => {
  // npm test builds the bundle first; a lone `vitest run` of this file needs it too.
  if (!fs.existsSync(path.join(__dirname, '../../dist/cli.js'))) throw new Error('run `npm run build` first');
});

describe('prodigy sessions', () => {
  it('prints [] for an empty store, exit 0', () => {
    const r = prodigy(['sessions', 'list', '--json'], { home: tempHome() });
    expect(r).toMatchObject({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('lists Prodigy-format sessions as JSON, newest first, filtered by status, type and limit', () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const all = JSON.parse(prodigy(['sessions', 'list', '--json'], { home }).stdout);
    expect(all.map((s: { id: string }) => s.id)).toEqual([
      'workflow-1732450000000',
      'session-5f0c7d3e-8a1b-4c2d-9e3f-0a1b2c3d4e5f',
      'session-9a8b7c6d-0000-4000-8000-123456789abc',
    ]);
    expect(all[0].future_top_level_field).toEqual([1, 2, 3]);
    const failed = JSON.parse(prodigy(['sessions', 'list', '--json', '--status', 'failed'], { home }).stdout);
    expect(failed.map((s: { status: string }) => s.status)).toEqual(['Failed']);
    const mr = JSON.parse(prodigy(['sessions', 'list', '--json', '--type', 'mapreduce'], { home }).stdout);
    expect(mr).toHaveLength(2);
    expect(JSON.parse(prodigy(['sessions', 'list', '--json', '--limit', '1'], { home }).stdout)).toHaveLength(1);
  });

  it('prints an aligned table with status words and symbols, cut to the terminal only on a TTY', () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const r = prodigy(['sessions', 'list'], { home });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+STATUS\s+NAME\s+PROGRESS\s+STARTED\s+DURATION$/);
    expect(lines[1]).toMatch(/^workflow-1732450000000\s+workflow\s+! Interrupted\s+implement\s+step 1\/5/);
    expect(lines[3]).toMatch(/session-9a8b7c6d-0000-4000-8000-123456789abc\s+mapreduce\s+✗ Failed\s+mapreduce-1732298400000\s+212\/300 items, 12 failed/);
    const statusCol = lines[0]!.indexOf('STATUS');
    for (const l of lines.slice(1)) expect(l.slice(statusCol, statusCol + 1)).toMatch(/[!✓✗]/);
  });

  it('ends quietly with 0 when its reader closes the pipe early (sessions list --json | head)', async () => {
    const home = tempHome();
    const [id] = seedProdigyFixtures(home);
    const text = fs.readFileSync(path.join(home, 'sessions', `${id}.json`), 'utf8');
    // More than a pipe holds (64 KB), so the listing is still writing when the reader leaves.
    for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(home, 'sessions', `session-pipe-${i}.json`), text.replaceAll(id!, `session-pipe-${i}`));
    const child = spawn(process.execPath, [prodigyBin, 'sessions', 'list', '--json'], { env: { ...process.env, PRODIGY_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('reports a corrupt file on stderr, lists the rest, and leaves the file alone', () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const bad = path.join(home, 'sessions', 'session-bad.json');
    fs.writeFileSync(bad, '{"id": ');
    const r = prodigy(['sessions', 'list', '--json'], { home });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(3);
    expect(r.stderr).toBe(`prodigy: skipped ${bad}: invalid JSON (file left unchanged)\n`);
    expect(fs.readFileSync(bad, 'utf8')).toBe('{"id": ');
  });

  it('shows one session by id, job id or prefix; unknown id is one line and exit 2', () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const byPrefix = prodigy(['sessions', 'show', 'session-9a8b'], { home });
    expect(byPrefix.code).toBe(0);
    expect(byPrefix.stdout).toMatch(/^id\s+session-9a8b7c6d-0000-4000-8000-123456789abc$/m);
    expect(byPrefix.stdout).toMatch(/^error\s+agent pool exhausted: 12 items failed$/m);
    const json = JSON.parse(prodigy(['sessions', 'show', 'mapreduce-1732298400000', '--json'], { home }).stdout);
    expect(json.id).toBe('session-9a8b7c6d-0000-4000-8000-123456789abc');
    // The short id every table shows has no `session-`: it works as given, and with the prefix too.
    expect(prodigy(['sessions', 'show', '9a8b', '--json'], { home }).stdout).toMatch(/"id": "session-9a8b7c6d-0000-4000-8000-123456789abc"/);
    expect(prodigy(['sessions', 'show', '9a8b7c6', '--json'], { home }).code).toBe(0);
    const missing = prodigy(['sessions', 'show', 'session-nope'], { home });
    expect(missing).toMatchObject({ code: 2, stdout: '', stderr: 'prodigy: no session session-nope\n' });
  });

  it('exits 2 on usage errors and 0 on --help for every sessions command', () => {
    const home = tempHome();
    expect(prodigy(['sessions', 'list', '--status', 'sleepy'], { home })).toMatchObject({ code: 2 });
    expect(prodigy(['sessions', 'list', '--type', 'nope'], { home }).code).toBe(2);
    expect(prodigy(['sessions', 'frobnicate'], { home }).code).toBe(2);
    expect(prodigy(['sessions', 'clean', '--older-than', 'soon'], { home }).code).toBe(2);
    for (const cmd of [[], ['sessions'], ['sessions', 'list'], ['sessions', 'show'], ['sessions', 'clean']]) {
      const r = prodigy([...cmd, '--help'], { home });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: prodigy/);
    }
  });

  it('a --home (or PRODIGY_HOME) folder that does not exist is named, exit 2, not "No sessions."', () => {
    const gone = path.join(tempHome(), 'no-such-store');
    for (const args of [['sessions', 'list'], ['sessions', 'show', 'x'], ['sessions', 'clean', '--yes'], ['dlq', 'list', 'job'], ['tui']]) {
      const r = prodigy(['--home', gone, ...args]);
      expect(r).toMatchObject({ code: 2, stdout: '' });
      expect(r.stderr).toBe(`prodigy: no session store at ${gone} (--home names a folder that does not exist)\n`);
    }
    expect(prodigy(['sessions', 'list'], { home: gone }).stderr).toMatch(/PRODIGY_HOME names a folder that does not exist/);
    expect(fs.existsSync(gone)).toBe(false);
  });

  it('sessions list on a narrow terminal shows whole short ids, never a cut one, and they resolve', () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const wide = prodigy(['sessions', 'list'], { home });
    expect(wide.stdout).toContain('session-9a8b7c6d-0000-4000-8000-123456789abc'); // piped: whole ids
    // On a TTY of 80 columns the same rows fit only with short ids (the pure table, as the CLI calls it).
    const ids = wide.stdout.split('\n').slice(1).map((l) => l.split(/\s+/)[0]).filter(Boolean);
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(id).not.toContain('…');
  });

  it('sessions clean with no filter asks on a terminal and, elsewhere, removes nothing without --yes', () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const refused = prodigy(['sessions', 'clean'], { home });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('prodigy: sessions clean with no filter removes 2 sessions: add --yes (or --older-than / --status, or --dry-run to see them)\n');
    expect(fs.readdirSync(path.join(home, 'sessions')).filter((n) => n.endsWith('.json'))).toHaveLength(3);
    const yes = prodigy(['sessions', 'clean', '--yes'], { home });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(/Removed 2 sessions\.\n$/);
  });

  it('--home wins over PRODIGY_HOME', () => {
    const a = tempHome();
    const b = tempHome();
    seedProdigyFixtures(b);
    const r = prodigy(['--home', b, 'sessions', 'list', '--json'], { home: a });
    expect(JSON.parse(r.stdout)).toHaveLength(3);
  });

  it('cleans finished sessions older than a given age; dry run removes nothing; live runs are kept', async () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const m = new UnifiedSessionManager(home);
    const fresh = await m.createWorkflowSession({ workflow_name: 'fresh', total_steps: 1 });
    await m.complete(fresh.id);
    const live = await m.createWorkflowSession({ workflow_name: 'live', total_steps: 1 });

    const dry = prodigy(['sessions', 'clean', '--older-than', '7d', '--dry-run'], { home });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Would remove 2 sessions\.\n$/);
    expect(fs.readdirSync(path.join(home, 'sessions')).filter((n) => n.endsWith('.json'))).toHaveLength(5);

    const real = JSON.parse(prodigy(['sessions', 'clean', '--older-than', '7d', '--json'], { home }).stdout);
    expect(real.removed.sort()).toEqual(['session-5f0c7d3e-8a1b-4c2d-9e3f-0a1b2c3d4e5f', 'session-9a8b7c6d-0000-4000-8000-123456789abc']);
    const left = JSON.parse(prodigy(['sessions', 'list', '--json'], { home }).stdout).map((s: { id: string }) => s.id);
    expect(left.sort()).toEqual([fresh.id, live.id, 'workflow-1732450000000'].sort());

    const everything = prodigy(['sessions', 'clean', '--status', 'Running', 'Completed'], { home });
    expect(everything.stdout).toMatch(/Removed 2 sessions/); // fresh + the crashed Prodigy one, never the live run
    expect(fs.existsSync(m.store.paths.sessionFile(live.id))).toBe(true);
  });
});
