/**
 * The defect seen by a user: after a resume started from the dashboard, the open job's DLQ count read 0
 * (3 dead items in `dlq list`) until the view was reopened, and each resume flashed "job files not found".
 * Here a real MapReduce job with three dead items is interrupted, opened in the dashboard and resumed
 * with r + y from its own view; every frame from then on must keep the true count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDashboardControl } from '../../src/control/dashboard-control.js';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { createDashboardStore } from '../../store/dashboard.js';
import { type Feed, loadAll, startFeed } from '../../store/dashboard-feed.js';
import { prodigy } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { lines, onlySession, startProdigy, until, workspace } from '../integration/workflow-helpers.js';
import { KEY, renderDashboard } from './render.js';

const feeds: Feed[] = [];
afterEach(() => feeds.splice(0).forEach((f) => f.stop()));

/** 12 items, 2 agents; items 0-2 fail (to the DLQ, with a line on stderr), the others take 0.3 s each. */
const FAN = `name: dlq-fan
mode: mapreduce
map:
  input: items.json
  json_path: "$[*]"
  max_parallel: 2
  agent_template:
    - shell: '[ \${item.n} -ge 3 ] || { echo "boom \${item.n}" >&2; exit 1; }; sleep 0.3; echo \${item.n} >> done'
error_policy:
  on_item_failure: dlq
  max_retries: 0
`;

async function interruptedJobWithDeadItems(home: string) {
  const ws = workspace(FAN);
  fs.writeFileSync(path.join(ws.dir, 'items.json'), JSON.stringify(Array.from({ length: 12 }, (_, i) => ({ n: i }))));
  const run = startProdigy(['run', 'wf.yml', '--no-tui'], { home, cwd: ws.dir });
  const session = () => (fs.existsSync(path.join(home, 'sessions')) ? onlySession(home) : null);
  await until(() => (session()?.mapreduce_data?.failed_items ?? 0) >= 3 && lines(path.join(ws.dir, 'done')).length >= 1, 20_000, 'three dead items and one done');
  process.kill(-run.child.pid!, 'SIGINT');
  expect((await run.exit).code).toBe(130);
  const s = onlySession(home);
  expect(s.status).toBe('Paused');
  return { ws, id: s.id, jobId: s.mapreduce_data!.job_id };
}

describe('the DLQ count right after a resume started from the dashboard', () => {
  it('stays at the true count in every frame, and never says the job files are missing', async () => {
    const home = tempHome();
    const job = await interruptedJobWithDeadItems(home);
    expect(JSON.parse(prodigy(['dlq', 'list', job.jobId, '--json'], { home }).stdout)).toHaveLength(3);

    const store = createDashboardStore({ home, color: false, control: createDashboardControl(home), size: { columns: 120, rows: 30 } });
    await loadAll(store, new UnifiedSessionManager(home));
    feeds.push(startFeed(store, { debounceMs: 10, minIntervalMs: 20, tickMs: 200 }));
    const ui = renderDashboard(store, { columns: 120, rows: 30 });
    await ui.waitFor((f) => f.includes('dlq-fan'));
    await ui.press(KEY.enter, (f) => f.includes('DLQ 3'));

    const before = ui.frames.length;
    await ui.press('r', (f) => f.includes('Resume dlq-fan'));
    await ui.press('y', () => store.getState().started[job.id] !== undefined);
    await vi.waitFor(() => expect(onlySession(home).status).toBe('Completed'), { timeout: 30_000 });
    await ui.waitFor((f) => f.includes('Completed') && f.includes('DLQ 3'));
    // Every frame drawn since r: the count never dropped to 0 and the job was never "not found".
    const after = ui.frames.slice(before).filter((f) => f.includes('DLQ '));
    expect(after.length).toBeGreaterThan(0);
    for (const f of after) expect(f).toContain('DLQ 3');
    for (const f of ui.frames.slice(before)) expect(f).not.toContain('job files not found');
  });
});
