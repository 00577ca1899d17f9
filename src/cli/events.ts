/** `prodigy events <job-id> [--json] [--follow]`: a MapReduce job's event log. */
import { endOnClosedOutput } from './closed-output.js';
import type { Command } from 'commander';
import { followEvents, formatEvent, readEvents } from '../mapreduce/events.js';
import type { JobEvent } from '../mapreduce/job-types.js';
import { locateJob } from '../mapreduce/locate.js';
import { homeOf, printJson } from './context.js';
import { safeLine } from '../view/safe-text.js';

/** A follower stops by itself when the job is over for good (completed or failed). */
const FINAL: ReadonlySet<JobEvent['type']> = new Set(['JobCompleted', 'JobFailed']);

async function events(id: string, o: { json?: boolean; follow?: boolean }, cmd: Command): Promise<void> {
  endOnClosedOutput();
  const loc = await locateJob(homeOf(cmd), id);
  if (!o.follow) {
    const all = await readEvents(loc.eventsDir);
    if (o.json) return printJson(all);
    if (all.length === 0) process.stdout.write(`No events for job ${loc.jobId}.\n`);
    else process.stdout.write(`${all.map((e) => safeLine(formatEvent(e))).join('\n')}\n`);
    return;
  }
  // Following: JSON Lines with --json (one object per line, as they happen), else the plain lines.
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await followEvents(loc.eventsDir, (e) => process.stdout.write(`${o.json ? JSON.stringify(e) : safeLine(formatEvent(e))}\n`), {
      signal: ac.signal,
      until: (e) => FINAL.has(e.type),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description("show a MapReduce job's event log (agents started/completed/failed, phases, interrupts)")
    .argument('<job-id>', 'a job id, or its session id')
    .option('--json', 'print JSON (with --follow: one JSON object per line)')
    .option('-f, --follow', 'keep printing new events until the job completes or fails (Ctrl+C stops)')
    .action((id: string, o: { json?: boolean; follow?: boolean }, cmd: Command) => events(id, o, cmd));
}
