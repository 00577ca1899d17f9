import { describe, expect, it } from 'vitest';
import { outputNeeded } from '../../src/workflow/executor.js';
import { parseWorkflow } from '../../src/workflow/parse.js';

const steps = (yaml: string) => {
  const p = parseWorkflow(`name: t\ncommands:\n${yaml}`, 'wf.yml');
  if (p.mode !== 'standard') throw new Error('sequential expected');
  return p.workflow.commands;
};

describe('which recorded steps keep a copy of their output (executor outputNeeded)', () => {
  it('a plain step nobody reads records its status only; a capture, a handler or a later reference keeps the copy', () => {
    const c = steps(`  - shell: "echo a"
  - shell: "echo b"
    capture_output: b
  - shell: "echo c"
  - shell: "echo d"
    id: dee
  - shell: "echo \${shell.output} \${step_2_output}"
  - shell: "echo \${dee.result}"
  - shell: "echo last"
`);
    expect(c.map((_, i) => outputNeeded(c, i))).toEqual([true, true, true, true, false, false, false]);
    const plain = steps('  - shell: "echo a"\n  - shell: "echo b"\n  - shell: "echo c"\n');
    expect(plain.map((_, i) => outputNeeded(plain, i))).toEqual([false, false, false]);
    const handler = steps('  - shell: "echo a"\n    on_failure:\n      shell: "echo fix"\n  - shell: "echo b"\n');
    expect(handler.map((_, i) => outputNeeded(handler, i))).toEqual([true, false]);
  });
});
