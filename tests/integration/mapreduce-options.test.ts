/** MapReduce options end to end, each with a real `prodigy run`: input commands, selection, timeouts, policies. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DlqItem } from '../../src/mapreduce/job-types.js';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { lines, onlySession, workspace } from './workflow-helpers.js';

function run(yaml: string, files: Record<string, string> = {}) {
  const ws = workspace(yaml);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(ws.dir, name), text);
  const home = tempHome();
  const r = prodigy(['run', ws.file], { home, cwd: ws.dir });
  return { ...r, ws, home, jobId: () => onlySession(home).mapreduce_data!.job_id };
}

const ITEMS = JSON.stringify({ data: { rows: [
  { id: 'a', score: 3, tags: { lang: 'ts' } },
  { id: 'b', score: 9, tags: { lang: 'rs' } },
  { id: 'c', score: 7, tags: { lang: 'ts' } },
  { id: 'd', score: 7, tags: { lang: 'go' } },
  { id: 'e', score: 1, tags: { lang: 'ts' } },
] } });

describe('MapReduce options (real runs)', () => {
  it('input from a command, json_path, filter, sort_by (two keys), offset, max_items, nested fields', () => {
    const r = run(`mode: mapreduce
map:
  input: "cat rows.src"
  json_path: "$.data.rows[*]"
  filter: "item.score >= 3 || item.tags.lang == 'go'"
  sort_by: "item.score DESC, item.id DESC"
  offset: 1
  max_items: 2
  max_parallel: 1
  agent_template:
    - shell: "echo \${item_index} \${item.id} \${item.tags.lang} >> ran.log"
reduce:
  - shell: "echo '\${map.total}' > total.txt"
`, { 'rows.src': ITEMS });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Kept a, b, c, d; sorted b(9) d(7) c(7) a(3); offset 1, two items: d, c.
    expect(lines(path.join(r.ws.dir, 'ran.log'))).toEqual(['0 d go', '1 c ts']);
    expect(lines(path.join(r.ws.dir, 'total.txt'))).toEqual(['2']);
  });

  it('agent_timeout_secs stops an agent that runs too long; its item goes to the DLQ', () => {
    const r = run(`mode: mapreduce
map:
  input: "echo '[1, 2]'"
  agent_timeout_secs: 1
  max_parallel: 2
  agent_template:
    - shell: "if [ \${item} = 2 ]; then sleep 30; fi; echo ok \${item} >> ran.log"
`);
    expect(r.code).toBe(0);
    expect(lines(path.join(r.ws.dir, 'ran.log'))).toEqual(['ok 1']);
    const dead = JSON.parse(prodigy(['dlq', 'list', r.jobId(), '--json'], { home: r.home }).stdout) as DlqItem[];
    expect(dead.map((d) => [d.item, d.error])).toEqual([[2, 'command 1 failed: timed out after 1s (process group killed)']]);
  });

  it('on_item_failure: skip gives up on an item without a DLQ entry; stop fails the job at the first dead item', () => {
    const yaml = (policy: string) => `mode: mapreduce
map:
  input: "echo '[1, 2, 3, 4, 5, 6]'"
  max_parallel: 1
  agent_template:
    - shell: "echo \${item} >> ran.log; test \${item} != 2 || test -f fixed"
reduce:
  - shell: "echo reduce \${map.successful} \${map.failed} >> reduce.log"
error_policy:
  on_item_failure: ${policy}
`;
    const skip = run(yaml('skip'));
    expect(skip.code).toBe(0);
    expect(lines(path.join(skip.ws.dir, 'reduce.log'))).toEqual(['reduce 5 1']);
    expect(JSON.parse(prodigy(['dlq', 'list', skip.jobId(), '--json'], { home: skip.home }).stdout)).toEqual([]);

    const stop = run(yaml('stop'));
    expect(stop.code).toBe(1);
    expect(stop.stderr).toBe('prodigy: item-1 failed (command 1 failed: exited with code 1) and the error policy stops the job\n');
    expect(lines(path.join(stop.ws.dir, 'ran.log'))).toEqual(['1', '2']);
    expect(fs.existsSync(path.join(stop.ws.dir, 'reduce.log'))).toBe(false);
    expect(onlySession(stop.home)).toMatchObject({ status: 'Failed', mapreduce_data: { processed_items: 2, failed_items: 1, total_items: 6 } });

    // A job its policy stopped is finished by dlq retry: dead and pending items, then reduce once.
    fs.writeFileSync(path.join(stop.ws.dir, 'fixed'), '');
    const retry = prodigy(['dlq', 'retry', stop.jobId()], { home: stop.home, cwd: stop.ws.dir });
    expect(retry.code).toBe(0);
    expect(lines(path.join(stop.ws.dir, 'ran.log'))).toEqual(['1', '2', '2', '3', '4', '5', '6']);
    expect(lines(path.join(stop.ws.dir, 'reduce.log'))).toEqual(['reduce 6 0']);
    expect(onlySession(stop.home)).toMatchObject({ status: 'Failed', mapreduce_data: { processed_items: 6, failed_items: 0, phase: 'Complete' } });
  });

  it('setup captures are variables for agents and reduce; ${map.results} is the JSON of the agents’ results', () => {
    const r = run(`mode: mapreduce
setup:
  - shell: "echo run-42"
    capture_output: tag
map:
  input: "echo '[\\"x\\", \\"y\\"]'"
  agent_template:
    - shell: "echo \${tag}-\${item}"
reduce:
  - shell: "echo '\${map.results}' > results.json"
`);
    expect(r.code).toBe(0);
    const results = JSON.parse(fs.readFileSync(path.join(r.ws.dir, 'results.json'), 'utf8')) as Array<{ item_id: string; output: string }>;
    expect(results.map((x) => [x.item_id, x.output])).toEqual([['item-0', 'run-42-x'], ['item-1', 'run-42-y']]);
  });
});
