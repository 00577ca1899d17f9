/**
 * The one line `prodigy tui` prints when it quits: what is running, paused and failed, and how to resume
 * the last interrupted run — so leaving the dashboard never leaves the user without the next command.
 */
import { lastInterrupted } from '../src/control/resume-offer.js';
import { listStatus } from '../src/tui/session-list.js';
import type { DashboardState } from './dashboard-types.js';

export function quitSummary(s: Pick<DashboardState, 'sessions' | 'alive' | 'repoPath'>): string {
  let running = 0;
  let paused = 0;
  let failed = 0;
  for (const x of Object.values(s.sessions)) {
    const st = listStatus(x, s.alive[x.id]);
    if (st === 'Running' || st === 'Initializing') running++;
    else if (st === 'Paused' || st === 'Interrupted') paused++;
    else if (st === 'Failed') failed++;
  }
  const counts = `${running} running · ${paused} paused or interrupted · ${failed} failed`;
  const all = Object.values(s.sessions);
  const last = lastInterrupted(all, (x) => s.alive[x.id], s.repoPath) ?? lastInterrupted(all, (x) => s.alive[x.id]);
  return last ? `prodigy: ${counts}. Resume the last interrupted run: prodigy resume ${last.id}` : `prodigy: ${counts}.`;
}
