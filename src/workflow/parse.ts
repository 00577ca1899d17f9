/**
 * A workflow file -> a typed workflow. Pure (text in, data out): reading the file is the caller's job.
 * Everything wrong is refused here, before any session exists, as one `file:line:col: message`.
 */
import path from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import { parseCommandList } from './commands.js';
import type { SequentialWorkflow } from './types.js';
import { asStringMap, asText, entriesOf, type ParseWarning, YamlSource } from './yaml-source.js';

/** Top-level keys Prodigy accepts that a sequential run ignores: warned about, never fatal. */
const TOLERATED_TOP_LEVEL = new Set([
  'secrets', 'profiles', 'merge', 'storage', 'timeout', 'max_iterations', 'iterate', 'args', 'map_patterns',
  'environment', 'error_policy', 'worktree', 'inputs', 'description', 'version',
]);

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

  const wf: SequentialWorkflow = { mode: 'standard', name: defaultWorkflowName(file), env: {}, commands: [] };
  let sawCommands = false;
  for (const e of entries) {
    switch (e.key) {
      case 'mode':
        break;
      case 'name':
        wf.name = asText(src, e.value, 'name');
        break;
      case 'env':
        wf.env = asStringMap(src, e.value, 'env');
        break;
      case 'commands':
        wf.commands = parseCommandList(src, e.value, 'commands');
        sawCommands = true;
        break;
      case 'setup':
      case 'map':
      case 'reduce':
        throw src.error(e.keyNode, `"${e.key}:" belongs to MapReduce workflows: add "mode: mapreduce"`);
      default:
        src.warn(e.keyNode, TOLERATED_TOP_LEVEL.has(e.key) ? `"${e.key}:" is not supported yet and is ignored` : `unknown key "${e.key}" is ignored`);
    }
  }
  if (!sawCommands) throw src.error(root, 'the workflow has no commands: list');
  return { mode: 'standard', workflow: wf, warnings: src.warnings };
}
