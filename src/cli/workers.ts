/** `prodigy workers --queue URL [--json]`: the queue workers that are alive now, and the queue's depth. */
import type { Command } from 'commander';
import { formatDurationMs } from '../view/format.js';
import { renderTable } from '../view/table.js';
import { outputWidth, printJson } from './context.js';
import { CliError, EXIT } from './errors.js';
import { queueTarget, queueUrlOf } from './queue-options.js';

async function workers(o: { queue?: string; json?: boolean }): Promise<void> {
  const url = queueUrlOf(o);
  if (url === null) throw new CliError('prodigy workers needs --queue redis://host:port (or PRODIGY_QUEUE)', EXIT.usage);
  const target = queueTarget(url);
  const { readWorkers } = await import('../queue/workers-list.js');
  const { workerRows } = await import('../queue/workers-view.js');
  let read;
  try {
    read = await readWorkers(target);
  } catch (err) {
    throw new CliError(`cannot read the queue at ${target.display}: ${(err as Error).message.split('\n')[0]}`, EXIT.failed);
  }
  const rows = workerRows(read.workers, Date.now());
  if (o.json) {
    printJson({ queue: target.display, depth: read.depth, workers: rows });
    return;
  }
  const d = read.depth;
  process.stdout.write(`Queue ${target.display}: ${d.waiting} waiting, ${d.active} active, ${d.delayed} delayed\n`);
  if (rows.length === 0) {
    process.stdout.write('No workers.\n');
    return;
  }
  const lines = renderTable(
    [{ header: 'WORKER', flex: true, min: 12 }, { header: 'RUNNING', align: 'right' }, { header: 'DONE', align: 'right' }, { header: 'FAILED', align: 'right' }, { header: '/MIN', align: 'right' }, { header: 'HEARTBEAT' }, { header: 'STATE' }, { header: 'REPO', flex: true, min: 10, dropOrder: 1 }],
    rows.map((r) => [r.worker, `${r.running}/${r.concurrency}`, String(r.completed), String(r.failed), String(r.per_min), `${formatDurationMs(r.heartbeat_age_ms)} ago`, r.draining ? 'draining' : 'ready', r.repo]),
    outputWidth(),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerWorkers(program: Command): void {
  program
    .command('workers')
    .description('list the queue workers that are alive (heartbeat), what they run, and the queue depth')
    .option('--queue <url>', 'redis://[:password@]host:port[/db] or rediss:// (default: $PRODIGY_QUEUE)')
    .option('--json', 'print JSON')
    .action((o: { queue?: string; json?: boolean }) => workers(o));
}
