/**
 * Untrusted item data and captured output in `shell:` steps, through the built `prodigy`: `${x:sh}` and
 * the PRODIGY_* variables deliver every metacharacter as data (nothing runs), and `validate` / `run`
 * warn, once per step with file:line:col, where such a value is interpolated unquoted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { workspace } from './workflow-helpers.js';

const HOSTILE = [
  '$(touch pwned1)',
  '`touch pwned2`',
  "a'; touch pwned3; echo '",
  'b"; touch pwned4; echo "',
  'c\ntouch pwned5',
  'd; touch pwned6 | cat & true',
  '* ? [x] ~ $HOME ${HOME} \\ \t %s',
];

const MAP = `name: untrusted
mode: mapreduce
map:
  input: items.json
  json_path: "$[*]"
  max_parallel: 2
  agent_template:
    - shell: "printf '%s\\\\0' \${item.name:sh} >> quoted.out"
    - shell: 'printf "%s\\\\0" "$PRODIGY_ITEM_NAME" >> env.out; printf "%s\\\\0" "$PRODIGY_ITEM_JSON" >> json.out'
    - shell: 'printf "%s=%s\\\\0" "$PRODIGY_ITEM_ID" "$PRODIGY_FIELD_ID" >> ids.out'
`;

const SEQ = `name: captured
commands:
  - shell: "printf '%s' \\"$(cat payload)\\""
    capture: said
  - shell: "printf '%s' \${said:sh} > quoted.out"
  - shell: 'printf "%s" "$PRODIGY_VAR_SAID" > env.out; printf "%s" "$PRODIGY_OUTPUT_LAST" > last.out'
`;

const nulList = (file: string) => fs.readFileSync(file, 'utf8').split('\0').slice(0, -1).sort();

describe('untrusted data in shell steps', () => {
  it('${item.x:sh} and $PRODIGY_ITEM_* carry every metacharacter as data; no warning for them', () => {
    const home = tempHome();
    const ws = workspace(MAP);
    // A field named id: its own variable, PRODIGY_FIELD_ID, beside the work item's PRODIGY_ITEM_ID.
    fs.writeFileSync(path.join(ws.dir, 'items.json'), JSON.stringify(HOSTILE.map((name, i) => ({ name, id: `own-${i}` }))));
    const r = prodigy(['run', 'wf.yml', '--no-tui', '--no-worktree'], { home, cwd: ws.dir, warnings: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('untrusted');
    expect(nulList(path.join(ws.dir, 'quoted.out'))).toEqual([...HOSTILE].sort());
    expect(nulList(path.join(ws.dir, 'env.out'))).toEqual([...HOSTILE].sort());
    expect(nulList(path.join(ws.dir, 'json.out')).map((j) => JSON.parse(j).name)).toEqual([...HOSTILE].sort());
    expect(nulList(path.join(ws.dir, 'ids.out'))).toEqual(HOSTILE.map((_, i) => `item-${i}=own-${i}`).sort());
    expect(fs.readdirSync(ws.dir).filter((n) => n.startsWith('pwned'))).toEqual([]);
  });

  it('a captured output reused with :sh and as $PRODIGY_VAR_* / $PRODIGY_OUTPUT_LAST runs nothing', () => {
    for (const payload of HOSTILE) {
      const home = tempHome();
      const ws = workspace(SEQ);
      fs.writeFileSync(path.join(ws.dir, 'payload'), payload);
      const r = prodigy(['run', 'wf.yml', '--no-tui', '--no-worktree'], { home, cwd: ws.dir });
      expect(r.code, r.stderr).toBe(0);
      // $(...) drops trailing newlines, as captures do: compare without them.
      const want = payload.replace(/\n+$/, '');
      for (const f of ['quoted.out', 'env.out']) expect(fs.readFileSync(path.join(ws.dir, f), 'utf8'), `${f} ${payload}`).toBe(want);
      expect(fs.readdirSync(ws.dir).filter((n) => n.startsWith('pwned')), payload).toEqual([]);
    }
  });

  it('validate and run warn once per step, at the command, where item data or a capture is unquoted', () => {
    const ws = workspace(`name: warned
mode: mapreduce
setup:
  - shell: "echo svc"
    capture: svc
map:
  input: items.json
  json_path: "$[*]"
  agent_template:
    - shell: "echo \${item.name} '\${item.name}' \\"\${item_json}\\""
    - shell: "echo \${item.name:sh} \\"$PRODIGY_ITEM_NAME\\" \${item_index}"
    - shell: "echo \${svc}"
    - claude: "/fix \${item.name}"
`);
    fs.writeFileSync(path.join(ws.dir, 'items.json'), JSON.stringify([{ name: 'x' }]));
    const v = prodigy(['validate', 'wf.yml'], { cwd: ws.dir, warnings: true });
    expect(v.code, v.stderr).toBe(0);
    const warnings = v.stdout.split('\n').filter((l) => l.includes('untrusted'));
    expect(warnings).toEqual([
      expect.stringMatching(/^wf\.yml:10:14: untrusted data reaches sh -c unquoted: \$\{item\.name\}, \$\{item_json\} .*write \$\{item\.name:sh\} or "\$PRODIGY_FIELD_NAME", \$\{item_json:sh\} or "\$PRODIGY_ITEM_JSON"/),
      expect.stringMatching(/^wf\.yml:12:14: untrusted data reaches sh -c unquoted: \$\{svc\} .*write \$\{svc:sh\} or "\$PRODIGY_VAR_SVC"/),
    ]);
    const run = prodigy(['run', 'wf.yml', '--no-tui', '--no-worktree', '--dry-run'], { home: tempHome(), cwd: ws.dir, warnings: true });
    expect(run.stderr.split('\n').filter((l) => l.includes('untrusted'))).toHaveLength(2);
  });
});
