/** Session and job files in the agreed formats, written into a temp PRODIGY_HOME like the runners do. */
import fs from 'node:fs';
import path from 'node:path';
import type { JobEvent, JobState, WorkItemState } from '../../src/mapreduce/job-types.js';
import type { UnifiedSession } from '../../src/session/types.js';
import { storePaths } from '../../src/storage/paths.js';

export const T0 = Date.parse('2026-11-25T08:00:00Z');
export const iso = (ms: number) => new Date(ms).toISOString();

export function workflowSession(id: string, over: Partial<UnifiedSession> = {}, wf: Partial<UnifiedSession['workflow_data']> = {}): UnifiedSession {
  return {
    id,
    session_type: 'Workflow',
    status: 'Running',
    started_at: iso(T0),
    updated_at: iso(T0),
    completed_at: null,
    metadata: {},
    checkpoints: [],
    timings: {},
    error: null,
    workflow_data: {
      workflow_id: id,
      workflow_name: `wf-${id}`,
      current_step: 0,
      total_steps: 3,
      completed_steps: [],
      variables: {},
      iterations_completed: 0,
      files_changed: 0,
      worktree_name: null,
      ...wf,
    },
    mapreduce_data: null,
    ...over,
  };
}

export function mapReduceSession(id: string, jobId: string, over: Partial<UnifiedSession> = {}): UnifiedSession {
  return {
    ...workflowSession(id),
    session_type: 'MapReduce',
    workflow_data: null,
    metadata: { repo_name: 'demo-repo', workflow_name: 'fan-out' },
    mapreduce_data: { job_id: jobId, total_items: 0, processed_items: 0, failed_items: 0, agent_count: 4, phase: 'Map', reduce_results: null },
    ...over,
  };
}

/** Writes a session file atomically (temp + rename), as steno does for the real writers. */
export function writeSession(home: string, s: UnifiedSession): void {
  const file = storePaths(home).sessionFile(s.id);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2));
  fs.renameSync(tmp, file);
}

export function workItems(n: number, statusOf: (i: number) => WorkItemState['status'], startMs = T0): WorkItemState[] {
  return Array.from({ length: n }, (_, i) => {
    const status = statusOf(i);
    const started = status === 'pending' ? null : iso(startMs + i * 1000);
    const ended = status === 'completed' || status === 'failed' || status === 'dead' ? iso(startMs + i * 1000 + 30_000) : null;
    return {
      id: `item-${i}`,
      index: i,
      item: { n: i },
      status,
      attempts: status === 'pending' ? 0 : status === 'dead' ? 3 : 1,
      agent_id: status === 'running' ? `agent-${i % 8}` : null,
      started_at: started,
      ended_at: ended,
      exit_code: status === 'completed' ? 0 : status === 'failed' || status === 'dead' ? 1 : null,
      output_tail: status === 'pending' ? [] : [`working on ${i}`, `line from item-${i}`],
      result: null,
      error: status === 'failed' || status === 'dead' ? `item-${i} broke` : null,
    };
  });
}

export function jobState(jobId: string, sessionId: string, items: WorkItemState[], over: Partial<JobState> = {}): JobState {
  return {
    job_id: jobId,
    session_id: sessionId,
    workflow_name: 'fan-out',
    workflow_path: 'workflows/fan-out.yml',
    repo: 'demo-repo',
    phase: 'Map',
    setup_completed: true,
    reduce_completed: false,
    max_parallel: 4,
    created_at: iso(T0),
    updated_at: iso(T0),
    variables: {},
    items,
    ...over,
  };
}

export function writeJob(home: string, repo: string, job: JobState): void {
  const p = storePaths(home);
  fs.mkdirSync(p.jobDir(repo, job.job_id), { recursive: true });
  const file = p.jobStateFile(repo, job.job_id);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(job));
  fs.renameSync(`${file}.tmp`, file);
}

export function appendEvents(home: string, repo: string, jobId: string, events: Array<Partial<JobEvent>>, file = 'events-0001.jsonl'): void {
  const dir = storePaths(home).eventsDir(repo, jobId);
  fs.mkdirSync(dir, { recursive: true });
  const lines = events.map((e) => JSON.stringify({ timestamp: iso(T0), job_id: jobId, type: 'AgentCompleted', ...e }));
  fs.appendFileSync(path.join(dir, file), `${lines.join('\n')}\n`);
}

export function writeDlqItem(home: string, repo: string, jobId: string, itemId: string): void {
  const dir = storePaths(home).dlqItemsDir(repo, jobId);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `${itemId}.json`),
    JSON.stringify({ item_id: itemId, item: {}, error: 'boom', attempts: 3, output_tail: [], failed_at: iso(T0) }),
  );
}
