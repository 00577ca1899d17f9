/**
 * The built `prodigy tui` in a real terminal (tmux) on real runs: a failed item's log with `l` and `/`,
 * `D` then `R` retrying the dead items of a finished job until the DLQ is empty, and `--once` printing
 * exactly the list a user sees.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prodigy, prodigyBin } from '../helpers/cli.js';
import { seedProdigyFixtures, tempHome } from '../helpers/home.js';
import { workspace } from '../integration/workflow-helpers.js';
import { Tmux } from './tmux.js';

function childEnv(home: string): NodeJS.ProcessEnv {
  // Under CI=true Ink prints only the last frame, at exit: the child must not see CI at all.
  const { CI: _ci, CONTINUOUS_INTEGRATION: _c2, NO_COLOR: _nc, FORCE_COLOR: _fc, ...rest } = process.env;
  return { ...rest, PRODIGY_HOME: home, TERM: 'xterm-256color', NO_COLOR: '1' };
}

let term: Tmux;
beforeEach(() => {
  term = new Tmux();
});
afterEach(() => term.kill());

const FAN = `name: e2e-dead
mode: mapreduce
map:
  input: items.json
  json_path: "$[*]"
  max_parallel: 2
  agent_template:
    - shell: '[ -f fixed ] || [ \${item.n} -ge 2 ] || { echo "first output of \${item.n}"; echo "more output"; echo "broken \${item.n}" >&2; exit 3; }; echo ok'
error_policy:
  on_item_failure: dlq
  max_retries: 0
`;

/** A finished job (Completed) with items 0 and 1 dead. */
function finishedJobWithDeadItems(home: string) {
  const ws = workspace(FAN);
  fs.writeFileSync(path.join(ws.dir, 'items.json'), JSON.stringify(Array.from({ length: 6 }, (_, i) => ({ n: i }))));
  expect(prodigy(['run', 'wf.yml', '--no-tui'], { home, cwd: ws.dir }).code).toBe(0);
  return ws;
}

const selected = (s: string) => s.split('\n').find((l) => l.startsWith('›')) ?? '';

describe('the dashboard views in a real terminal', () => {
  it("l opens a failed item's log and / finds a line of its first output", async () => {
    const home = tempHome();
    const ws = finishedJobWithDeadItems(home);
    term.start(`cd ${ws.dir} && ${process.execPath} ${prodigyBin} tui; echo "EXIT=$?"; sleep 600`, childEnv(home), { columns: 110, rows: 30 });
    await term.waitFor((s) => s.includes('e2e-dead'), 'the sessions list');
    term.keys('Enter');
    // Dead items come first in the agent table; the cursor is on item-0.
    await term.waitFor((s) => /item-0 +☠ dead/.test(selected(s)), 'the dead item selected');
    term.keys('l');
    await term.waitFor((s) => s.includes('‹ item-0 of e2e-dead') && s.includes('attempt 1') && s.includes('broken 0'), 'the item log');
    term.keys('/');
    term.keys('-l', 'output first');
    term.keys('Enter');
    await term.waitFor((s) => selected(s).includes('first output of 0'), 'the match marked');
    term.keys('q');
    await term.waitFor((s) => s.includes('EXIT=0'), 'the dashboard to exit');
  });

  it('D then R retries the dead items of a finished job and the count drops to 0', async () => {
    const home = tempHome();
    const ws = finishedJobWithDeadItems(home);
    term.start(`cd ${ws.dir} && ${process.execPath} ${prodigyBin} tui; echo "EXIT=$?"; sleep 600`, childEnv(home), { columns: 110, rows: 30 });
    await term.waitFor((s) => s.includes('e2e-dead'), 'the sessions list');
    term.keys('D');
    await term.waitFor((s) => s.includes('2 dead items') && /item-0 .*broken 0/.test(s), 'the DLQ view');
    fs.writeFileSync(path.join(ws.dir, 'fixed'), '');
    term.keys('R');
    await term.waitFor((s) => s.includes('Retry 2 dead items of job'), 'the question');
    term.keys('y');
    await term.waitFor((s) => s.includes('0 dead items') && s.includes('the DLQ is empty'), 'the DLQ emptied', 30_000);
    term.keys('Escape');
    await term.waitFor((s) => s.includes('DLQ 0') && s.includes('✓ 6 done'), 'the job view: all done, DLQ 0', 30_000);
    term.keys('q');
    await term.waitFor((s) => s.includes('EXIT=0'), 'the dashboard to exit');
  });

  it('--once prints the list a user sees', async () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const size = { columns: 100, rows: 20 };
    term.start(`${process.execPath} ${prodigyBin} tui --once; echo "EXIT=$?"; sleep 600`, childEnv(home), size);
    const once = await term.waitFor((s) => s.includes('EXIT=0'), '--once to print and exit');
    term.start(`${process.execPath} ${prodigyBin} tui; sleep 600`, childEnv(home), size);
    const live = await term.waitFor((s) => s.includes('STATUS') && s.includes('implement'), 'the live list');
    const rows = (s: string) => s.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '' && !l.startsWith('EXIT='));
    // The same screen, line for line (the live one ends with its key hints).
    expect(rows(once)).toEqual(rows(live));
  });
});
