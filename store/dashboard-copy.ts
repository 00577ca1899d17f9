/**
 * `y` and `Y`: what is copied. `y` the selected id — the session in the list and in a detail view, the
 * item in a MapReduce job's agent table, the commit in the changes view; `Y` the command that resumes the selected (or open) session.
 */
import type { DashboardState } from './dashboard-types.js';

export function copyAction(s: DashboardState, action: 'copyId' | 'copyResume'): void {
  const sessionId = s.view !== 'list' ? (s.openId ?? s.selectedId) : s.selectedId;
  if (action === 'copyId') {
    if (s.view === 'changes' && s.changes?.selectedId) return s.copy(s.changes.selectedId, 'commit id');
    if (s.view === 'detail' && s.job && s.pane === 0 && s.agentSelected) return s.copy(s.agentSelected, 'item id');
    if (!sessionId) return s.setMessage('nothing selected to copy');
    return s.copy(sessionId, 'session id');
  }
  if (!sessionId) return s.setMessage('nothing selected to copy');
  return s.copy(`prodigy resume ${sessionId}`, 'resume command');
}
