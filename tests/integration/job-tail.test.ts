import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { newJobState, newWorkItems } from '../../src/mapreduce/job-state.js';
import { JobStore, readJobState } from '../../src/mapreduce/job-store.js';
import { JobTail } from '../../src/mapreduce/job-tail.js';
import { jobJournalOf, storePaths } from '../../src/storage/paths.js';
import { tempHome } from '../helpers/home.js';

function state(n: number) {
  const s = newJobState({ job_id: 'job-1', session_id: 'session-1', workflow_name: 'w', workflow_path: 'w.yml', repo: 'repo', max_parallel: 4 });
  s.items = newWorkItems(Array.from({ length: n }, (_, i) => ({ i })));
  return s;
}

const completed = (s: { items: Array<{ status: string }> } | null) => s?.items.filter((i) => i.status === 'completed').length ?? -1;

/** Waits until the journal holds a line after `bytes` (the store writes it on a timer). */
async function journalGrew(file: string, bytes: number): Promise<void> {
  await expect.poll(() => (fs.existsSync(jobJournalOf(file)) ? fs.statSync(jobJournalOf(file)).size : 0)).toBeGreaterThan(bytes);
}

describe('JobTail: follows a running job by its journal', () => {
  it('reads job.json once, then only the appended lines; a replaced job.json is read again', async () => {
    const file = storePaths(tempHome()).jobStateFile('repo', 'job-1');
    const store = await JobStore.create(file, state(200), 1);
    const tail = new JobTail(file);
    expect(completed(await tail.refresh())).toBe(0);
    expect(tail.fullReads).toBe(1);
    for (let n = 0; n < 20; n++) {
      const before = fs.existsSync(jobJournalOf(file)) ? fs.statSync(jobJournalOf(file)).size : 0;
      store.state.items[n] = { ...store.state.items[n]!, status: 'completed', result: { n } };
      store.changed();
      await journalGrew(file, before);
      const seen = await tail.refresh();
      expect(completed(seen)).toBe(n + 1);
      expect(seen).toEqual(await readJobState(file));
    }
    expect(tail.fullReads).toBe(1);
    expect(tail.tailReads).toBe(20);
    const same = await tail.refresh();
    expect(await tail.refresh()).toBe(same); // nothing appended: the same object, nothing re-read

    // Compaction / phase change: job.json replaced, the journal emptied. Read whole once, then tail again.
    await store.flush();
    expect(completed(await tail.refresh())).toBe(20);
    expect(tail.fullReads).toBe(2);
    store.state.items[50] = { ...store.state.items[50]!, status: 'completed' };
    store.changed();
    await journalGrew(file, 0);
    expect(completed(await tail.refresh())).toBe(21);
    expect(tail.fullReads).toBe(2);
    await store.close();
  });

  it('counts never decrease while the writer appends and compacts at any moment, and end equal to the file', async () => {
    const file = storePaths(tempHome()).jobStateFile('repo', 'job-1');
    const n = 300;
    const store = await JobStore.create(file, state(n), 1);
    const tail = new JobTail(file);
    let last = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const c = completed(await tail.refresh());
        expect(c).toBeGreaterThanOrEqual(last);
        last = c;
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < n; i++) {
      store.state.items[i] = { ...store.state.items[i]!, status: 'completed', result: { i } };
      store.changed();
      if (i % 37 === 0) await store.flush(); // a snapshot rewrite and an emptied journal mid-stream
      if (i % 5 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await store.close();
    writing = false;
    await reader;
    const final = await tail.refresh();
    expect(completed(final)).toBe(n);
    expect(final).toEqual(await readJobState(file));
  });

  it('a torn last line is not applied until it is complete; a missing job is null', async () => {
    const file = storePaths(tempHome()).jobStateFile('repo', 'job-1');
    const tail = new JobTail(file);
    expect(await tail.refresh()).toBeNull();
    const store = await JobStore.create(file, state(5), 1);
    await store.close();
    expect(completed(await tail.refresh())).toBe(0);
    const item = { ...store.state.items[2]!, status: 'completed' };
    const line = JSON.stringify({ v: 1, seq: 1, at: new Date().toISOString(), items: [[2, item]] });
    fs.appendFileSync(jobJournalOf(file), line.slice(0, 20));
    expect(completed(await tail.refresh())).toBe(0);
    fs.appendFileSync(jobJournalOf(file), `${line.slice(20)}\n`);
    expect(completed(await tail.refresh())).toBe(1);
    expect(tail.fullReads).toBe(1);
  });
});
