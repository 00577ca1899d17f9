/**
 * The secrets scan for items run on queue workers (`prodigy run --queue` with real `prodigy worker`
 * processes on a real redis-server): the secret reaches the workers only inside signed jobs, their
 * commands get the real value, and nothing the runner or the workers print or store holds it or either
 * half of it — whole, split across two writes, on stderr, in a dead item's output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { tempDir } from '../helpers/home.js';
import { type QueueWorld, queueWorld } from './queue/queue-fixture.js';
import { allTextUnder, startProdigy } from './workflow-helpers.js';

const SECRET = 'sk-queue-7h2m-rx9pd';
const HALVES = [SECRET.slice(0, 9), SECRET.slice(9)];

let world: QueueWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

describe('secrets on queue workers', () => {
  it('workers mask the secret in everything they print and return; the runner stores none of it', async () => {
    world = await queueWorld();
    const w = world;
    const out = tempDir('prodigy-scan-queue-');
    fs.writeFileSync(path.join(out, 'split.sh'), `first=$(printf %s "$API_KEY" | cut -c1-9)\nrest=$(printf %s "$API_KEY" | cut -c10-)\nprintf '%s %s' "$1" "$first"\nsleep 0.6\nprintf '%s\\n' "$rest"\n`);
    const worker = await w.startWorker({ concurrency: 3, env: { OUT: out } });
    const wf = w.workflow(`name: scan-queue
mode: mapreduce
secrets:
  API_KEY: "\${env:MY_TOKEN}"
map:
  input: "printf 'one\\\\ntwo\\\\nbad\\\\n'"
  max_parallel: 3
  agent_template:
    - shell: 'echo item-\${item}-\${API_KEY}; sh $OUT/split.sh item-split; sh $OUT/split.sh err-split >&2; printf "%s" "$API_KEY" > $OUT/proof-\${item}; test \${item} != bad || { echo dying-\${API_KEY} >&2; exit 4; }'
reduce:
  - shell: 'echo reduce-\${API_KEY}'
`);
    const run = startProdigy(['run', wf, '-y', '-v', '--queue', w.redis.url], { home: w.home, cwd: w.repo, env: { ...w.env, MY_TOKEN: SECRET } });
    const { code } = await run.exit;
    expect(code, run.stderr()).toBe(0);
    expect(run.stdout()).toContain('2 successful, 1 failed, 3 total');
    for (const item of ['one', 'two', 'bad']) expect(fs.readFileSync(path.join(out, `proof-${item}`), 'utf8')).toBe(SECRET);
    const jobId = /^Job (\S+)/m.exec(run.stdout())![1]!;
    const dlq = prodigy(['dlq', 'list', jobId, '--json'], { home: w.home, cwd: w.repo, warnings: true });
    expect(dlq.stdout).toContain('dying-***');
    const events = prodigy(['events', jobId, '--json'], { home: w.home, cwd: w.repo, warnings: true });
    const stored = allTextUnder(w.home);
    expect(stored).toContain('item-split ***');
    const everything = [stored, run.stdout(), run.stderr(), worker.stdout(), worker.stderr(), dlq.stdout, dlq.stderr, events.stdout, events.stderr].join('\n');
    for (const s of [SECRET, ...HALVES]) expect(everything).not.toContain(s);
  }, 180_000);
});
