/** `prodigy worker --queue URL [--concurrency N] [--repo PATH] [--insecure]`: run MapReduce items from a queue. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { lineBatch } from '../exec/line-batch.js';
import { CliError, EXIT } from './errors.js';
import { queueAccess, type QueueFlags, queueUrlOf } from './queue-options.js';

interface WorkerFlags extends QueueFlags {
  concurrency?: string;
  repo?: string;
}

export function parseConcurrency(text: string | undefined): number {
  if (text === undefined) return Math.max(1, os.availableParallelism());
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new CliError(`--concurrency ${text}: expected a whole number from 1 to 256`, EXIT.usage);
  return n;
}

async function worker(flags: WorkerFlags): Promise<void> {
  const url = queueUrlOf(flags);
  if (url === null) throw new CliError('prodigy worker needs --queue redis://host:port (or PRODIGY_QUEUE)', EXIT.usage);
  const { target, secret } = queueAccess(url, flags.insecure);
  const concurrency = parseConcurrency(flags.concurrency);
  const repo = path.resolve(flags.repo ?? process.cwd());
  if (!fs.existsSync(repo) || !fs.statSync(repo).isDirectory()) throw new CliError(`--repo ${flags.repo}: no such directory`, EXIT.usage);
  const drain = new AbortController();
  const now = new AbortController();
  const onSignal = () => {
    if (!drain.signal.aborted) drain.abort();
    else if (!now.signal.aborted) now.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  const { runWorker } = await import('../queue/worker.js');
  const out = lineBatch((text) => process.stdout.write(text));
  try {
    process.exitCode = await runWorker({
      target,
      secret,
      concurrency,
      repo,
      version: pkg.version,
      env: process.env,
      say: out.line,
      stop: { drain: drain.signal, now: now.signal },
    });
  } finally {
    out.flush();
    for (const s of signals) process.off(s, onSignal);
  }
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run MapReduce items from a Redis queue (BullMQ) for `prodigy run --queue`; Ctrl+C drains, twice stops')
    .option('--queue <url>', 'redis://[:password@]host:port[/db] or rediss:// (default: $PRODIGY_QUEUE)')
    .option('--concurrency <n>', 'items at a time (default: the number of CPUs)')
    .option('--repo <path>', 'this machine\'s clone of the repository (default: current directory)')
    .option('--insecure', 'accept unsigned jobs (no PRODIGY_QUEUE_SECRET); only with a Redis on this machine')
    .action((flags: WorkerFlags) => worker(flags));
}
