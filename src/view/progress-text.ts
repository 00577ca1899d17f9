/**
 * Pure: the one way progress is written, wherever it is shown (sessions list, `sessions show`, the
 * dashboard's list, banner and prompts, the CLI's closing lines): "step 3/7" is the step in flight (or
 * the last one once finished), "31/50 items, 3 failed" counts items finished (done or dead) of all.
 */
import type { UnifiedSession } from '../session/types.js';

/** "31/50 items" or "31/50 items, 3 failed"; `finished` includes the failed (dead) ones. */
export function itemsProgress(finished: number, total: number, failed: number): string {
  return `${finished}/${total} items${failed > 0 ? `, ${failed} failed` : ''}`;
}

/** The 1-based step a workflow is at: the one in flight, the total once completed; null without steps. */
export function stepAt(s: UnifiedSession): { at: number; total: number } | null {
  const wf = s.workflow_data;
  if (!wf || wf.total_steps <= 0) return null;
  if (s.status === 'Completed') return { at: wf.total_steps, total: wf.total_steps };
  return { at: Math.min(wf.total_steps, wf.completed_steps.length + 1), total: wf.total_steps };
}

/** "step 3/7", "31/50 items, 3 failed", or "-" when the session says nothing about its progress. */
export function progressText(s: UnifiedSession): string {
  const mr = s.mapreduce_data;
  if (mr) return itemsProgress(mr.processed_items, mr.total_items, mr.failed_items);
  const at = stepAt(s);
  return at ? `step ${at.at}/${at.total}` : '-';
}
