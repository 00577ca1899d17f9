/**
 * A workflow file -> a typed workflow. Pure (text in, data out): reading the file is the caller's job.
 * Everything wrong is refused here, before any session exists, as one `file:line:col: message`.
 */
import path from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import { parseCommandList } from './commands.js';
import { parseMergeBlock } from './merge-block.js';
import { emptyEnvironment, parseEnv, parseEnvironmentKey } from './parse-env.js';
import type { SequentialWorkflow } from './types.js';
import { asPositiveInt, asText, entriesOf, type ParseWarning, YamlSource } from './yaml-source.js';

/** Top-level keys Prodigy accepts that a sequential run ignores: warned about with the reason, never fatal. */
const TOLERATED_TOP_LEVEL: Record<string, string> = {
  storage: 'sessions always live in the one store under PRODIGY_HOME',
  timeout: 'give timeout: on the steps',
  iterate: 'use max_iterations: or -n',
  args: 'pass --args on the command line',
  map_patterns: 'pass --map on the command line',
  environment: 'use env:, secrets:, env_files: and profiles: at the top level',
  error_policy: 'error_policy: applies to MapReduce workflows',
  worktree: 'every run works in its own worktree already',
  inputs: 'pass --param / --param-file',
  parameters: 'pass --param / --param-file',
  imports: 'workflow composition is not available here',
  extends: 'workflow composition is not available here',
  template: 'workflow composition is not available here',
  description: 'descriptive only',
  version: 'descriptive only',
};

export type ParsedWorkflow =
  | { mode: 'standard'; workflow: SequentialWorkflow; warnings: ParseWarning[] }
  /** MapReduce files are recognised here and handed to their own parser (src/mapreduce). */
  | { mode: 'mapreduce'; source: YamlSource; warnings: ParseWarning[] };

export function defaultWorkflowName(file: string): string {
  return path.basename(file).replace(/\.ya?ml$/i, '') || 'workflow';
}

export function parseWorkflow(text: string, file: string): ParsedWorkflow {
  const src = YamlSource.parse(text, file);
  const root = src.root;
  if (root === null || (isScalar(root) && root.value === null)) throw src.error(root, 'the workflow is empty');
  if (isSeq(root)) {
    const commands = parseCommandList(src, root, 'the workflow');
    return { mode: 'standard', workflow: { mode: 'standard', name: defaultWorkflowName(file), env: {}, commands }, warnings: src.warnings };
  }
  if (!isMap(root)) throw src.error(root, 'a workflow is a list of commands or a mapping with commands:');
  const entries = entriesOf(src, root);
  const mode = entries.find((e) => e.key === 'mode');
  const modeText = mode ? asText(src, mode.value, 'mode') : 'standard';
  if (modeText === 'mapreduce') return { mode: 'mapreduce', source: src, warnings: src.warnings };
  if (modeText !== 'standard') throw src.error(mode!.value, `mode must be standard or mapreduce, not "${modeText}"`);

  const environment = emptyEnvironment();
  const wf: SequentialWorkflow = { mode: 'standard', name: defaultWorkflowName(file), env: {}, commands: [], environment };
  let sawCommands = false;
  for (const e of entries) {
    switch (e.key) {
      case 'mode':
        break;
      case 'name':
        wf.name = asText(src, e.value, 'name');
        break;
      case 'env':
        wf.env = parseEnv(src, e.value, environment);
        break;
      case 'max_iterations':
        wf.maxIterations = asPositiveInt(src, e.value, 'max_iterations');
        break;
      case 'commands':
        wf.commands = parseCommandList(src, e.value, 'commands');
        sawCommands = true;
        break;
      case 'steps':
        // Some of Prodigy's examples list their steps under steps:; its workflows use commands:.
        if (entries.some((x) => x.key === 'commands')) src.warn(e.keyNode, 'key "steps" is ignored: the workflow has commands: already');
        else {
          src.warn(e.keyNode, 'key "steps" is read as commands: (Prodigy workflows list their steps under commands:)');
          wf.commands = parseCommandList(src, e.value, 'steps');
          sawCommands = true;
        }
        break;
      case 'merge':
        wf.merge = parseMergeBlock(src, e.value);
        break;
      case 'setup':
      case 'map':
      case 'reduce':
        throw src.error(e.keyNode, `"${e.key}:" belongs to MapReduce workflows: add "mode: mapreduce"`);
      default:
        if (parseEnvironmentKey(src, e.key, e.value, environment)) break;
        src.warn(e.keyNode, `key "${e.key}" is ignored: ${TOLERATED_TOP_LEVEL[e.key] ?? 'not a Prodigy workflow key'}`);
    }
  }
  if (!sawCommands) {
    // Prodigy's templates/ folder also holds prompt templates and an older stages: format: say what they are.
    const other = entries.find((e) => e.key === 'stages' || e.key === 'template' || e.key === 'system_prompt');
    const why = other ? ` ("${other.key}:" belongs to ${other.key === 'stages' ? 'an older format (stages of typed steps); a workflow lists its steps under commands:' : 'a Prodigy prompt template, not a workflow'})` : '';
    throw src.error(root, `the workflow has no commands: list${why}`);
  }
  return { mode: 'standard', workflow: wf, warnings: src.warnings };
}
