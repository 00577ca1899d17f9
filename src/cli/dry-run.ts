/**
 * `prodigy run --dry-run`: the plan, with nothing run and no session made — the steps in order (with
 * iteration and $ARG), the variables known (secrets as ***), and for MapReduce the items the map would
 * take (a command input is run to list them: the one command a dry run runs, besides dynamic env).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { inputSource, inputValue } from '../mapreduce/map-input.js';
import type { MapReduceWorkflow } from '../mapreduce/workflow.js';
import { interpolateIn, type Scope } from '../workflow/interpolate.js';
import { selectItems } from '../mapreduce/select.js';
import type { JsonValue } from '../session/types.js';
import { commandSummary, type WorkflowCommand } from '../workflow/types.js';
import { EXIT } from './errors.js';
import { parsedMapReduce } from './mapreduce-run.js';
import { prepareMapReduce, prepareRun, type RunOptionsRecord } from './run-plan.js';
import type { LoadedWorkflow } from './workflow-shared.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

function steps(title: string, cs: WorkflowCommand[]): void {
  out(`${title}:`);
  cs.forEach((c, i) => out(`  ${i + 1}. ${commandSummary(c)}${c.iteration !== undefined ? `  [iteration ${c.iteration}]` : ''}${c.arg !== undefined ? `  [ARG=${c.arg}]` : ''}`));
}

export function printPlan(loaded: LoadedWorkflow, rec: RunOptionsRecord, cwd: string): number {
  out(`Dry run of ${loaded.file} (no step is run, no session is created)`);
  if (loaded.parsed.mode === 'standard') {
    const p = prepareRun(loaded.parsed.workflow, rec, cwd);
    steps(`Steps (${p.workflow.commands.length})`, p.workflow.commands);
    out('Variables:');
    for (const [k, v] of Object.entries(p.workflow.env)) out(`  ${k}=${p.mask(v)}`);
    return EXIT.ok;
  }
  const job = prepareMapReduce(parsedMapReduce(loaded), rec, cwd);
  const wf = job.workflow;
  if (wf.setup.length) steps('Setup', wf.setup);
  const oneLine = (t: string) => t.replace(/\r?\n/g, '\\n');
  out(`Map: input ${oneLine(job.mask(wf.map.input.value))}, max_parallel ${wf.map.max_parallel}`);
  const listed = listItems(wf, cwd);
  if ('items' in listed) {
    out(`  items selected: ${listed.items.length}${listed.ran ? ` (listed by running map.input's command: ${oneLine(job.mask(listed.ran))})` : ''}`);
    for (const it of listed.items.slice(0, 20)) out(`    ${job.mask(JSON.stringify(it)).slice(0, 100)}`);
    if (listed.items.length > 20) out(`    … and ${listed.items.length - 20} more`);
  } else out(`  items: ${job.mask(listed.unknown)}`);
  steps('  Agent template', wf.map.agent_template);
  if (wf.reduce.length) steps('Reduce', wf.reduce);
  out('Variables:');
  for (const [k, v] of Object.entries(wf.env)) out(`  ${k}=${job.mask(v)}`);
  return EXIT.ok;
}

/**
 * The items the map would take. A file input is read; a command input is run (the one thing a dry run
 * runs: it only lists, as Prodigy's input commands do), in the working directory with the run's
 * variables. When setup has not run yet the input may not be there: said so, not an error.
 */
function listItems(wf: MapReduceWorkflow, cwd: string): { items: JsonValue[]; ran?: string } | { unknown: string } {
  const scope: Scope = { variables: {}, outputs: {}, env: wf.env, processEnv: process.env, workflowName: wf.name };
  const value = interpolateIn(wf.map.input.value, scope);
  const source = inputSource(value, cwd);
  const later = wf.setup.length ? ' (setup, which a dry run does not run, may make it)' : '';
  let text: string;
  if (source.kind === 'file') {
    if (!fs.existsSync(source.path)) return { unknown: `decided when the run starts: ${source.path} does not exist yet${later}` };
    text = fs.readFileSync(source.path, 'utf8');
  } else {
    const r = spawnSync('sh', ['-c', source.command], { cwd, env: { ...process.env, ...wf.env }, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    if (r.error || r.status !== 0) return { unknown: `decided when the run starts: map.input's command "${source.command}" failed${r.status !== null ? ` (exit ${r.status})` : ''}${later}` };
    text = r.stdout;
  }
  try {
    const items = selectItems(inputValue(text, source.kind === 'command', source.kind === 'file' ? source.path : `command "${source.command}"`), wf.map);
    return source.kind === 'command' ? { items, ran: source.command } : { items };
  } catch (err) {
    return { unknown: `cannot be read now: ${(err as Error).message}` };
  }
}
