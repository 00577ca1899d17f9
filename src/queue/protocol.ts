/**
 * What travels through Redis between the coordinator (`prodigy run --queue`) and the workers
 * (`prodigy worker`): one queue job per work item, its payload and result both signed envelopes.
 */
import type { JsonValue } from '../session/types.js';
import type { WorkflowCommand } from '../workflow/types.js';
import type { RemoteItemResult } from '../mapreduce/remote.js';

/** The BullMQ queue every coordinator and worker of a Redis database shares. */
export const QUEUE_NAME = 'prodigy-items';
/** Redis key prefix of the queue, the worker records and the cancel channel. */
export const KEY_PREFIX = 'prodigy';
/**
 * Messages are signed envelopes (sign.ts, signed under the channel's name) of `{job_id, run}`: stop that
 * run's items of that job. Unsigned, anyone who can publish on Redis could stop every worker's items.
 */
export const CANCEL_CHANNEL = `${KEY_PREFIX}:cancel`;

export interface CancelMessage {
  job_id: string;
  run: string;
}
export const workerKey = (id: string): string => `${KEY_PREFIX}:worker:${id}`;
export const WORKER_KEYS = `${KEY_PREFIX}:worker:*`;

/**
 * The queue job id of an item: `prodigy:<job-id>:<item-id>`. Stable, so enqueueing an item again (a
 * resume) is a no-op while its job exists. (BullMQ refuses ids with one colon; it allows three parts.)
 */
export const queueJobId = (jobId: string, itemId: string): string => `${KEY_PREFIX}:${jobId}:${itemId}`;

export interface ItemGit {
  /** The shared remote's URL: workers fetch the base from it and push the item's branch to it. */
  remote: string;
  /** The session branch on the remote holding `base_commit`. */
  base_ref: string;
  base_commit: string;
}

export interface ItemPayload {
  job_id: string;
  session_id: string;
  item_id: string;
  index: number;
  item: JsonValue;
  total: number;
  /** Attempt number of this run of the coordinator (echoed in the result). */
  attempt: number;
  /** This run of the coordinator: a cancel names it, so a resume's items are not cancelled with the old run's. */
  run: string;
  workflow_name: string;
  commands: WorkflowCommand[];
  variables: Record<string, string>;
  env: Record<string, string>;
  /** Values masked as *** in everything the worker prints or returns. */
  secrets: Record<string, string>;
  strict: boolean;
  /** null: no git; the worker runs the item in place in its --repo. */
  git: ItemGit | null;
}

/** A worker's report of one attempt: the runner's own type (the seam in src/mapreduce/remote.ts). */
export type ItemResult = RemoteItemResult;

/** What a worker announces about itself (its heartbeat record, expiring unless refreshed). */
export interface WorkerRecord {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  version: string;
  repo: string;
  started_at: string;
  heartbeat_at: string;
  /** Queue job ids it runs now. */
  current: string[];
  completed: number;
  failed: number;
  /** Items finished in the last minute. */
  per_min: number;
  draining: boolean;
}
