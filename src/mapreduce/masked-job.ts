/**
 * Secrets never reach the terminal from a MapReduce run: the reporter the CLI gives the job runner is
 * wrapped so every line it is handed is masked (the runner masks what it writes to disk itself).
 */
import { type Mask, maskDeep } from '../workflow/mask.js';
import type { JobReporter } from './runner.js';

export function maskedJobReporter(inner: JobReporter, mask: Mask): JobReporter {
  return {
    started: inner.started,
    progress: inner.progress,
    phase: inner.phase && ((p, detail) => inner.phase!(p, mask(detail))),
    itemDead: inner.itemDead && ((it, error) => inner.itemDead!(maskDeep(it, mask), mask(error))),
    output: inner.output && ((text) => inner.output!(mask(text))),
    note: inner.note && ((line) => inner.note!(mask(line))),
  };
}
