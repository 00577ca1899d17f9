/** `--queue URL` / PRODIGY_QUEUE and `--insecure`, shared by `run`, `worker` and `workers`. Static imports here are pure: bullmq loads only when a queue is used. */
import fs from 'node:fs';
import type { Command } from 'commander';
import { queueTrust } from '../queue/trust.js';
import { parseQueueUrl, type QueueTarget, QueueUrlError } from '../queue/url.js';
import { CliError, EXIT } from './errors.js';

export interface QueueFlags {
  queue?: string;
  insecure?: boolean;
}

/** The queue named by --queue, else PRODIGY_QUEUE; null when neither (the one-machine path). */
export function queueUrlOf(flags: QueueFlags, env: NodeJS.ProcessEnv = process.env): string | null {
  const url = flags.queue ?? env.PRODIGY_QUEUE;
  return url === undefined || url === '' ? null : url;
}

/** The queue's target; for rediss://, PRODIGY_QUEUE_CA (a PEM file) names the CA certificates to trust instead of Node's. */
export function queueTarget(url: string, env: NodeJS.ProcessEnv = process.env): QueueTarget {
  let target: QueueTarget;
  try {
    target = parseQueueUrl(url);
  } catch (err) {
    if (err instanceof QueueUrlError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  const caFile = env.PRODIGY_QUEUE_CA;
  if (!target.tls || !caFile) return target;
  let ca: string;
  try {
    ca = fs.readFileSync(caFile, 'utf8');
  } catch (err) {
    throw new CliError(`PRODIGY_QUEUE_CA ${caFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, EXIT.usage);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new CliError(`PRODIGY_QUEUE_CA ${caFile}: not a PEM certificate file (no BEGIN CERTIFICATE line)`, EXIT.usage);
  return { ...target, ca };
}

/** Target and signing secret, or a one-line refusal (exit 2). */
export function queueAccess(url: string, insecure: boolean | undefined, env: NodeJS.ProcessEnv = process.env): { target: QueueTarget; secret: string | null } {
  const target = queueTarget(url, env);
  const trust = queueTrust(target, env, Boolean(insecure));
  if (!trust.ok) throw new CliError(trust.error, EXIT.usage);
  return { target, secret: trust.secret };
}

export interface QueueRunFlags extends QueueFlags {
  remote?: string;
}

/** `--queue`, `--remote`, `--insecure` on a command that runs MapReduce items. */
export function addQueueOptions(cmd: Command): Command {
  return cmd
    .option('--queue <url>', 'MapReduce items run on `prodigy worker`s through this Redis (redis://host:port; default: $PRODIGY_QUEUE)')
    .option('--remote <name>', 'the git remote queue workers share branches through (default: origin)')
    .option('--insecure', 'with --queue: send unsigned jobs (no PRODIGY_QUEUE_SECRET); only with a Redis on this machine');
}

/** The same flags again, for a child process (the live view's). */
export function queueArgs(f: QueueRunFlags): string[] {
  return [...(f.queue !== undefined ? ['--queue', f.queue] : []), ...(f.remote !== undefined ? ['--remote', f.remote] : []), ...(f.insecure ? ['--insecure'] : [])];
}

/** How long a coordinator waits for its Redis before giving up (a worker waits for as long as it takes). */
const CONNECT_MS = Number(process.env.PRODIGY_QUEUE_CONNECT_MS) || 15_000;

/**
 * The dispatcher for a MapReduce run when a queue is named (else null: local agents, and bullmq is
 * never loaded). Refuses at once, with one line, a queue it cannot reach or a repository without the remote.
 */
export async function openQueue(f: QueueRunFlags, cwd: string, isolated: boolean): Promise<import('../queue/dispatch.js').QueueDispatch | null> {
  const url = queueUrlOf(f);
  if (url === null) return null;
  const { target, secret } = queueAccess(url, f.insecure);
  const { QueueDispatch, checkRemote } = await import('../queue/dispatch.js');
  const remoteName = f.remote ?? 'origin';
  if (isolated) {
    try {
      await checkRemote(cwd, remoteName);
    } catch (err) {
      throw new CliError((err as Error).message, EXIT.usage);
    }
  }
  const d = await QueueDispatch.open({ target, secret, remoteName, connectMs: CONNECT_MS, say: (line) => process.stderr.write(`prodigy: ${line}\n`) });
  process.stdout.write(`Queue ${target.display}: items run on queue workers (prodigy worker --queue ...)\n`);
  return d;
}
