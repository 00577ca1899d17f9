import chalk from 'chalk';
import { afterEach, describe, expect, it } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { KEY_TABLE } from '../../src/tui/keys.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { type Feed, loadAll, startFeed } from '../../store/dashboard-feed.js';
import { seedProdigyFixtures, tempHome } from '../helpers/home.js';
import { T0, iso, workflowSession, writeSession } from './fixtures.js';
import { KEY, lines, renderDashboard, resize } from './render.js';

const feeds: Feed[] = [];
const level = chalk.level;
afterEach(() => {
  feeds.splice(0).forEach((f) => f.stop());
  chalk.level = level;
});

const STEPS = ['shell: cargo build', 'claude: /prodigy-lint', 'shell: cargo test'];

function runningSession(step: number, over: Parameters<typeof workflowSession>[1] = {}) {
  return workflowSession(
    'session-wf',
    {
      metadata: {
        owner_pid: process.pid,
        steps: STEPS,
        current_command: STEPS[step]!,
        step_started_at: iso(T0 + 5000),
        output_tail: [`output of step ${step + 1}`, 'last line'],
      },
      timings: Object.fromEntries(Array.from({ length: step }, (_, i) => [`step_${i}`, { secs: 3 + i, nanos: 0 }])),
      ...over,
    },
    { workflow_name: 'lint-and-test', current_step: step, completed_steps: Array.from({ length: step }, (_, i) => i) },
  );
}

async function open(session: ReturnType<typeof workflowSession>, color = false) {
  const home = tempHome();
  writeSession(home, session);
  const store = createDashboardStore({ home, now: T0 + 20_000, color });
  await loadAll(store, new UnifiedSessionManager(home));
  feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20, tickMs: 60_000 }));
  const ui = renderDashboard(store);
  await ui.waitFor((f) => f.includes('lint-and-test'));
  await ui.press(KEY.enter, (f) => f.includes('Steps'));
  return { home, store, ui };
}

describe('workflow detail', () => {
  it('lists every step with its state and duration, and the running step’s output; follows the run live', async () => {
    const { home, ui } = await open(runningSession(1));
    const f = ui.frame();
    expect(f).toMatch(/✓ +1 +shell: cargo build +done 3s/);
    expect(f).toMatch(/◐ +2 +claude: \/prodigy-lint +running 15s/); // spinner glyph, elapsed since step_started_at
    expect(f).toMatch(/· +3 +shell: cargo test/);
    expect(f).toContain('running step 2/3: claude: /prodigy-lint');
    expect(f).toContain('output of step 2');
    // The runner moves on: the next frame shows it.
    writeSession(home, runningSession(2));
    await ui.waitFor((x) => /✓ +2 +claude: \/prodigy-lint +done 4s/.test(x) && x.includes('output of step 3'));
    expect(ui.frame()).toContain('running step 3/3: shell: cargo test');
  });

  it('Tab switches panes; j/k move in the steps; Esc and Backspace go back', async () => {
    const { ui } = await open(runningSession(1));
    expect(ui.frame()).toMatch(/▸ Steps/);
    await ui.press(KEY.tab, (f) => /▸ Output/.test(f) && !/▸ Steps/.test(f));
    await ui.press(KEY.shiftTab, (f) => /▸ Steps/.test(f));
    await ui.press('j', (f) => lines(f).some((l) => l.startsWith('›') && l.includes('prodigy-lint')));
    await ui.press('G', (f) => lines(f).some((l) => l.startsWith('›') && l.includes('cargo test')));
    await ui.press('?', (f) => f.includes('Keys — detail view'));
    for (const b of KEY_TABLE.filter((x) => x.scope === 'any' || x.scope === 'detail')) expect(ui.frame()).toContain(b.description);
    await ui.press('?', (f) => f.includes('▸ Steps'));
    await ui.press(KEY.escape, (f) => f.includes('STATUS') && f.includes('lint-and-test'));
    await ui.press(KEY.enter, (f) => f.includes('▸ Steps'));
    await ui.press(KEY.backspace, (f) => f.includes('STATUS'));
  });

  it('a failed run shows the failed step and its error', async () => {
    const failed = runningSession(2, { status: 'Failed', error: 'shell: cargo test exited with 101\nmore', completed_at: iso(T0 + 30_000) });
    failed.metadata.failed_step = 2;
    const { ui } = await open(failed);
    expect(ui.frame()).toMatch(/✗ Failed/);
    expect(ui.frame()).toMatch(/✗ +3 +shell: cargo test +failed/);
    expect(ui.frame()).toContain('✗ error: shell: cargo test exited with 101');
    expect(ui.frame()).not.toContain('more');
  });

  it('a Prodigy-written workflow session renders with step numbers for names', async () => {
    const home = tempHome();
    seedProdigyFixtures(home);
    const store = createDashboardStore({ home, now: Date.parse('2024-11-25T00:00:00Z') });
    await loadAll(store, new UnifiedSessionManager(home));
    store.getState().openSession('workflow-1732450000000');
    const ui = renderDashboard(store);
    await ui.waitFor((f) => f.includes('implement'));
    expect(ui.frame()).toMatch(/‖ +1 +step 1 +stopped 12s/);
    expect(ui.frame()).toContain('(no output recorded)');
  });

  it('NO_COLOR: no colour codes at all, and status still reads as words and symbols', async () => {
    chalk.level = 3; // a terminal that could show colour
    const colored = await open(runningSession(1), true);
    expect(colored.ui.frame()).toMatch(/\u001B\[(3\d|9\d)m/);
    colored.ui.unmount();
    const plain = await open(runningSession(1), false);
    expect(plain.ui.frame()).not.toMatch(/\u001B\[(3\d|9\d|7)m/);
    expect(plain.ui.frame()).toContain('● Running');
  });

  it('stays readable at 40x12: every step state and the output still show', async () => {
    const { ui } = await open(runningSession(1));
    resize(ui.stdout, { columns: 40, rows: 12 });
    await ui.waitFor((f) => lines(f).every((l) => l.length <= 40) && f.includes('Output'));
    expect(lines(ui.frame()).length).toBeLessThanOrEqual(11);
    expect(ui.frame()).toMatch(/✓ +1 +shell: cargo/);
    expect(ui.frame()).toMatch(/◐ +2 +claude/);
    expect(ui.frame()).toContain('last line');
  });
});
