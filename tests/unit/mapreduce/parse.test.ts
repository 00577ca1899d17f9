import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/home.js';
import { parseMapReduce, resolveNumberRef } from '../../../src/mapreduce/parse.js';
import { parseWorkflow } from '../../../src/workflow/parse.js';
import { WorkflowParseError } from '../../../src/workflow/yaml-source.js';

function mr(text: string, env: NodeJS.ProcessEnv = {}) {
  const p = parseWorkflow(text, 'jobs.yml');
  if (p.mode !== 'mapreduce') throw new Error('expected a MapReduce workflow');
  return { wf: parseMapReduce(p.source, env), warnings: p.source.warnings };
}

function errorOf(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    mr(text, env);
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowParseError);
    return (err as Error).message;
  }
  throw new Error('expected a parse error');
}

const FULL = `name: tag-items
mode: mapreduce
env:
  WORKERS: 5
setup:
  - shell: "./make-items.sh > items.json"
map:
  input: items.json
  json_path: "$.items[*]"
  filter: "item.score >= 5 && item.kind == 'bug'"
  sort_by: "item.priority DESC"
  max_items: 100
  offset: 10
  distinct: "item.id"
  max_parallel: \${WORKERS}
  agent_timeout_secs: 300
  agent_template:
    - shell: "./process.sh \${item.id} \${item.path}"
    - claude: "/fix '\${item}'"
reduce:
  - shell: "echo done \${map.successful}/\${map.total}, failed \${map.failed}"
error_policy:
  on_item_failure: dlq
  continue_on_failure: true
  max_failures: 10
  failure_threshold: 0.2
  max_retries: 1
merge:
  - shell: "true"
`;

describe('parseMapReduce', () => {
  it('reads every section of the reference example', () => {
    const { wf, warnings } = mr(FULL);
    expect(wf.name).toBe('tag-items');
    expect(wf.env).toEqual({ WORKERS: '5' });
    expect(wf.setup.map((c) => c.text)).toEqual(['./make-items.sh > items.json']);
    expect(wf.map).toMatchObject({
      input: { kind: 'file', value: 'items.json' },
      json_path: '$.items[*]',
      filter: "item.score >= 5 && item.kind == 'bug'",
      sort_by: 'item.priority DESC',
      max_items: 100,
      offset: 10,
      distinct: 'item.id',
      max_parallel: 5,
      agent_timeout_secs: 300,
    });
    expect(wf.map.agent_template.map((c) => c.kind)).toEqual(['shell', 'claude']);
    expect(wf.reduce).toHaveLength(1);
    expect(wf.error_policy).toEqual({ on_item_failure: 'dlq', continue_on_failure: true, max_failures: 10, failure_threshold: 0.2, max_retries: 1 });
    expect(wf.merge?.commands.map((c) => c.text)).toEqual(['true']);
    expect(warnings).toEqual([]);
  });

  it('accepts the legacy {commands: [...]} forms and a command as input', () => {
    const { wf } = mr(`mode: mapreduce
map:
  input: "printf '[1,2,3]'"
  agent_template:
    commands:
      - shell: echo \${item}
reduce:
  commands:
    - shell: echo \${map.total}
`);
    expect(wf.map.input).toEqual({ kind: 'command', value: "printf '[1,2,3]'" });
    expect(wf.map.agent_template).toHaveLength(1);
    expect(wf.reduce).toHaveLength(1);
    expect(wf.setup).toEqual([]);
    expect(wf.name).toBe('jobs');
  });

  it('max_parallel may name the environment; retry policy defaults to two retries', () => {
    const { wf } = mr('mode: mapreduce\nmap:\n  input: a.json\n  max_parallel: $N\n  agent_template:\n    - shell: "true"\nerror_policy:\n  on_item_failure: retry\n', { N: '3' });
    expect(wf.map.max_parallel).toBe(3);
    expect(wf.error_policy.max_retries).toBe(2);
  });

  it('secrets, profiles, env_files and dynamic env are read (no warning); max_parallel naming an unknown variable waits for the run', () => {
    const { wf, warnings } = mr(`mode: mapreduce
env:
  REV: {command: "git rev-parse HEAD"}
secrets:
  KEY: "\${env:TOKEN}"
env_files: [a.env]
profiles:
  prod: {N: "4"}
map:
  input: a.json
  max_parallel: \${N}
  agent_template:
    - shell: "true"
`);
    expect(warnings).toEqual([]);
    expect(wf.environment).toMatchObject({ dynamic: { REV: { command: 'git rev-parse HEAD' } }, secrets: { KEY: { text: '\${env:TOKEN}' } }, envFiles: ['a.env'], profiles: { prod: { N: '4' } } });
    expect(wf.map.max_parallel_var).toEqual({ field: 'max_parallel', name: 'N', where: 'jobs.yml:11:17' });
    expect(resolveNumberRef(wf.map.max_parallel_var!, { N: '4' }, {})).toBe(4);
    expect(() => resolveNumberRef(wf.map.max_parallel_var!, {}, {})).toThrow('jobs.yml:11:17: max_parallel: unknown variable ${N}');
    expect(() => resolveNumberRef(wf.map.max_parallel_var!, { N: '2.5' }, {})).toThrow('jobs.yml:11:17: max_parallel: ${N} is "2.5", not a positive whole number');
  });

  it('refuses mistakes with file:line:col', () => {
    const base = (mapExtra: string) => `mode: mapreduce\nmap:\n  input: a.json\n${mapExtra}  agent_template:\n    - shell: "true"\n`;
    expect(errorOf(base("  filter: \"item.score >> 3\"\n"))).toBe('jobs.yml:4:11: map.filter: Expected expression after > at column 13 of "item.score >> 3"');
    expect(errorOf(base('  sort_by: "item.p SIDEWAYS"\n'))).toMatch(/^jobs\.yml:4:12: map\.sort_by: expected a field name/);
    expect(errorOf(base('  json_path: "items[*]"\n'))).toMatch(/^jobs\.yml:4:14: map\.json_path: .*must start with "\$"/);
    expect(errorOf(`env:\n  W: lots\n${base('  max_parallel: ${W}\n')}`)).toBe('jobs.yml:6:17: max_parallel: ${W} is "lots", not a positive whole number');
    expect(errorOf(base('  max_parallel: 0\n'))).toBe('jobs.yml:4:17: max_parallel must be a positive whole number');
    expect(errorOf(base('  offset: -1\n'))).toBe('jobs.yml:4:11: map.offset must be a whole number');
    expect(errorOf('mode: mapreduce\nmap:\n  agent_template:\n    - shell: "true"\n')).toBe('jobs.yml:2:1: map: needs an input: (a JSON file or a command)');
    expect(errorOf('mode: mapreduce\nmap:\n  input: a.json\n')).toMatch(/^jobs\.yml:2:1: map: needs an agent_template/);
    expect(errorOf('mode: mapreduce\nsetup: []\n')).toBe('jobs.yml:1:1: a MapReduce workflow needs a map: section');
    expect(errorOf(`${base('')}error_policy:\n  on_item_failure: panic\n`)).toBe('jobs.yml:7:20: on_item_failure must be one of dlq, retry, skip, stop, not "panic"');
    expect(errorOf(`${base('')}error_policy:\n  failure_threshold: 2\n`)).toBe('jobs.yml:7:22: failure_threshold must be a number between 0 and 1');
    expect(errorOf('mode: mapreduce\nmap:\n  input: a.json\n  agent_template:\n    - bash: x\n')).toMatch(/^jobs\.yml:5:7: a step must have 'claude', 'shell'/);
  });

  it('the newcomer demo (workflows/mapreduce-demo.yml) parses without warnings', () => {
    const file = path.join(repoRoot, 'workflows', 'mapreduce-demo.yml');
    const p = parseWorkflow(fs.readFileSync(file, 'utf8'), file);
    if (p.mode !== 'mapreduce') throw new Error('expected a MapReduce workflow');
    const wf = parseMapReduce(p.source, {});
    expect(p.source.warnings).toEqual([]);
    expect(wf.map).toMatchObject({ max_parallel: 5, json_path: '$.files[*]', filter: 'item.id <= 50' });
    expect(wf.error_policy.max_retries).toBe(1);
  });
});
