/** MapReduce language pieces, run for real: map.input decided after interpolation, the line fallback, setup.capture_outputs/timeout, top-level policy keys, filter operators. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { lines, workspace } from './workflow-helpers.js';

function run(yaml: string) {
  const home = tempHome();
  const ws = workspace(yaml);
  const r = prodigy(['run', ws.file, '--path', ws.dir], { home, cwd: ws.dir });
  return { ...r, home, ...ws };
}

describe('MapReduce language', () => {
  it('input from a command whose output is not JSON: one item per line; setup.capture_outputs names a setup output', () => {
    const r = run(`name: lines
mode: mapreduce
setup:
  commands:
    - shell: "echo files"
    - shell: "printf 'a.txt\\\\nb.txt\\\\n\\\\nc.txt\\\\n' > list.txt"
  timeout: 30
  capture_outputs:
    KIND: 0
map:
  input: "cat list.txt"
  filter: "item ends_with '.txt' AND NOT item starts_with 'c'"
  agent_template:
    - shell: "echo \${KIND}:\${item} >> seen"
reduce:
  - shell: "echo \${map.total} > total"
`);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(lines(path.join(r.dir, 'seen')).sort()).toEqual(['files:a.txt', 'files:b.txt']);
    expect(fs.readFileSync(path.join(r.dir, 'total'), 'utf8')).toBe('2\n');
  });

  it('input decided after interpolation: a variable naming an existing file reads it; top-level policy keys apply', () => {
    const r = run(`name: interp
mode: mapreduce
env:
  SRC: data/items.json
setup:
  - shell: "mkdir -p data && echo '[{\\"id\\": 1, \\"tags\\": [\\"x\\"]}, {\\"id\\": 2, \\"tags\\": []}, {\\"id\\": 3, \\"tags\\": [\\"x\\"]}]' > data/items.json"
map:
  input: "\${SRC}"
  filter: "item.tags contains 'x' && item.id in [1, 3]"
  agent_template:
    - shell: "test \${item.id} != 3 && echo \${item.id} >> seen"
max_failures: 5
on_item_failure: skip
`);
    // on_item_failure: skip at the top level: the failing item 3 is skipped, the job completes (dlq would exit 1).
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(lines(path.join(r.dir, 'seen'))).toEqual(['1']);
    expect(r.stderr).not.toContain('is ignored');
  });

  it('prints the MapReduce parser warnings and refuses a bad filter with its position', () => {
    const warn = run('name: w\nmode: mapreduce\nmap:\n  input: "echo 1"\n  wat: 1\n  agent_template:\n    - shell: "true"\n');
    expect(warn.stderr).toContain(`${warn.file}:5:3: warning: key "map.wat" is ignored`);
    const bad = run('name: b\nmode: mapreduce\nmap:\n  input: "echo 1"\n  filter: "item.a in 3"\n  agent_template:\n    - shell: "true"\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${bad.file}:5:11: map.filter: "in" takes a list`);
  });
});
