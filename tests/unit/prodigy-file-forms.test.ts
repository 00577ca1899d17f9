/**
 * The forms Prodigy's own workflow files use (its workflows/, examples/, templates/), written here in
 * short: each either parses with exactly the warnings a user should see, or is refused naming the key.
 */
import { describe, expect, it } from 'vitest';
import { parseMapReduce, resolveNumberRef } from '../../src/mapreduce/parse.js';
import { parseWorkflow } from '../../src/workflow/parse.js';
import { errorOf, std } from '../helpers/parse-workflow.js';

const messages = (text: string) => std(text).warnings.map((w) => `${w.line}:${w.col}: ${w.message}`);

function mr(text: string, env: NodeJS.ProcessEnv = {}) {
  const p = parseWorkflow(text, 'wf.yml');
  if (p.mode !== 'mapreduce') throw new Error('expected a MapReduce workflow');
  const wf = parseMapReduce(p.source, env);
  return { wf, warnings: p.source.warnings.map((w) => `${w.line}:${w.col}: ${w.message}`) };
}

describe("forms from Prodigy's own workflow files", () => {
  it('environment-example: name: labels steps; dynamic/conditional env, secrets, env_files, profiles, step env keys read without warnings', () => {
    const p = std(`env:
  WORKERS: {command: "nproc", cache: true}
  DEPLOY_ENV: {condition: "\${branch} == 'main'", when_true: production, when_false: staging}
secrets:
  API_KEY: "\${env:SECRET_API_KEY}"
env_files: [.env.production]
profiles:
  development: {NODE_ENV: development}
commands:
  - name: "Show environment"
    shell: "echo $WORKERS"
    capture_output: true
  - name: "Run tests"
    shell: "true"
    env: {TEST_ENV: "true"}
    working_dir: ./backend
    temporary: true
  - name: "Cleanup"
    shell: "true"
    clear_env: true
`);
    expect(p.warnings).toEqual([]);
    expect(p.workflow.commands.map((c) => c.name)).toEqual(['Show environment', 'Run tests', 'Cleanup']);
  });

  it('steps: (test-sensitive-masking) is read as commands: with a warning; prompt templates and stages: files are refused saying what they are', () => {
    expect(messages('name: t\nsteps:\n  - name: a\n    shell: "true"\n')).toEqual(['2:1: key "steps" is read as commands: (Prodigy workflows list their steps under commands:)']);
    expect(errorOf('name: implement-feature\nsystem_prompt: x\ntemplate: y\n')).toBe('wf.yml:1:1: the workflow has no commands: list ("system_prompt:" belongs to a Prodigy prompt template, not a workflow)');
    expect(errorOf('name: q\nstages:\n  - name: init\n')).toMatch(/^wf\.yml:1:1: the workflow has no commands: list \("stages:" belongs to an older format/);
  });

  it('goal_seek (goal-seeking-examples, implement-goal) is refused naming the replacement', () => {
    expect(errorOf('- name: "x"\n  goal_seek:\n    goal: g\n    claude: "/c"\n    validate: "echo score: 100"\n')).toBe(
      'wf.yml:2:3: key "goal_seek" is refused: goal_seek was removed from Prodigy; validate: with on_incomplete: replaces it',
    );
  });

  it('capture-conditional-flow: allow_failure tolerates the failure; a | placeholder form is named with the :- spelling', () => {
    const p = std(`commands:
  - shell: "false"
    capture: tests_passed
    allow_failure: true
  - shell: "echo \${build_output.success|default:false} \${summary|length:100}"
`);
    expect(p.workflow.commands[0]!.onFailure).toMatchObject({ commands: [], failWorkflow: false });
    expect(p.warnings.map((w) => w.message)).toEqual([
      '"${build_output.success|default:false}" is not a Prodigy variable form: it stays as text (a shell may reject it); write ${build_output.success:-false}',
      '"${summary|length:100}" is not a Prodigy variable form: it stays as text (a shell may reject it)',
    ]);
  });

  it("Prodigy's git-context variables, and ${merge.*} outside the merge: block, are named once per step before anything runs", () => {
    const p = std(`commands:
  - shell: "echo \${step.files_added:json} \${step.files_added:json} \${workflow.commit_count} \${step.name} \${merge.source_branch}"
merge:
  - shell: "echo \${merge.source_branch}"
    on_failure:
      shell: "echo \${merge.target_branch}"
`);
    expect(p.warnings.map((w) => `${w.line}:${w.col}: ${w.message}`)).toEqual([
      '2:12: "${step.files_added:json}" is not provided here (Prodigy\'s git-context variables are not tracked): it stays as text, and --strict fails the step',
      '2:12: "${workflow.commit_count}" is not provided here (Prodigy\'s git-context variables are not tracked): it stays as text, and --strict fails the step',
      '2:12: "${merge.source_branch}" is known only in the workflow\'s merge: block: here it stays as text, and --strict fails the step',
    ]);
  });

  it('debtmap: validate with both shell: and claude: runs both, in file order; implement: merge: list and on_failure forms parse clean', () => {
    const p = std(`- claude: "/prodigy-debtmap"
  commit_required: true
  validate:
    shell: "debtmap analyze --output after.json"
    claude: "/validate --output v.json"
    result_file: v.json
    threshold: 75
    on_incomplete:
      claude: "/complete --gaps \${validation.gaps}"
      max_attempts: 5
      fail_workflow: true
      commit_required: true
- shell: "just test"
  on_failure:
    claude: "/debug \${shell.output}"
    max_attempts: 5
    fail_workflow: false
`);
    expect(p.warnings).toEqual([]);
    expect(p.workflow.commands[0]!.validate!.commands.map((c) => `${c.kind}: ${c.text}`)).toEqual(['shell: debtmap analyze --output after.json', 'claude: /validate --output v.json']);
    expect(p.workflow.commands[0]!.validate!.threshold).toBe(75);
  });

  it('MapReduce files: timeout_per_agent / retry_on_failure name the fields that do it; error_collection is named; agent_timeout_secs and max_parallel take ${VAR}', () => {
    const { wf, warnings } = mr(`mode: mapreduce
env:
  MAX_PARALLEL: "3"
map:
  input: items.json
  agent_template:
    commands:
      - shell: "true"
  max_parallel: \${MAX_PARALLEL}
  agent_timeout_secs: \${AGENT_TIMEOUT}
  timeout_per_agent: 600s
  retry_on_failure: 1
error_policy:
  on_item_failure: dlq
  error_collection: aggregate
`);
    expect(warnings).toEqual([
      '15:3: key "error_collection" is ignored: each failure is reported as it happens (terminal, events, its DLQ entry)',
      '11:3: key "map.timeout_per_agent" is ignored: not a Prodigy map field; agent_timeout_secs sets the per-agent timeout',
      '12:3: key "map.retry_on_failure" is ignored: not a Prodigy map field; error_policy.max_retries (or retry_config.max_attempts) sets the retries',
    ]);
    expect(wf.map.max_parallel).toBe(3);
    expect(wf.map.agent_timeout_secs).toBeUndefined();
    expect(resolveNumberRef(wf.map.agent_timeout_var!, { AGENT_TIMEOUT: '600' }, {})).toBe(600);
    expect(mr('mode: mapreduce\nmap:\n  input: a.json\n  agent_timeout_secs: $T\n  agent_template:\n    - shell: "true"\n', { T: '45' }).wf.map.agent_timeout_secs).toBe(45);
  });

  it('mapreduce-env-example and mkdocs-drift: secrets providers, profiles with description, an interpolated input path, merge.commands: no warnings', () => {
    const { warnings } = mr(`name: m
mode: mapreduce
env:
  ANALYSIS_DIR: ".prodigy/a"
secrets:
  API_TOKEN: {provider: env, key: GITHUB_TOKEN}
profiles:
  development: {description: "dev", DEBUG_MODE: "true"}
map:
  input: "\${ANALYSIS_DIR}/items.json"
  json_path: "$[*]"
  agent_template:
    - claude: "/fix --json '\${item}'"
      commit_required: true
      validate:
        claude: "/check --json '\${item}' --output r.json"
        result_file: r.json
        on_incomplete:
          claude: "/complete --gaps \${validation.gaps}"
          max_attempts: 3
          fail_workflow: false
    - shell: "timeout 300s ./process.sh"
      on_failure:
        - claude: "/fix-issue '\${item.name}'"
merge:
  commands:
    - shell: "git fetch origin"
    - claude: "/prodigy-merge-worktree \${merge.source_branch}"
`);
    expect(warnings).toEqual([]);
  });

  it('legacy command forms (custom_workflow, mixed-focus-workflow) run as Claude commands, said once each', () => {
    const p = std(`commands:
  - mmm-code-review
  - /mmm-implement-spec $ARG
  - name: mmm-review
    focus: architecture
  - name: mmm-lint
    args: ["$ARG"]
    options: {fix: true, level: 2, dry: false}
    metadata: {timeout: 30, continue_on_error: true, retries: 2}
`);
    expect(p.workflow.commands.map((c) => `${c.kind}: ${c.text}`)).toEqual(['claude: /mmm-code-review', 'claude: /mmm-implement-spec $ARG', 'claude: /mmm-review --focus architecture', 'claude: /mmm-lint $ARG --fix --level 2']);
    expect(p.workflow.commands[3]).toMatchObject({ timeout: 30, onFailure: { failWorkflow: false } });
    expect(p.warnings.map((w) => w.message)).toEqual([
      'legacy command form: it runs as claude: "/mmm-code-review" (as in Prodigy); write claude: or shell: to say which',
      'legacy command form: it runs as claude: "/mmm-implement-spec $ARG" (as in Prodigy); write claude: or shell: to say which',
      'legacy command form: it runs as claude: "/mmm-review --focus architecture" (as in Prodigy); write claude: or shell: to say which',
      'key "metadata.retries" is ignored: give the step retry: {attempts: N}',
      'legacy command form: it runs as claude: "/mmm-lint $ARG --fix --level 2" (as in Prodigy); write claude: or shell: to say which',
    ]);
  });

  it('documentation-maintain and product-enhancement: step description: is a note; output:, fail_workflow:, options:, args:, metadata: beside a kind name what to write', () => {
    expect(messages(`- shell: "true"
  description: "Save baseline"
  output: x.txt
  fail_workflow: false
- claude: "/enhance"
  options: {area: cli}
  args: ["$SPEC_ID"]
  metadata: {continue_on_error: true}
`)).toEqual([
      '3:3: key "output" is ignored: not a Prodigy step field; output_file: writes the output to a file, capture: names it',
      '4:3: key "fail_workflow" is ignored: not a step field; it belongs under on_failure: (or validate.on_incomplete:)',
      '6:3: key "options" is ignored: Prodigy\'s older structured command form; put the arguments in the command text',
      '7:3: key "args" is ignored: Prodigy\'s older structured command form; put the arguments in the command text',
      '8:3: key "metadata" is ignored: Prodigy\'s older structured command form (its continue_on_error: use on_failure: true)',
    ]);
  });
});
