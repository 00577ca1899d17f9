// `npm start`: the newcomer demo. A scratch PRODIGY_HOME, the example sequential and MapReduce workflows
// started in the background (as detached runs, logs in $PRODIGY_HOME/logs), and the dashboard opened on
// them. Press x to interrupt a run, r to resume it, q to quit; the runs are left to finish on their own.
// They run in a scratch git repository ($PRODIGY_HOME/work), so each run works in a worktree of its own
// and every MapReduce agent commits in its own worktree; the dashboard shows the agents' commits and
// merges, and at the end the runs merge into the scratch repository's main branch (-y).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = path.join(root, 'bin', 'prodigy.js');

// Build only when the bundle is missing or older than the sources (npm install's `prepare` built it), so a
// demo started while other processes run the bundle never rewrites it under them.
function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}
const bundle = path.join(root, 'dist', 'cli.js');
const sources = Math.max(...['src', 'store', 'components'].map((d) => newest(path.join(root, d))));
if (!fs.existsSync(bundle) || fs.statSync(bundle).mtimeMs < sources) {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const home = process.env.PRODIGY_DEMO_HOME ?? fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-demo-'));
const work = path.join(home, 'work');
const logs = path.join(home, 'logs');
fs.mkdirSync(work, { recursive: true });
fs.mkdirSync(logs, { recursive: true });

// The demo's commits carry a demo identity; the user's own git config is not changed.
const gitIdentity = {
  GIT_AUTHOR_NAME: 'Prodigy demo',
  GIT_AUTHOR_EMAIL: 'demo@prodigy.invalid',
  GIT_COMMITTER_NAME: 'Prodigy demo',
  GIT_COMMITTER_EMAIL: 'demo@prodigy.invalid',
};
if (!fs.existsSync(path.join(work, '.git'))) {
  const g = (args) => spawnSync('git', args, { cwd: work, stdio: 'ignore', env: { ...process.env, ...gitIdentity } });
  // Without git the runs simply happen in place (they say so in their logs).
  if (g(['init', '-q', '-b', 'main']).status === 0) {
    fs.writeFileSync(path.join(work, 'README.md'), 'Scratch repository of the prodigy demo: the runs merge their work here.\n');
    g(['add', 'README.md']);
    g(['commit', '-qm', 'demo repository']);
  }
}

const demos = ['workflows/demo.yml', 'workflows/mapreduce-demo.yml'].filter((w) => fs.existsSync(path.join(root, w)));
const runs = demos.map((workflow) => {
  const name = path.basename(workflow, '.yml');
  const log = fs.openSync(path.join(logs, `demo-${name}.log`), 'a');
  const child = spawn(process.execPath, [bin, '--home', home, 'run', path.join(root, workflow), '-y', '--path', work], {
    cwd: work,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...gitIdentity, PRODIGY_HOME: home, PRODIGY_CLAUDE_BIN: path.join(root, 'tests/fixtures/fake-claude.sh') },
  });
  child.unref();
  return { workflow, pid: child.pid };
});

// Give the runs a moment to create their sessions so the first frame already shows them.
const sessionsDir = path.join(home, 'sessions');
for (let i = 0; i < 40; i++) {
  const n = fs.existsSync(sessionsDir) ? fs.readdirSync(sessionsDir).filter((f) => f.endsWith('.json')).length : 0;
  if (n >= runs.length) break;
  await new Promise((r) => setTimeout(r, 50));
}

const tui = spawn(process.execPath, [bin, '--home', home, 'tui'], { stdio: 'inherit', cwd: work, env: { ...process.env, PRODIGY_HOME: home } });
const code = await new Promise((resolve) => tui.on('exit', (c) => resolve(c ?? 0)));
process.stdout.write(
  `\nDemo store: ${home}\n` +
    `Runs started: ${runs.map((r) => `${r.workflow} (pid ${r.pid})`).join(', ') || 'none'}\n` +
    `Look again with: PRODIGY_HOME=${home} npx prodigy tui\n`,
);
process.exit(code);
