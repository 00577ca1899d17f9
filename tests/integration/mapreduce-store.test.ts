import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { storePaths } from '../../src/storage/paths.js';
import { listDlqItems, removeDlqItem, writeDlqItem } from '../../src/mapreduce/dlq.js';
import { EventLog, followEvents, readEvents } from '../../src/mapreduce/events.js';
import { newJobState, newWorkItems } from '../../src/mapreduce/job-state.js';
import { CorruptJobFileError, JobStore, readJobState } from '../../src/mapreduce/job-store.js';
import { findJobRepo, findMapping, writeMapping } from '../../src/storage/job-mapping.js';
import { tempHome } from '../helpers/home.js';

function state() {
  const s = newJobState({ job_id: 'job-1', session_id: 'session-1', workflow_name: 'w', workflow_path: 'w.yml', repo: 'repo', max_parallel: 4 });
  s.items = newWorkItems(Array.from({ length: 50 }, (_, i) => ({ i })));
  return s;
}

describe('job store', () => {
  it('coalesces many changes into few writes, and the file ends equal to the state', async () => {
    const home = tempHome();
    const file = storePaths(home).jobStateFile('repo', 'job-1');
    const store = await JobStore.create(file, state(), 50);
    const first = store.writes;
    for (let n = 0; n < 50; n++) {
      store.state.items[n]!.status = 'completed';
      store.changed();
      if (n % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await store.close();
    expect(store.writes - first).toBeLessThan(50);
    expect(store.writes - first).toBeGreaterThanOrEqual(1);
    const back = await readJobState(file);
    expect(back!.items.every((i) => i.status === 'completed')).toBe(true);
    // No temp file left; the journal is empty once everything is folded into job.json.
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['job.journal.jsonl', 'job.json']);
    expect(fs.readFileSync(path.join(path.dirname(file), 'job.journal.jsonl'), 'utf8')).toBe('');
  });

  it('between flushes appends only changed items to the journal; readers see job.json + journal; a torn line is ignored', async () => {
    const home = tempHome();
    const file = storePaths(home).jobStateFile('repo', 'job-1');
    const journal = path.join(path.dirname(file), 'job.journal.jsonl');
    const store = await JobStore.create(file, state(), 1);
    const snapshot = fs.readFileSync(file, 'utf8');
    for (let n = 0; n < 50; n++) {
      store.state.items[n] = { ...store.state.items[n]!, status: 'completed', result: { n } };
      store.changed();
      await new Promise((r) => setTimeout(r, 3));
      // Every reader, at every point, sees every item completed so far (never fewer).
      const seen = await readJobState(file);
      expect(seen!.items.filter((i) => i.status === 'completed').length).toBeGreaterThanOrEqual(n);
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(fs.readFileSync(file, 'utf8')).toBe(snapshot); // job.json not rewritten per item
    const lines = fs.readFileSync(journal, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const l of lines) expect((JSON.parse(l) as { items: unknown[] }).items.length).toBeLessThan(50);
    fs.appendFileSync(journal, '{"v":1,"seq":9999,"at":"x","items":[[0,{"id":"');
    const back = await readJobState(file);
    expect(back!.items.map((i) => i.result)).toEqual(Array.from({ length: 50 }, (_, n) => ({ n })));
    // Resume (a new owner) reads the same, cuts the torn line, and compaction keeps every item.
    await store.close();
    fs.appendFileSync(journal, '{"v":1,"seq":9999,"at":"x","items":[[0,{"id":"');
    const again = await JobStore.open(file, 1);
    expect(again.state.items.every((i) => i.status === 'completed')).toBe(true);
    await again.close();
    expect(fs.readFileSync(journal, 'utf8')).toBe('');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).items.every((i: { status: string }) => i.status === 'completed')).toBe(true);
  });

  it('a corrupt job file is reported and left exactly as it is', async () => {
    const home = tempHome();
    const file = storePaths(home).jobStateFile('repo', 'job-x');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"job_id": ');
    await expect(JobStore.open(file)).rejects.toBeInstanceOf(CorruptJobFileError);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"job_id": ');
  });
});

describe('event log', () => {
  it('appends JSONL across runs and reads it back in order, skipping a torn last line', async () => {
    const dir = storePaths(tempHome()).eventsDir('repo', 'job-1');
    const a = new EventLog(dir, new Date('2026-01-01T00:00:00Z'));
    a.append({ job_id: 'job-1', type: 'JobStarted' });
    a.append({ job_id: 'job-1', type: 'AgentStarted', item_id: 'item-0', agent_id: 'agent-1' });
    a.close();
    const b = new EventLog(dir, new Date('2026-01-01T00:01:00Z'));
    b.append({ job_id: 'job-1', type: 'JobResumed' });
    b.close();
    fs.appendFileSync(b.file, '{"timestamp":"2026');
    const events = await readEvents(dir);
    expect(events.map((e) => e.type)).toEqual(['JobStarted', 'AgentStarted', 'JobResumed']);
    expect(events.every((e) => !Number.isNaN(Date.parse(e.timestamp)))).toBe(true);
  });

  it('follow delivers existing and later events, including from a new file, until told to stop', async () => {
    const dir = storePaths(tempHome()).eventsDir('repo', 'job-2');
    const a = new EventLog(dir, new Date('2026-01-01T00:00:00Z'));
    a.append({ job_id: 'job-2', type: 'JobStarted' });
    const seen: string[] = [];
    const done = followEvents(dir, (e) => seen.push(e.type), { until: (e) => e.type === 'JobCompleted' });
    await new Promise((r) => setTimeout(r, 50));
    a.append({ job_id: 'job-2', type: 'JobInterrupted' });
    a.close();
    const b = new EventLog(dir, new Date('2026-01-01T00:01:00Z'));
    b.append({ job_id: 'job-2', type: 'JobResumed' });
    b.append({ job_id: 'job-2', type: 'JobCompleted' });
    b.close();
    await done;
    expect(seen).toEqual(['JobStarted', 'JobInterrupted', 'JobResumed', 'JobCompleted']);
  });
});

describe('dead-letter queue and mappings', () => {
  it('writes, lists in item order, reports bad files, removes', async () => {
    const dir = storePaths(tempHome()).dlqItemsDir('repo', 'job-1');
    for (const n of [10, 2]) {
      writeDlqItem(dir, { item_id: `item-${n}`, item: { n }, error: 'exit 1', attempts: 2, output_tail: ['x'], failed_at: '2026-01-01T00:00:00Z' });
    }
    fs.writeFileSync(path.join(dir, 'item-99.json'), 'nope');
    const { items, problems } = await listDlqItems(dir);
    expect(items.map((i) => i.item_id)).toEqual(['item-2', 'item-10']);
    expect(problems.map((p) => path.basename(p.file))).toEqual(['item-99.json']);
    removeDlqItem(dir, 'item-2');
    expect((await listDlqItems(dir)).items.map((i) => i.item_id)).toEqual(['item-10']);
  });

  it('finds a job and its session from either id', async () => {
    const home = tempHome();
    const m = { session_id: 'session-abc', job_id: 'mapreduce-1', repo: 'myrepo', workflow_name: 'w', created_at: '2026-01-01T00:00:00Z' };
    writeMapping(home, m);
    expect(await findMapping(home, 'mapreduce-1')).toEqual(m);
    expect(await findMapping(home, 'session-abc')).toEqual(m);
    expect(await findMapping(home, 'nope')).toBeNull();
    expect(await findMapping(home, '../etc')).toBeNull();
    const file = storePaths(home).jobStateFile('myrepo', 'mapreduce-1');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{}');
    expect(await findJobRepo(home, 'mapreduce-1')).toBe('myrepo');
    expect(await findJobRepo(home, 'mapreduce-2')).toBeNull();
  });
});
