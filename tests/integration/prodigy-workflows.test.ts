/**
 * Workflows shaped like the ones Prodigy ships (workflows/environment-example, complex-build-pipeline,
 * custom-analyzer, mapreduce-env-example, mapreduce-command-input), run unchanged to Completed. The
 * commands are stand-ins (echo instead of cargo), the keys and forms are Prodigy's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { allTextUnder, fakeClaude, lines, onlySession, workspace } from './workflow-helpers.js';

function run(yaml: string, flags: string[] = [], env: NodeJS.ProcessEnv = {}, prepare?: (dir: string) => void) {
  const home = tempHome();
  const ws = workspace(yaml);
  prepare?.(ws.dir);
  const r = prodigy(['run', ws.file, '--path', ws.dir, ...flags], { home, cwd: ws.dir, env: { PRODIGY_CLAUDE_BIN: fakeClaude, ...env } });
  return { ...r, home, ...ws, read: (f: string) => fs.readFileSync(path.join(ws.dir, f), 'utf8') };
}

describe("Prodigy's own workflow shapes run unchanged", () => {
  it('environment-example: dynamic and conditional env, secrets, env_files, a profile, named steps with env/working_dir/temporary/clear_env', () => {
    const secret = 'prodigy-example-secret-81';
    const r = run(
      `env:
  NODE_ENV: production
  WORKERS:
    command: "echo 4"
    cache: true
  DEPLOY_ENV:
    condition: "\${branch} == 'main'"
    when_true: "production"
    when_false: "staging"
secrets:
  API_KEY: "\${env:SECRET_API_KEY}"
env_files:
  - .env.production
profiles:
  development:
    NODE_ENV: development
commands:
  - name: "Show environment"
    shell: "echo \${step.name}: NODE_ENV=$NODE_ENV WORKERS=$WORKERS FROM_FILE=$FROM_FILE > show.txt"
    capture_output: true
  - name: "Build frontend"
    shell: "echo $BUILD_TARGET $API_KEY > built.txt"
    env:
      BUILD_TARGET: production
    working_dir: ./frontend
  - name: "Run tests"
    shell: "echo $TEST_ENV > tested.txt"
    env:
      TEST_ENV: "true"
    working_dir: ./backend
    temporary: true
  - name: "Deploy application"
    shell: "echo $DEPLOY_ENV > ../deployed.txt"
    working_dir: "\${env.DEPLOY_DIR}"
  - name: "Cleanup"
    shell: "echo [$HOME] $CLEANUP_MODE > cleaned.txt"
    clear_env: true
    env:
      CLEANUP_MODE: "full"
`,
      ['--profile', 'development'],
      { SECRET_API_KEY: secret, DEPLOY_DIR: 'deploy' },
      (dir) => {
        for (const d of ['frontend', 'backend', 'deploy']) fs.mkdirSync(path.join(dir, d));
        fs.writeFileSync(path.join(dir, '.env.production'), 'FROM_FILE=yes\n');
      },
    );
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).not.toContain('warning');
    expect(r.read('show.txt')).toBe('Show environment: NODE_ENV=development WORKERS=4 FROM_FILE=yes\n');
    expect(r.read('frontend/built.txt')).toBe(`production ${secret}\n`);
    expect(r.read('backend/tested.txt')).toBe('true\n');
    expect(r.read('deployed.txt')).toBe('staging\n');
    expect(r.read('cleaned.txt')).toBe('[] full\n');
    expect(allTextUnder(r.home)).not.toContain(secret);
  });

  it('complex-build-pipeline and custom-analyzer: nested on_success, a capture read by its on_failure handler, on_exit_code 0, outputs file_pattern', () => {
    const r = run(`- shell: "true"
  on_success:
    shell: "echo built > built.txt"
    on_success:
      shell: "echo tested > tested.txt"
      on_failure:
        claude: "/debug-and-fix '\${shell.output}'"
- shell: "echo warning-x; exit 1"
  capture_output: "clippy_warnings"
  on_failure:
    shell: "echo fixing '\${clippy_warnings}' > clippy.txt"
- shell: "echo bench"
  timeout: 600
  capture_output: "benchmark_results"
  on_exit_code:
    0:
      shell: "echo 'done \${benchmark_results}' > bench.txt"
    101:
      claude: "/fix-compilation-errors '\${benchmark_results}'"
- shell: "mkdir -p analysis && echo spec > analysis/a.md"
  id: analyze
  outputs:
    spec:
      file_pattern: "analysis/*.md"
- shell: "echo \${analyze.spec} > spec.txt"
`);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(['built.txt', 'tested.txt', 'clippy.txt', 'bench.txt', 'spec.txt'].map((f) => r.read(f).trim())).toEqual(['built', 'tested', 'fixing warning-x', 'done bench', 'analysis/a.md']);
    expect(onlySession(r.home).status).toBe('Completed');
  });

  it('mapreduce-env-example and mapreduce-command-input: env in every phase, a secrets provider, a profile, command input, timeout_per_agent warned', () => {
    const token = 'ghp-example-token-4410';
    const r = run(
      `name: mapreduce-env-example
mode: mapreduce
env:
  PROJECT_NAME: "example-project"
  OUTPUT_DIR: "output"
  TIMEOUT_SECONDS: "300"
secrets:
  API_TOKEN:
    provider: env
    key: "GITHUB_TOKEN"
profiles:
  development:
    description: "Development environment with debug enabled"
    OUTPUT_DIR: "dev-output"
setup:
  - shell: "mkdir -p $OUTPUT_DIR"
  - shell: "echo '{\\"items\\": [{\\"name\\": \\"item1\\"}, {\\"name\\": \\"item2\\"}]}' > items.json"
map:
  input: "items.json"
  json_path: "$.items[*]"
  agent_template:
    - claude: "/process-item '\${item.name}' --project $PROJECT_NAME"
    - shell: "echo \${item.name} $PROJECT_NAME $TIMEOUT_SECONDS $API_TOKEN >> \${OUTPUT_DIR}/seen.txt"
  max_parallel: 5
  timeout_per_agent: 30
reduce:
  - claude: "/summarize \${map.results} --project $PROJECT_NAME"
  - shell: "echo Processed \${map.successful}/\${map.total} items > \${OUTPUT_DIR}/summary.txt"
`,
      ['--profile', 'development'],
      { GITHUB_TOKEN: token },
    );
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toContain('key "map.timeout_per_agent" is ignored: not a Prodigy map field; agent_timeout_secs sets the per-agent timeout');
    expect(lines(path.join(r.dir, 'dev-output', 'seen.txt')).sort()).toEqual([`item1 example-project 300 ${token}`, `item2 example-project 300 ${token}`]);
    expect(r.read('dev-output/summary.txt')).toBe('Processed 2/2 items\n');
    expect(allTextUnder(r.home)).not.toContain(token);

    const c = run(`name: analyze-files
mode: mapreduce
setup:
  - shell: "mkdir -p src && echo a > src/one.rs && echo b > src/two.rs"
map:
  input: "find . -name '*.rs' -type f | sort"
  agent_template:
    commands:
      - shell: echo "Analyzing \${item}" >> analyzed.txt
  max_parallel: 5
reduce:
  commands:
    - shell: echo "done \${map.total}" > reduced.txt
`);
    expect(c.code, c.stderr + c.stdout).toBe(0);
    expect(lines(path.join(c.dir, 'analyzed.txt')).sort()).toEqual(['Analyzing ./src/one.rs', 'Analyzing ./src/two.rs']);
    expect(c.read('reduced.txt')).toBe('done 2\n');
  });

  it('custom_workflow / mixed-focus-workflow (legacy command forms) run as Claude commands', () => {
    const home = tempHome();
    const ws = workspace('commands:\n  - mmm-code-review\n  - name: mmm-lint\n    focus: style\n');
    const log = path.join(ws.dir, 'claude.log');
    const r = prodigy(['run', ws.file, '--path', ws.dir], { home, cwd: ws.dir, env: { PRODIGY_CLAUDE_BIN: fakeClaude, FAKE_CLAUDE_LOG: log } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(lines(log)).toEqual(['/mmm-code-review', '/mmm-lint --focus style']);
    expect(r.stderr).toContain('legacy command form: it runs as claude: "/mmm-code-review"');
  });
});
