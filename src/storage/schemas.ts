/**
 * The shape of every file the store reads, in one place and one library (zod 4). A file that does not
 * match is reported (path + first violation, schema-check.ts) and never resumed or rewritten.
 *
 * Objects are loose: Prodigy may write fields we do not know, and they must survive a rewrite. Only
 * the fields we rely on are checked, with the types we rely on. Ids and repository names read from
 * files pass the same rule as ids typed by the user (they become file names under $PRODIGY_HOME).
 */
import { z } from 'zod';
import { SESSION_STATUSES } from './session-format.js';

/** Session, job and item ids: they become file names, so nothing that could leave their folder. */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;
export const isSafeId = (id: string): boolean => SAFE_ID.test(id) && !id.includes('..');
export const SafeId = z.string().refine(isSafeId, 'not a valid id (letters, digits, . _ -; no "..")');

/** A repository name is one folder name under state/, events/, dlq/. */
export const isSafeRepoName = (name: string): boolean =>
  name.length > 0 && name.length <= 255 && name !== '.' && name !== '..' && !/[/\\\0-\x1f\x7f]/.test(name);
export const SafeRepoName = z.string().refine(isSafeRepoName, 'not a valid repository name');

const Json: z.ZodType<unknown> = z.unknown();
const Duration = z.looseObject({ secs: z.number().nonnegative(), nanos: z.number().nonnegative() });
const Time = z.string();

export const CheckpointSchema = z.looseObject({
  id: z.string(),
  created_at: Time,
  state: Json,
  metadata: z.record(z.string(), Json).default({}),
});

export const WorkflowSessionSchema = z.looseObject({
  workflow_id: z.string().optional(),
  workflow_name: z.string().optional(),
  current_step: z.number().int().nonnegative().optional(),
  total_steps: z.number().int().nonnegative().optional(),
  completed_steps: z.array(z.number()).optional(),
  variables: z.record(z.string(), z.string()).optional(),
});

export const MapReduceSessionSchema = z.looseObject({
  job_id: SafeId,
  total_items: z.number().int().nonnegative().optional(),
  processed_items: z.number().int().nonnegative().optional(),
  failed_items: z.number().int().nonnegative().optional(),
  agent_count: z.number().int().nonnegative().optional(),
  phase: z.enum(['Setup', 'Map', 'Reduce', 'Complete']).optional(),
});

/** Metadata values we act on are checked; every other key is free-form, as in Prodigy. */
const SessionMetadataSchema = z.looseObject({
  owner_pid: z.number().int().optional(),
  owner_host: z.string().optional(),
  owner_start_ticks: z.number().nullable().optional(),
  owner_boot_id: z.string().nullable().optional(),
  workflow_path: z.string().optional(),
  workflow_hash: z.string().optional(),
  repo_path: z.string().optional(),
  repo_name: SafeRepoName.optional(),
  job_id: SafeId.optional(),
});

export const SessionFileSchema = z.looseObject({
  id: SafeId,
  session_type: z.enum(['Workflow', 'MapReduce']),
  status: z.enum(SESSION_STATUSES as [string, ...string[]]),
  started_at: Time,
  updated_at: Time.optional(),
  completed_at: Time.nullable().optional(),
  metadata: SessionMetadataSchema.default({}),
  checkpoints: z.array(CheckpointSchema).default([]),
  timings: z.record(z.string(), Duration).default({}),
  error: z.string().nullable().optional(),
  workflow_data: WorkflowSessionSchema.nullable().optional(),
  mapreduce_data: MapReduceSessionSchema.nullable().optional(),
});

const StepResultSchema = z.looseObject({
  step_index: z.number().int().nonnegative(),
  command: z.string(),
  success: z.boolean(),
  output: z.string().nullable(),
});

/** The executor state a workflow checkpoint holds (what resume rebuilds from). */
export const CookStateSchema = z.looseObject({
  session_id: SafeId,
  status: z.enum(['InProgress', 'Completed', 'Failed', 'Interrupted']),
  errors: z.array(z.string()).default([]),
  working_directory: z.string(),
  workflow_state: z
    .looseObject({
      current_step: z.number().int().nonnegative(),
      total_steps: z.number().int().nonnegative(),
      completed_steps: z.array(StepResultSchema),
      workflow_path: z.string(),
    })
    .nullable(),
  execution_context: z
    .looseObject({
      variables: z.record(z.string(), z.string()),
      step_outputs: z.record(z.string(), z.string()),
      environment: z.record(z.string(), z.string()),
    })
    .nullable(),
});

export const WorkItemSchema = z.looseObject({
  id: SafeId,
  index: z.number().int().nonnegative(),
  item: Json,
  status: z.enum(['pending', 'running', 'completed', 'failed', 'dead']),
  attempts: z.number().int().nonnegative(),
  agent_id: z.string().nullable().optional(),
  output_tail: z.array(z.string()).default([]),
  error: z.string().nullable().optional(),
  pgid: z.number().int().nullable().optional(),
});

export const JobStateSchema = z.looseObject({
  job_id: SafeId,
  session_id: SafeId,
  workflow_name: z.string(),
  workflow_path: z.string(),
  repo: SafeRepoName,
  phase: z.enum(['Setup', 'Map', 'Reduce', 'Complete']),
  setup_completed: z.boolean(),
  reduce_completed: z.boolean(),
  max_parallel: z.number().int().positive(),
  variables: z.record(z.string(), z.string()).default({}),
  items: z.array(WorkItemSchema),
  // A file name inside the job's events folder: nothing that could lead out of it.
  events_mark: z.object({ file: z.string().regex(/^events-[0-9A-Za-z]+-\d+\.jsonl$/), offset: z.number().int().nonnegative() }).nullable().optional(),
});

/**
 * One line of the job journal (storage/job-journal.ts): changed top-level fields and whole items by
 * position. The items are checked as strictly as job.json's: a journal line is job state too.
 */
export const JobJournalLineSchema = z.looseObject({
  v: z.literal(1),
  seq: z.number().int().positive(),
  at: z.string(),
  job: JobStateSchema.omit({ items: true })
    .partial()
    .refine((j) => !('items' in j), 'items are journaled by position, not in "job"')
    .optional(),
  items: z.array(z.tuple([z.number().int().nonnegative(), WorkItemSchema])).optional(),
});

/** One line of an event log. */
export const JobEventSchema = z.looseObject({
  timestamp: z.string(),
  job_id: SafeId,
  type: z.string(),
  item_id: SafeId.optional(),
  agent_id: z.string().optional(),
  phase: z.enum(['Setup', 'Map', 'Reduce', 'Complete']).optional(),
  attempt: z.number().int().optional(),
  exit_code: z.number().int().nullable().optional(),
  message: z.string().optional(),
  output_tail: z.array(z.string()).optional(),
});

export const JobMappingSchema = z.looseObject({
  session_id: SafeId,
  job_id: SafeId,
  repo: SafeRepoName,
  workflow_name: z.string(),
  created_at: z.string(),
});

export const DlqItemSchema = z.looseObject({
  item_id: SafeId,
  item: Json,
  error: z.string(),
  attempts: z.number().int().nonnegative(),
  output_tail: z.array(z.string()).default([]),
  failed_at: z.string(),
});

export const LockFileSchema = z.looseObject({
  pid: z.number().int().positive(),
  host: z.string(),
  started: z.string().default(''),
  start_ticks: z.number().nullable().optional(),
  boot_id: z.string().nullable().optional(),
  token: z.string().optional(),
});
