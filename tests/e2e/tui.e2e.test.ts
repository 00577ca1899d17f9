/**
 * The real `prodigy tui` (the built binary) in a real terminal (tmux): it sees a running workflow advance
 * on screen as this test process writes the session file, and quits on `q` / Ctrl+C with the terminal
 * restored (alternate screen left, cursor shown, the shell's earlier output intact).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prodigyBin } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { T0, iso, workflowSession, writeSession } from '../tui/fixtures.js';
import { Tmux } from './tmux.js';

const STEPS = ['shell: make build', 'claude: /prodigy-review', 'shell: make test'];

function running(step: number) {
  return workflowSession(
    'session-e2e',
    {
      started_at: iso(Date.now() - 60_000),
      // This test process plays the owner: alive, so the session shows as Running.
      metadata: { owner_pid: process.pid, steps: STEPS, step_started_at: iso(Date.now()), output_tail: [`out-${step + 1}`] },
      timings: Object.fromEntries(Array.from({ length: step }, (_, i) => [`step_${i}`, { secs: 2, nanos: 0 }])),
    },
    { workflow_name: 'e2e-flow', current_step: step, completed_steps: Array.from({ length: step }, (_, i) => i) },
  );
}

function childEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // Under CI=true Ink prints only the last frame, at exit: the child must not see CI at all.
  const { CI: _ci, CONTINUOUS_INTEGRATION: _c2, NO_COLOR: _nc, FORCE_COLOR: _fc, ...rest } = process.env;
  return { ...rest, PRODIGY_HOME: home, TERM: 'xterm-256color', ...extra };
}

// A fresh server (socket) per test: reusing one right after kill-server races its shutdown.
let term: Tmux;
beforeEach(() => {
  term = new Tmux();
});
afterEach(() => term.kill());

describe('prodigy tui in a real terminal', () => {
  it('follows a running workflow step by step, and q quits with the terminal restored', async () => {
    const home = tempHome();
    writeSession(home, running(0));
    term.start(`echo BEFORE-DASHBOARD; ${process.execPath} ${prodigyBin} tui; echo "EXIT=$?"; sleep 600`, childEnv(home));

    let screen = await term.waitFor((s) => s.includes('e2e-flow') && s.includes('step 1/3'), 'the sessions list');
    expect(screen).toMatch(/● Running +workflow +e2e-flow +step 1\/3/);
    expect(term.flag('alternate_on')).toBe('1');
    expect(screen).not.toContain('BEFORE-DASHBOARD'); // drawn in the alternate screen
    expect(term.styledScreen()).toMatch(/\u001B\[[0-9;]*3[1-6]m/); // colour, as a bonus to the words

    // The list follows the file...
    writeSession(home, running(1));
    await term.waitFor((s) => /e2e-flow +step 2\/3/.test(s), 'the list to show step 2');

    // ...and so does the detail view.
    term.keys('Enter');
    screen = await term.waitFor((s) => s.includes('running step 2/3: claude: /prodigy-review'), 'the workflow detail');
    expect(screen).toMatch(/✓ +1 +shell: make build +done 2s/);
    writeSession(home, running(2));
    screen = await term.waitFor((s) => s.includes('running step 3/3: shell: make test') && s.includes('out-3'), 'step 3 running');
    expect(screen).toMatch(/✓ +2 +claude: \/prodigy-review +done 2s/);

    // Resize re-lays out at once.
    term.resize(50, 14);
    await term.waitFor((s) => s.split('\n').every((l) => l.length <= 50) && s.includes('Steps'), 'the narrow layout');

    term.keys('q');
    screen = await term.waitFor((s) => s.includes('EXIT=0'), 'the dashboard to exit');
    expect(screen).toContain('BEFORE-DASHBOARD');
    expect(screen).not.toContain('e2e-flow');
    expect(term.flag('alternate_on')).toBe('0');
    expect(term.flag('cursor_flag')).toBe('1');
  });

  it('Ctrl+C quits too, exit 0, terminal restored; NO_COLOR draws no colour', async () => {
    const home = tempHome();
    writeSession(home, running(0));
    term.start(`${process.execPath} ${prodigyBin} tui; echo "EXIT=$?"; sleep 600`, childEnv(home, { NO_COLOR: '1' }));
    await term.waitFor((s) => s.includes('e2e-flow'), 'the sessions list');
    expect(term.styledScreen()).not.toMatch(/\u001B\[[0-9;]*(3[0-7]|9[0-7]|38;5;\d+)m/);
    expect(term.screen()).toContain('● Running');
    term.keys('C-c');
    const screen = await term.waitFor((s) => s.includes('EXIT=0'), 'the dashboard to exit');
    // Quitting prints the one summary line.
    expect(screen).toMatch(/prodigy: 1 running · 0 paused or interrupted · 0 failed\.\s*\nEXIT=0/);
    expect(term.flag('alternate_on')).toBe('0');
    expect(term.flag('cursor_flag')).toBe('1');
  });

  it('the terminal is raw from the first frame on (a key pressed at once is a key, not echoed), and cooked again after quitting', async () => {
    const home = tempHome();
    writeSession(home, running(0));
    term.start(`${process.execPath} ${prodigyBin} tui; echo "EXIT=$?"; sleep 600`, childEnv(home));
    await term.waitFor((s) => s.includes('e2e-flow'), 'the sessions list');
    // Ink alone turns raw mode on only after its first frame: under load an Enter pressed then was lost.
    const modes = term.ttyModes();
    expect(modes).toMatch(/(^|\s)-icanon(\s|$)/);
    expect(modes).toMatch(/(^|\s)-echo(\s|$)/);
    term.keys('Enter');
    await term.waitFor((s) => s.includes('running step 1/3: shell: make build'), 'the workflow detail');
    term.keys('q');
    await term.waitFor((s) => s.includes('EXIT=0'), 'the dashboard to exit');
    const after = term.ttyModes();
    expect(after).toMatch(/(^|\s)icanon(\s|$)/);
    expect(after).toMatch(/(^|\s)echo(\s|$)/);
  });

  it('SIGTERM from outside quits cleanly, restores the terminal, prints the summary and exits 143', async () => {
    const home = tempHome();
    writeSession(home, running(0));
    term.start(`${process.execPath} ${prodigyBin} tui; echo "EXIT=$?"; sleep 600`, childEnv(home));
    await term.waitFor((s) => s.includes('e2e-flow'), 'the sessions list');
    process.kill(term.childPid(), 'SIGTERM');
    const screen = await term.waitFor((s) => s.includes('EXIT=143'), 'the dashboard to exit 143');
    expect(screen).toMatch(/prodigy: 1 running · 0 paused or interrupted · 0 failed\.\n/);
    expect(term.flag('alternate_on')).toBe('0');
    expect(term.flag('cursor_flag')).toBe('1');
  });
});
