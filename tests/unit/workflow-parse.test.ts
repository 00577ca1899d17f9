import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf, std } from '../helpers/parse-workflow.js';
import { stringify } from 'yaml';
import { parseWorkflow } from '../../src/workflow/parse.js';
import { commandSummary } from '../../src/workflow/types.js';
import { WorkflowParseError } from '../../src/workflow/yaml-source.js';


describe('parseWorkflow', () => {
  it('reads a bare list of commands, named after the file', () => {
    const { workflow } = std('- shell: echo one\n- claude: /review x\n');
    expect(workflow.name).toBe('wf');
    expect(workflow.commands.map((c) => [c.kind, c.text, c.line])).toEqual([
      ['shell', 'echo one', 1],
      ['claude', '/review x', 2],
    ]);
  });

  it('reads the mapping form with name, env and every command field', () => {
    const { workflow, warnings } = std(`name: build
env:
  TARGET: release
  N: 3
commands:
  - shell: "make \${TARGET}"
    id: build
    timeout: 600
    capture_output: count
    capture_format: number
    commit_required: true
    when: "\${N} > 1"
    output_file: out.txt
    on_success:
      shell: echo ok
    on_failure:
      claude: "/fix \${shell.output}"
      max_retries: 3
      fail_workflow: false
  - shell: ls
    capture_output: true
`);
    expect(warnings).toEqual([]);
    expect(workflow.name).toBe('build');
    expect(workflow.env).toEqual({ TARGET: 'release', N: '3' });
    const [c, d] = workflow.commands;
    expect(c).toMatchObject({
      kind: 'shell', text: 'make ${TARGET}', id: 'build', timeout: 600, capture: 'count', captureFormat: 'number',
      commitRequired: true, when: '${N} > 1', outputFile: 'out.txt', line: 6,
    });
    expect(c!.onSuccess).toMatchObject({ kind: 'shell', text: 'echo ok' });
    expect(c!.onFailure).toMatchObject({ maxAttempts: 3, retryOriginal: true, failWorkflow: false });
    expect(c!.onFailure!.commands[0]).toMatchObject({ kind: 'claude', text: '/fix ${shell.output}' });
    expect(d!.capture).toBe('output');
  });

  it("defaults on_failure as Prodigy does: one round, no retry, and a handler means the workflow does not fail", () => {
    const { workflow } = std('- shell: "false"\n  on_failure:\n    shell: echo handled\n');
    expect(workflow.commands[0]!.onFailure).toMatchObject({ maxAttempts: 1, retryOriginal: false, failWorkflow: false, handlerFailureFatal: false });
  });

  it('accepts an on_failure list of commands', () => {
    const { workflow } = std('- shell: "false"\n  on_failure:\n    commands:\n      - shell: a\n      - shell: b\n    max_attempts: 2\n');
    expect(workflow.commands[0]!.onFailure!.commands.map((c) => c.text)).toEqual(['a', 'b']);
  });

  it('names line and column of a YAML syntax error', () => {
    expect(errorOf('commands:\n  - shell: "unterminated\n')).toMatch(/^wf\.yml:\d+:\d+: Missing closing "quote$/);
    expect(errorOf('name: x\nname: y\ncommands:\n  - shell: a\n')).toBe('wf.yml:2:1: Map keys must be unique');
    expect(errorOf('name: x\ncommands:\n  - shell: a\n\t- shell: b\n')).toBe('wf.yml:4:1: Tabs are not allowed as indentation');
  });

  it('refuses an unknown command form at its key', () => {
    expect(errorOf('commands:\n  - shell: ok\n  - bash: "echo no"\n')).toBe("wf.yml:3:5: a step must have 'claude', 'shell', 'analyze', 'foreach', 'write_file' or 'validate' (found \"bash\")");
  });

  it('refuses goal_seek with what replaces it, and internal handler steps', () => {
    expect(errorOf('- goal_seek: {goal: x}\n')).toBe('wf.yml:1:3: key "goal_seek" is refused: goal_seek was removed from Prodigy; validate: with on_incomplete: replaces it');
    expect(errorOf('- handler: {name: x}\n')).toMatch(/^wf\.yml:1:3: key "handler" is refused/);
  });

  it('refuses a command with both shell and claude; a plain string command is Prodigy\'s legacy Claude command, warned', () => {
    expect(errorOf('- shell: a\n  claude: b\n')).toBe('wf.yml:2:3: a step has one kind: "shell:" and "claude:" cannot be combined');
    const legacy = std('- echo hi\n');
    expect(legacy.workflow.commands[0]).toMatchObject({ kind: 'claude', text: '/echo hi' });
    expect(legacy.warnings.map((w) => w.message)).toEqual(['legacy command form: it runs as claude: "/echo hi" (as in Prodigy); write claude: or shell: to say which']);
    // Elsewhere (on_success, foreach do, ...) a string is still not a command.
    expect(errorOf('- shell: a\n  on_success: [x]\n')).toMatch(/^wf\.yml:2:15: a command must be a mapping/);
  });

  it('refuses bad field values with their position', () => {
    expect(errorOf('- shell: a\n  timeout: soon\n')).toBe('wf.yml:2:12: timeout must be a positive whole number');
    expect(errorOf('- shell: a\n  capture_format: xml\n')).toMatch(/^wf\.yml:2:19: capture_format must be one of/);
    expect(errorOf('- shell: a\n  commit_required: yes please\n')).toBe('wf.yml:2:20: commit_required must be true or false');
  });

  it('refuses empty files, empty lists and missing commands', () => {
    expect(errorOf('')).toBe('wf.yml:1:1: the workflow is empty');
    expect(errorOf('commands: []\n')).toBe('wf.yml:1:11: commands is empty');
    expect(errorOf('name: x\n')).toBe('wf.yml:1:1: the workflow has no commands: list');
    expect(errorOf('name: x\nsetup:\n  - shell: a\n')).toMatch(/^wf\.yml:2:1: "setup:" belongs to MapReduce workflows/);
  });

  it('warns about (but accepts) unknown top-level keys and command fields', () => {
    const { warnings } = std('name: x\nstorage: {}\nfoo: 1\ncommands:\n  - shell: a\n    timout: 5\n');
    expect(warnings).toEqual([
      { line: 2, col: 1, message: 'key "storage" is ignored: sessions always live in the one store under PRODIGY_HOME' },
      { line: 3, col: 1, message: 'key "foo" is ignored: not a Prodigy workflow key' },
      { line: 6, col: 5, message: 'key "timout" is ignored: not a Prodigy step field' },
    ]);
  });

  it('recognises MapReduce workflows without parsing them as sequential', () => {
    expect(parseWorkflow('name: m\nmode: mapreduce\nmap:\n  input: x.json\n', 'm.yml').mode).toBe('mapreduce');
  });

  it('summarises a command on one line', () => {
    expect(commandSummary({ kind: 'shell', text: 'make  all\n  make test\n\n' })).toBe('shell: make all; make test');
    expect(commandSummary({ kind: 'claude', text: 'x'.repeat(200) }, 20)).toHaveLength(20);
  });
});

describe('parseWorkflow (properties)', () => {
  const command = fc.record({
    kind: fc.constantFrom('shell' as const, 'claude' as const),
    text: fc.string({ minLength: 1, maxLength: 30 }),
    timeout: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
    capture: fc.option(fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/), { nil: undefined }),
  });

  it('reads back any list of commands written as YAML, in order, with their lines', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 8 }), fc.string({ maxLength: 12 }), (cmds, name) => {
        const doc = {
          name,
          commands: cmds.map((c) => ({
            [c.kind]: c.text,
            ...(c.timeout !== undefined ? { timeout: c.timeout } : {}),
            ...(c.capture !== undefined ? { capture_output: c.capture } : {}),
          })),
        };
        const { workflow } = std(stringify(doc));
        expect(workflow.name).toBe(name);
        expect(workflow.commands.map((c) => [c.kind, c.text, c.timeout, c.capture])).toEqual(cmds.map((c) => [c.kind, c.text, c.timeout, c.capture]));
        const lines = workflow.commands.map((c) => c.line);
        expect([...lines].sort((a, b) => a - b)).toEqual(lines);
      }),
    );
  });

  it('never throws anything but a positioned WorkflowParseError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseWorkflow(text, 'wf.yml');
        } catch (err) {
          expect(err).toBeInstanceOf(WorkflowParseError);
          expect((err as Error).message).toMatch(/^wf\.yml:\d+:\d+: \S/);
          expect((err as Error).message).not.toContain('\n');
        }
      }),
    );
  });
});
