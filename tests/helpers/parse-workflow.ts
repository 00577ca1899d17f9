/** Parsing a workflow text in unit tests: the standard result, or the one error line it raises. */
import { expect } from 'vitest';
import { parseWorkflow } from '../../src/workflow/parse.js';
import { WorkflowParseError } from '../../src/workflow/yaml-source.js';

export function std(text: string, file = 'wf.yml') {
  const p = parseWorkflow(text, file);
  if (p.mode !== 'standard') throw new Error('expected a standard workflow');
  return p;
}

export function errorOf(text: string, file = 'wf.yml'): string {
  try {
    parseWorkflow(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowParseError);
    return (err as Error).message;
  }
  throw new Error('expected a parse error');
}
