import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeMapping } from '../../src/storage/job-mapping.js';
import { storePaths } from '../../src/storage/paths.js';
import { writeDlqItem } from '../../src/mapreduce/dlq.js';
import { EventLog } from '../../src/mapreduce/events.js';
import { newJobState } from '../../src/mapreduce/job-state.js';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';

function seed(): string {
  const home = tempHome();
  const p = storePaths(home);
  const job = newJobState({ job_id: 'mapreduce-t1', session_id: 'session-t1', workflow_name: 'w', workflow_path: 'w.yml', repo: 'r', max_parallel: 2 });
  fs.mkdirSync(path.dirname(p.jobStateFile('r', 'mapreduce-t1')), { recursive: true });
  fs.writeFileSync(p.jobStateFile('r', 'mapreduce-t1'), JSON.stringify(job));
  writeMapping(home, { session_id: 'session-t1', job_id: 'mapreduce-t1', repo: 'r', workflow_name: 'w', created_at: job.created_at });
  const log = new EventLog(p.eventsDir('r', 'mapreduce-t1'));
  log.append({ job_id: 'mapreduce-t1', type: 'JobStarted' });
  log.append({ job_id: 'mapreduce-t1', type: 'AgentStarted', item_id: 'item-0', agent_id: 'agent-1', attempt: 1 });
  log.append({ job_id: 'mapreduce-t1', type: 'AgentFailed', item_id: 'item-0', agent_id: 'agent-1', attempt: 1, exit_code: 3, message: 'exited with code 3' });
  log.append({ job_id: 'mapreduce-t1', type: 'JobCompleted' });
  log.close();
  writeDlqItem(p.dlqItemsDir('r', 'mapreduce-t1'), { item_id: 'item-0', item: { n: 0 }, error: 'exited with code 3', attempts: 1, output_tail: ['boom'], failed_at: new Date().toISOString() });
  return home;
}

describe('prodigy events / dlq list', () => {
  it('prints the event log by job id or session id, plain and --json', () => {
    const home = seed();
    const plain = prodigy(['events', 'mapreduce-t1'], { home });
    expect(plain.code).toBe(0);
    const lines = plain.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/AgentFailed\s+item-0\s+agent-1\s+attempt=1\s+exit=3\s+exited with code 3/);
    const json = prodigy(['events', 'session-t1', '--json'], { home });
    expect(JSON.parse(json.stdout).map((e: { type: string }) => e.type)).toEqual(['JobStarted', 'AgentStarted', 'AgentFailed', 'JobCompleted']);
  });

  it('--follow prints what is there and ends when the job has completed', () => {
    const r = prodigy(['events', 'mapreduce-t1', '--follow', '--json'], { home: seed() });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['JobStarted', 'AgentStarted', 'AgentFailed', 'JobCompleted']);
  });

  it('lists the DLQ as a table and as JSON', () => {
    const home = seed();
    const plain = prodigy(['dlq', 'list', 'mapreduce-t1'], { home });
    expect(plain.code).toBe(0);
    // The failing command's output tail is in the table, not only in --json.
    expect(plain.stdout).toMatch(/^ITEM\s+ATTEMPTS\s+FAILED\s+ERROR\s+OUTPUT \(LAST LINES\)\s+DATA\nitem-0\s+1\s+.*exited with code 3\s+boom\s+\{"n":0\}\n1 dead item\. Retry with: prodigy dlq retry mapreduce-t1\n$/);
    const json = prodigy(['dlq', 'list', 'mapreduce-t1', '--json'], { home });
    expect(JSON.parse(json.stdout)).toMatchObject([{ item_id: 'item-0', attempts: 1, output_tail: ['boom'] }]);
  });

  it('an unknown job is one line and exit 2', () => {
    const r = prodigy(['dlq', 'list', 'mapreduce-nope'], { home: tempHome() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('prodigy: no MapReduce job mapreduce-nope\n');
    expect(prodigy(['events', 'nope'], { home: tempHome() }).code).toBe(2);
  });
});
