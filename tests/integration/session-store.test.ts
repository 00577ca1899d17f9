import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptSessionFileError, SessionStore } from '../../src/storage/session-store.js';
import { fixturesDir, seedProdigyFixtures, tempHome } from '../helpers/home.js';

describe('SessionStore over a real PRODIGY_HOME', () => {
  it('loads every Prodigy-format fixture and writes it back with unknown fields kept', async () => {
    const home = tempHome();
    const ids = seedProdigyFixtures(home);
    const store = new SessionStore(home);
    for (const id of ids) {
      const original = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'prodigy-sessions', `${id}.json`), 'utf8'));
      const loaded = await store.read(id);
      expect(loaded).toEqual(original);
      await store.write(loaded!);
      const rewritten = JSON.parse(fs.readFileSync(store.paths.sessionFile(id), 'utf8'));
      expect(rewritten).toEqual(original);
    }
    const wf = JSON.parse(fs.readFileSync(store.paths.sessionFile('workflow-1732450000000'), 'utf8'));
    expect(wf.future_top_level_field).toEqual([1, 2, 3]);
    expect(wf.workflow_data.future_workflow_field).toEqual({ kept: true });
    expect(wf.timings.step_0).toEqual({ secs: 12, nanos: 500000000 });
  });

  it('fills fields an older writer left out without failing', async () => {
    const home = tempHome();
    fs.mkdirSync(path.join(home, 'sessions'));
    fs.writeFileSync(
      path.join(home, 'sessions', 'old.json'),
      JSON.stringify({ id: 'old', session_type: 'Workflow', status: 'Paused', started_at: '2024-01-01T00:00:00Z' }),
    );
    const s = await new SessionStore(home).read('old');
    expect(s).toMatchObject({ checkpoints: [], timings: {}, metadata: {}, error: null, workflow_data: null });
  });

  it('reports a corrupt file with its path and reason, skips it in listings, and leaves it byte-for-byte', async () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const store = new SessionStore(home);
    const bad = store.paths.sessionFile('session-broken');
    const bytes = Buffer.from('{"id": "session-broken", "status": "Runn');
    fs.writeFileSync(bad, bytes);
    const notSession = store.paths.sessionFile('session-array');
    fs.writeFileSync(notSession, '[1,2]');
    const before = fs.statSync(bad).mtimeMs;

    const { sessions, problems } = await store.list();
    expect(sessions.map((s) => s.id).sort()).toHaveLength(3);
    expect(problems.map((p) => p.file).sort()).toEqual([notSession, bad].sort());
    expect(problems.find((p) => p.file === bad)!.reason).toMatch(/invalid JSON/);
    expect(problems.find((p) => p.file === notSession)!.reason).toBe('the file: expected object');
    await expect(store.read('session-broken')).rejects.toBeInstanceOf(CorruptSessionFileError);
    await expect(store.read('session-broken')).rejects.toThrow(bad);

    expect(fs.readFileSync(bad).equals(bytes)).toBe(true);
    expect(fs.statSync(bad).mtimeMs).toBe(before);
  });

  it('never leaves a half-written file for a reader (writes are temp + rename)', async () => {
    const home = tempHome();
    const store = new SessionStore(home);
    const big = { padding: 'x'.repeat(200_000) };
    const base = {
      id: 's1', session_type: 'Workflow' as const, status: 'Running' as const, started_at: new Date().toISOString(),
      updated_at: new Date().toISOString(), completed_at: null, metadata: big, checkpoints: [], timings: {},
      error: null, workflow_data: null, mapreduce_data: null,
    };
    await store.write(base);
    let reads = 0;
    const writes = Array.from({ length: 30 }, (_, i) => store.write({ ...base, metadata: { ...big, n: i } }));
    const reader = (async () => {
      for (let i = 0; i < 200; i++) {
        const s = await store.read('s1');
        expect(s?.id).toBe('s1');
        reads++;
      }
    })();
    await Promise.all([...writes, reader]);
    expect(reads).toBe(200);
    expect((await store.read('s1'))!.metadata.n).toBe(29);
  });

  it('refuses session ids that would leave the sessions folder', async () => {
    const store = new SessionStore(tempHome());
    await expect(store.read('../etc/passwd')).rejects.toThrow(/invalid session id/);
  });
});
