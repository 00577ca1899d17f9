/**
 * `prodigy validate <file> [--json]`: parse as `prodigy run` would, print every warning as
 * `file:line:col: key "x" is ignored: why`, exit 0 when the file would run, 2 when it is refused.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { parseMapReduce } from '../mapreduce/parse.js';
import { parseWorkflow } from '../workflow/parse.js';
import { type ParseWarning, WorkflowParseError } from '../workflow/yaml-source.js';
import { EXIT } from './errors.js';

export interface WorkflowCheck {
  file: string;
  valid: boolean;
  mode?: 'standard' | 'mapreduce';
  steps?: number;
  warnings: ParseWarning[];
  error?: string;
}

/** Pure apart from reading the file: the whole verdict on one workflow file. */
export function checkWorkflow(file: string): WorkflowCheck {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { file, valid: false, warnings: [], error: `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}` };
  }
  let warnings: ParseWarning[] = [];
  try {
    const p = parseWorkflow(text, file);
    warnings = p.warnings;
    if (p.mode === 'standard') return { file, valid: true, mode: 'standard', steps: p.workflow.commands.length, warnings };
    const mr = parseMapReduce(p.source);
    const env = mr.environment;
    for (const ref of [mr.map.max_parallel_var, mr.map.agent_timeout_var]) {
      // A name no part of the file can give is only known from --param (or the environment at run time).
      if (!ref || ref.name in mr.env || process.env[ref.name] !== undefined) continue;
      if (env && (ref.name in env.dynamic || ref.name in env.secrets || env.envFiles.length > 0 || Object.values(env.profiles).some((pr) => ref.name in pr))) continue;
      const [line, col] = ref.where.split(':').slice(-2).map(Number);
      p.source.warnings.push({ line: line!, col: col!, message: `${ref.field}: \${${ref.name}} is not defined by this file: the run needs --param ${ref.name}=N or ${ref.name} in its environment` });
    }
    return { file, valid: true, mode: 'mapreduce', steps: mr.setup.length + mr.map.agent_template.length + mr.reduce.length, warnings: p.source.warnings };
  } catch (err) {
    if (err instanceof WorkflowParseError) return { file, valid: false, warnings, error: err.message };
    throw err;
  }
}

function validate(file: string, opts: { json?: boolean }): void {
  const c = checkWorkflow(file);
  if (opts.json) process.stdout.write(`${JSON.stringify(c)}\n`);
  else {
    for (const w of c.warnings) process.stdout.write(`${file}:${w.line}:${w.col}: ${w.message}\n`);
    if (c.valid) process.stdout.write(`${file}: valid ${c.mode} workflow, ${c.steps} step${c.steps === 1 ? '' : 's'}, ${c.warnings.length} warning${c.warnings.length === 1 ? '' : 's'}\n`);
    else process.stderr.write(`prodigy: ${c.error}\n`);
  }
  process.exitCode = c.valid ? EXIT.ok : EXIT.usage;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a workflow file: print every warning (file:line:col), exit 0 when it would run, 2 when refused')
    .argument('<workflow>', 'the workflow YAML file')
    .option('--json', 'one JSON object: {file, valid, mode, steps, warnings, error}')
    .action((file: string, opts: { json?: boolean }) => validate(file, opts));
}
