/** Variables that reach the world (`${file:}`, `${cmd:}`, `${last.*}`, `${workflow.id}`), run for real. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { fakeClaude, onlySession, workspace } from './workflow-helpers.js';

function run(yaml: string) {
  const home = tempHome();
  const ws = workspace(yaml);
  const r = prodigy(['run', ws.file, '--path', ws.dir], { home, cwd: ws.dir, env: { PRODIGY_CLAUDE_BIN: fakeClaude } });
  return { ...r, home, ...ws };
}

describe('computed variables', () => {
  it('${file:} and ${cmd:} read and run inside the working directory; ${last.*}, ${workflow.id}, ${step.index} resolve', () => {
    const r = run(`commands:
  - shell: "printf 'v1' > version.txt; exit 0"
  - shell: "echo '\${file:version.txt}|\${cmd:pwd}|\${last.exit_code}|\${step.index}|\${workflow.id}' > out"
  - shell: "echo '\${date:%Y}' '\${uuid}' > stamp"
`);
    expect(r.code, r.stderr).toBe(0);
    const [file, cwd, exit, index, id] = fs.readFileSync(path.join(r.dir, 'out'), 'utf8').trim().split('|');
    expect(file).toBe('v1');
    expect(fs.realpathSync(cwd!)).toBe(fs.realpathSync(r.dir));
    expect(exit).toBe('0');
    expect(index).toBe('1');
    expect(id).toBe(onlySession(r.home).id);
    expect(fs.readFileSync(path.join(r.dir, 'stamp'), 'utf8')).toMatch(/^\d{4} [0-9a-f-]{36}\n$/);
  });

  it('${file:} refuses a path outside the working directory, naming it', () => {
    const outside = path.join(tempDir('prodigy-outside-'), 'secret.txt');
    fs.writeFileSync(outside, 'top secret');
    const r = run(`- shell: "echo '\${file:${outside}}'"\n- shell: "echo '\${file:../x}'"\n`);
    expect(r.code).toBe(1);
    expect(onlySession(r.home).error).toContain(`"${outside}" is outside the working directory`);
    expect(r.stdout + r.stderr).not.toContain('top secret');
  });
});
