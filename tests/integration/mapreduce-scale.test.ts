/**
 * Constant cost per item (issue 13), on real files and processes: the runner keeps only summaries of
 * settled items, so whatever reads items back (compaction, reduce's `${map.results}`, a resume) must find
 * every completed item's record on disk; a resume reads only the events after the state's mark.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventLog, readEvents, readEventsAfter } from '../../src/mapreduce/events.js';
import { newJobState, newWorkItems } from '../../src/mapreduce/job-state.js';
import { JobStore, readJobState } from '../../src/mapreduce/job-store.js';
import type { JobState } from '../../src/mapreduce/job-types.js';
import { jobJournalOf, storePaths } from '../../src/storage/paths.js';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { waitForExit } from '../helpers/processes.js';
import { lines, onlySession, startProdigy, until, workspace } from './workflow-helpers.js';

function state(n: number): JobState {
  const s = newJobState({ job_id: 'job-1', session_id: 'session-1', workflow_name: 'w', workflow_path: 'w.yml', repo: 'repo', max_parallel: 4 });
  s.items = newWorkItems(Array.from({ length: n }, (_, i) => ({ i })));
  return s;
}

const results = (s: JobState | null) => s?.items.map((i) => (i.status === 'completed' ? i.result : null)) ?? [];

describe('job store with released items', () => {
  it('compaction and close keep every completed item whole though memory holds only summaries; a torn journal line is ignored', async () => {
    const file = storePaths(tempHome()).jobStateFile('repo', 'job-1');
    const n = 120;
    const store = await JobStore.create(file, state(n), 1);
    for (let i = 0; i < n; i++) {
      const it = store.state.items[i]!;
      Object.assign(it, { status: 'completed', attempts: 1, result: { i, output: `out ${i}` }, output_tail: [`line ${i}`] });
      store.changed(i);
      store.release(i);
      if (i % 7 === 0) store.commit();
      if (i === 60) await store.flush(); // a compaction mid-stream: released records come back from disk
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    store.commit();
    const want = Array.from({ length: n }, (_, i) => ({ i, output: `out ${i}` }));
    // In memory: frozen summaries (status kept, result gone); on disk and in fullState(): everything.
    expect(store.state.items.every((it) => it.status === 'completed' && it.result === null && Object.isFrozen(it))).toBe(true);
    expect(results(store.fullState())).toEqual(want);
    expect(results(await readJobState(file))).toEqual(want);
    expect((await readJobState(file))!.items[5]!.output_tail).toEqual(['line 5']);

    fs.appendFileSync(jobJournalOf(file), '{"v":1,"seq":99999,"at":"x","items":[[0,{"id":"');
    expect(results(await readJobState(file))).toEqual(want);
    await store.close();
    const snapshot = JSON.parse(fs.readFileSync(file, 'utf8')) as JobState;
    expect(results(snapshot)).toEqual(want);
    expect(fs.readFileSync(jobJournalOf(file), 'utf8')).toBe('');

    // A new owner after a torn write: the line is cut, nothing else lost.
    fs.appendFileSync(jobJournalOf(file), '{"v":1,"seq":99999,"at":"x","items":[[0,{"id":"');
    const again = await JobStore.open(file, 1);
    expect(results(again.state)).toEqual(want);
    again.state.items[0] = { ...again.state.items[0]!, attempts: 2 };
    again.changed();
    again.commit();
    expect(fs.readFileSync(jobJournalOf(file), 'utf8')).toMatch(/^\{"v":1,"seq":\d+,.*\}\n$/);
    await again.close();
    expect(results(await readJobState(file))).toEqual(want);
  });
});

describe('reading the event log after a mark', () => {
  it('readEventsAfter returns exactly the events after the mark, across runs; no mark or an unknown file: all of them', async () => {
    const dir = storePaths(tempHome()).eventsDir('repo', 'job-1');
    const first = new EventLog(dir, new Date(Date.UTC(2026, 0, 1, 0, 0, 0)));
    for (let k = 0; k < 50; k++) first.append({ job_id: 'job-1', type: 'AgentCompleted', item_id: `item-${k}` });
    const inFirst = first.mark();
    for (let k = 50; k < 80; k++) first.append({ job_id: 'job-1', type: 'AgentCompleted', item_id: `item-${k}` });
    first.close();
    const second = new EventLog(dir, new Date(Date.UTC(2026, 0, 1, 0, 1, 0)));
    const atStart = second.mark();
    for (let k = 80; k < 100; k++) second.append({ job_id: 'job-1', type: 'AgentCompleted', item_id: `item-${k}` });
    const inSecond = second.mark();
    second.append({ job_id: 'job-1', type: 'AgentCompleted', item_id: 'item-100' });
    second.close();
    fs.appendFileSync(second.file, '{"timestamp":"2026'); // torn last line
    const ids = (es: { item_id?: string }[]) => es.map((e) => Number(e.item_id!.slice(5)));
    const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
    expect(ids(await readEventsAfter(dir, inFirst))).toEqual(range(50, 101));
    expect(ids(await readEventsAfter(dir, atStart))).toEqual(range(80, 101));
    expect(ids(await readEventsAfter(dir, inSecond))).toEqual([100]);
    expect(ids(await readEventsAfter(dir, null))).toEqual(range(0, 101));
    expect(ids(await readEventsAfter(dir, { file: 'events-1-1.jsonl', offset: 0 }))).toEqual(range(0, 101));
    expect(ids(await readEvents(dir))).toEqual(range(0, 101));
  });

  it('every journal line and snapshot records the mark: a resume after a kill reads only what came after it', async () => {
    const home = tempHome();
    const file = storePaths(home).jobStateFile('repo', 'job-1');
    const log = new EventLog(storePaths(home).eventsDir('repo', 'job-1'));
    const store = await JobStore.create(file, state(3), 1);
    store.markWith(() => log.mark());
    log.append({ job_id: 'job-1', type: 'AgentCompleted', item_id: 'item-0' });
    Object.assign(store.state.items[0]!, { status: 'completed' });
    store.changed(0);
    store.commit();
    expect((await readJobState(file))!.events_mark).toEqual(log.mark());
    // Logged but not yet in a line (a kill now): the only event a resume must replay.
    log.append({ job_id: 'job-1', type: 'AgentCompleted', item_id: 'item-1', result: { n: 1 } });
    const after = await readEventsAfter(path.dirname(log.file), (await readJobState(file))!.events_mark);
    expect(after.map((e) => e.item_id)).toEqual(['item-1']);
    log.close();
    await store.close();
  });
});

describe('reduce after a resume (real processes)', () => {
  it("a job killed mid-map and resumed: reduce's ${map.results} holds every item's result, read back from disk", async () => {
    const ws = workspace(`name: results
mode: mapreduce
map:
  input: items.json
  max_parallel: 4
  agent_template:
    - shell: "echo \${item.n} >> ran.log; sleep 0.05; echo out-\${item.n}"
reduce:
  - shell: "echo '\${map.results}' > results.json; echo \${map.successful} > count.txt"
`);
    fs.writeFileSync(path.join(ws.dir, 'items.json'), JSON.stringify(Array.from({ length: 40 }, (_, n) => ({ n }))));
    const home = tempHome();
    const run = startProdigy(['run', ws.file], { home, cwd: ws.dir });
    await until(() => lines(path.join(ws.dir, 'ran.log')).length >= 12, 20_000, 'a dozen agents to start');
    run.child.kill('SIGKILL');
    await waitForExit(run.child);
    const jobId = onlySession(home).mapreduce_data!.job_id;
    const resumed = prodigy(['resume-job', jobId, '-y'], { home, cwd: ws.dir });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(fs.readFileSync(path.join(ws.dir, 'count.txt'), 'utf8').trim()).toBe('40');
    const got = JSON.parse(fs.readFileSync(path.join(ws.dir, 'results.json'), 'utf8')) as { item_id: string; output: string }[];
    expect(got.map((r) => r.output).sort()).toEqual(Array.from({ length: 40 }, (_, n) => `out-${n}`).sort());
    expect(got.map((r) => r.item_id)).toEqual(Array.from({ length: 40 }, (_, n) => `item-${n}`));
  }, 90_000);
});
