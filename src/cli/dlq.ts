/** `prodigy dlq list|retry <job-id>`: the dead-letter queue of a MapReduce job. */
import { Command } from 'commander';
import { listDlqItems } from '../mapreduce/dlq.js';
import type { DlqItem } from '../mapreduce/job-types.js';
import { locateJob } from '../mapreduce/locate.js';
import { formatRelative } from '../view/format.js';
import { type Column, renderTable } from '../view/table.js';
import { existingHomeOf, outputWidth, printJson } from './context.js';
import { firstLine, tailText } from '../view/dlq-text.js';
import { parseMaxRetries } from './resume-job.js';
import { warnProblems } from './errors.js';

const COLUMNS: Column[] = [
  { header: 'ITEM' },
  { header: 'ATTEMPTS', align: 'right' },
  { header: 'FAILED', dropOrder: 2 },
  { header: 'ERROR', flex: true, min: 12 },
  { header: 'OUTPUT (LAST LINES)', flex: true, min: 12, dropOrder: 1 },
  { header: 'DATA', flex: true, min: 10, dropOrder: 3 },
];

/** Pure: one table row per dead item; its output tail (stdout's lines, then stderr's) ends the row. */
export function dlqRows(items: DlqItem[], now: number): string[][] {
  return items.map((i) => [i.item_id, String(i.attempts), formatRelative(i.failed_at, now), firstLine(i.error), tailText(i.output_tail), JSON.stringify(i.item)]);
}

async function list(id: string, o: { json?: boolean }, cmd: Command): Promise<void> {
  const loc = await locateJob(existingHomeOf(cmd), id);
  const { items, problems } = await listDlqItems(loc.dlqItemsDir);
  warnProblems(problems);
  if (o.json) return printJson(items);
  if (items.length === 0) {
    process.stdout.write(`The dead-letter queue of job ${loc.jobId} is empty.\n`);
    return;
  }
  process.stdout.write(`${renderTable(COLUMNS, dlqRows(items, Date.now()), outputWidth()).join('\n')}\n`);
  process.stdout.write(`${items.length} dead item${items.length === 1 ? '' : 's'}. Retry with: prodigy dlq retry ${loc.jobId}\n`);
}

export type DlqRetry = (id: string, opts: { maxRetries?: number }, cmd: Command) => Promise<void>;

export function registerDlq(program: Command, retry?: DlqRetry): void {
  const dlq = new Command('dlq').description("a MapReduce job's dead-letter queue (items that failed all their attempts)");
  dlq
    .command('list')
    .description('list the dead items of a job')
    .argument('<job-id>', 'a job id, or its session id')
    .option('--json', 'print JSON')
    .action((id: string, o: { json?: boolean }, c: Command) => list(id, o, c));
  if (retry) {
    dlq
      .command('retry')
      .description('run the dead items again through the agent pool, updating the same job and session')
      .argument('<job-id>', 'a job id, or its session id')
      .option('--max-retries <n>', 'extra attempts per item in this run (default: the error policy)', parseMaxRetries)
      .action((id: string, o: { maxRetries?: number }, c: Command) => retry(id, o, c));
  }
  program.addCommand(dlq);
  for (const c of dlq.commands) c.exitOverride();
  dlq.exitOverride();
}
