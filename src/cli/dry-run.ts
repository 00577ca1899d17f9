/**
 * `prodigy run --dry-run`: the plan, with nothing run and no session made — the steps in order (with
 * iteration and $ARG), the variables known (secrets as ***), and for MapReduce the items the map would
 * take when its input is a file (a command input is not run in a dry run).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseMapReduce } from '../mapreduce/parse.js';
import { selectItems } from '../mapreduce/select.js';
import type { JsonValue } from '../session/types.js';
import { commandSummary, type WorkflowCommand } from '../workflow/types.js';
import { WorkflowParseError } from '../workflow/yaml-source.js';
import { CliError, EXIT } from './errors.js';
import { prepareRun, type RunOptionsRecord } from './run-plan.js';
import type { LoadedWorkflow } from './workflow-shared.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

function steps(title: string, cs: WorkflowCommand[]): void {
  out(`${title}:`);
  cs.forEach((c, i) => out(`  ${i + 1}. ${commandSummary(c)}${c.iteration !== undefined ? `  [iteration ${c.iteration}]` : ''}${c.arg !== undefined ? `  [ARG=${c.arg}]` : ''}`));
}

export function printPlan(loaded: LoadedWorkflow, rec: RunOptionsRecord, cwd: string): number {
  out(`Dry run of ${loaded.file} (nothing is run, no session is created)`);
  if (loaded.parsed.mode === 'standard') {
    const p = prepareRun(loaded.parsed.workflow, rec, cwd);
    steps(`Steps (${p.workflow.commands.length})`, p.workflow.commands);
    out('Variables:');
    for (const [k, v] of Object.entries(p.workflow.env)) out(`  ${k}=${p.mask(v)}`);
    return EXIT.ok;
  }
  let wf;
  try {
    wf = parseMapReduce(loaded.parsed.source);
  } catch (err) {
    if (err instanceof WorkflowParseError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  if (wf.setup.length) steps('Setup', wf.setup);
  out(`Map: input ${wf.map.input.kind} ${wf.map.input.value}, max_parallel ${wf.map.max_parallel}`);
  const file = path.resolve(cwd, wf.map.input.value);
  if (wf.map.input.kind === 'file' && fs.existsSync(file)) {
    try {
      const items = selectItems(JSON.parse(fs.readFileSync(file, 'utf8')) as JsonValue, wf.map);
      out(`  items selected: ${items.length}`);
      for (const it of items.slice(0, 20)) out(`    ${JSON.stringify(it).slice(0, 100)}`);
      if (items.length > 20) out(`    … and ${items.length - 20} more`);
    } catch (err) {
      out(`  items: cannot be read now: ${(err as Error).message}`);
    }
  } else out(`  items: decided when the run starts (${wf.map.input.kind === 'file' ? 'the file does not exist yet' : 'a command is not run in a dry run'})`);
  steps('  Agent template', wf.map.agent_template);
  if (wf.reduce.length) steps('Reduce', wf.reduce);
  out('Variables:');
  for (const [k, v] of Object.entries(wf.env)) out(`  ${k}=${v}`);
  return EXIT.ok;
}
