import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { findMapping } from '../../src/storage/job-mapping.js';
import { listDlqItems } from '../../src/mapreduce/dlq.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { prodigy } from '../helpers/cli.js';
import { onlySession, workspace } from './workflow-helpers.js';

const good = {
  id: 'hostile',
  session_type: 'Workflow',
  status: 'Paused',
  started_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  metadata: {},
  checkpoints: [],
  timings: {},
  error: null,
  workflow_data: null,
  mapreduce_data: null,
};

function put(home: string, name: string, text: string): string {
  const file = path.join(home, 'sessions', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('hostile files in the store', () => {
  it('wrong types in each field: reported with path and field, never resumed, left byte for byte', async () => {
    const cases: [string, unknown][] = [
      ['checkpoints', 'x'],
      ['status', 42],
      ['metadata', []],
      ['timings', { a: 'slow' }],
      ['id', '../../etc/passwd'],
      ['started_at', null],
      ['mapreduce_data', { job_id: '../../evjob' }],
    ];
    for (const [field, value] of cases) {
      const home = tempHome();
      const text = JSON.stringify({ ...good, [field]: value });
      const file = put(home, 'hostile.json', text);
      const r = prodigy(['resume', 'hostile', '-y'], { home });
      expect(r.code, field).not.toBe(0);
      expect(r.stderr, field).toMatch(new RegExp(`^prodigy: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: field ${field}`));
      expect(r.stderr.split('\n').filter(Boolean), field).toHaveLength(1);
      expect(fs.readFileSync(file, 'utf8'), field).toBe(text);
      expect((await new UnifiedSessionManager(home).listResumable()).map((s) => s.id), field).toEqual([]);
    }
  });

  it('null, a folder and a symlink as session files: one line each, no raw JS error, no quoted target bytes', () => {
    const home = tempHome();
    put(home, 'nul.json', 'null');
    fs.mkdirSync(path.join(home, 'sessions', 'dir.json'));
    const secret = path.join(tempDir('outside-'), 'secret.txt');
    fs.writeFileSync(secret, 'TOPSECRET-BYTES');
    fs.symlinkSync(secret, path.join(home, 'sessions', 'link.json'));
    for (const id of ['nul', 'dir', 'link']) {
      const r = prodigy(['sessions', 'show', id], { home });
      expect(r.code, id).not.toBe(0);
      expect(r.stderr, id).not.toMatch(/TypeError|EISDIR|at .*\.js|TOPSECRET/);
      expect(r.stderr.trim().split('\n'), id).toHaveLength(1);
    }
    const list = prodigy(['sessions', 'list', '--json'], { home });
    expect(list.stderr).not.toContain('TOPSECRET');
    expect(list.stderr).toContain('is a symbolic link');
    expect(list.stderr).toContain('is a folder');
  });

  it('a mapping whose job_id leaves $PRODIGY_HOME is reported, not followed; so is a DLQ item with a bad id', async () => {
    const home = tempHome();
    const dir = path.join(home, 'state', 'repo', 'mappings');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'job-x.json');
    fs.writeFileSync(file, JSON.stringify({ session_id: 's', job_id: '../../evjob', repo: 'repo', workflow_name: 'w', created_at: '' }));
    await expect(findMapping(home, 'job-x')).rejects.toThrow(`${file}: field job_id`);
    const r = prodigy(['dlq', 'list', 'job-x'], { home });
    expect(r.stdout + r.stderr).not.toMatch(/TypeError|at .*\.js/);
    expect(fs.existsSync(path.join(home, '..', 'evjob'))).toBe(false);

    const dlq = tempDir('dlq-');
    fs.writeFileSync(path.join(dlq, 'item-1.json'), JSON.stringify({ item_id: '../../x', item: 1, error: 'e', attempts: 1, output_tail: [], failed_at: '' }));
    const listing = await listDlqItems(dlq);
    expect(listing.items).toEqual([]);
    expect(listing.problems[0]!.reason).toMatch(/^field item_id/);
  });
});

/**
 * A real job, run to the end, then turned back into a Paused one with item-1 pending (a valid job a
 * resume would carry on). Each case then spoils one file; the resume must refuse it.
 */
function pausedJob(): { home: string; ws: { dir: string; file: string }; jobFile: string; journal: string; eventsDir: string; sessionFile: string } {
  const home = tempHome();
  const ws = workspace(`name: hostile-job
mode: mapreduce
map:
  input: "echo '[1, 2]'"
  max_parallel: 2
  agent_template:
    - shell: "echo \${item} >> marks"
`);
  const run = prodigy(['run', ws.file, '--no-worktree'], { home, cwd: ws.dir });
  expect(run.code, run.stderr).toBe(0);
  const s = onlySession(home);
  const jobId = s.mapreduce_data!.job_id;
  const repo = fs.readdirSync(path.join(home, 'state')).find((r) => fs.existsSync(path.join(home, 'state', r, 'mapreduce', 'jobs', jobId)))!;
  const jobFile = path.join(home, 'state', repo, 'mapreduce', 'jobs', jobId, 'job.json');
  const eventsDir = path.join(home, 'events', repo, jobId);
  // Forget item-1's completion: job.json says pending, the event log never saw it end.
  const job = JSON.parse(fs.readFileSync(jobFile, 'utf8')) as Record<string, unknown> & { items: Record<string, unknown>[] };
  Object.assign(job.items[1]!, { status: 'pending', ended_at: null, result: null });
  Object.assign(job, { phase: 'Map', reduce_completed: false });
  fs.writeFileSync(jobFile, JSON.stringify(job));
  for (const name of fs.readdirSync(eventsDir)) {
    const f = path.join(eventsDir, name);
    const kept = fs.readFileSync(f, 'utf8').split('\n').filter((l) => l && !(l.includes('"item-1"') && /AgentCompleted|worktree/.test(l)) && !l.includes('JobCompleted'));
    fs.writeFileSync(f, kept.map((l) => `${l}\n`).join(''));
  }
  const sessionFile = path.join(home, 'sessions', `${s.id}.json`);
  fs.writeFileSync(sessionFile, JSON.stringify({ ...s, status: 'Paused', completed_at: null, mapreduce_data: { ...s.mapreduce_data, phase: 'Map' } }));
  fs.writeFileSync(path.join(ws.dir, 'marks'), '');
  return { home, ws, jobFile, journal: path.join(path.dirname(jobFile), 'job.journal.jsonl'), eventsDir, sessionFile };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('hostile MapReduce job files', () => {
  it('wrong types in job.json, its journal or its event log: one line with path and field, never resumed, every file left byte for byte', () => {
    const base = pausedJob();
    const snapshot = (dir: string): string =>
      fs.readdirSync(dir, { withFileTypes: true, recursive: true }).map((d) => {
        const p = path.join(d.parentPath, d.name);
        return d.isFile() ? `${p}\n${fs.readFileSync(p, 'utf8')}` : p;
      }).sort().join('\n');
    const edits: [string, (j: ReturnType<typeof pausedJob>) => string, RegExp][] = [
      ['items', (j) => patchJob(j.jobFile, (o) => (o.items = 'x')), /field items: expected array/],
      ['items[0].status', (j) => patchJob(j.jobFile, (o) => (o.items[0].status = 42)), /field items\[0\]\.status/],
      ['items[1].id', (j) => patchJob(j.jobFile, (o) => (o.items[1].id = '../../x')), /field items\[1\]\.id: not a valid id/],
      ['repo', (j) => patchJob(j.jobFile, (o) => (o.repo = '../..')), /field repo/],
      ['phase', (j) => patchJob(j.jobFile, (o) => (o.phase = 'Later')), /field phase: not one of/],
      ['max_parallel', (j) => patchJob(j.jobFile, (o) => (o.max_parallel = '8')), /field max_parallel: expected number/],
      ['setup_completed', (j) => patchJob(j.jobFile, (o) => (o.setup_completed = 'yes')), /field setup_completed/],
      ['variables', (j) => patchJob(j.jobFile, (o) => (o.variables = { a: 1 })), /field variables\.a/],
      ['job_id', (j) => patchJob(j.jobFile, (o) => (o.job_id = null)), /field job_id/],
      ['null', (j) => (fs.writeFileSync(j.jobFile, 'null'), j.jobFile), /: the file: expected object/],
      [
        'journal item',
        (j) => (fs.appendFileSync(j.journal, `${JSON.stringify({ v: 1, seq: 99, at: 'now', items: [[1, { id: 'item-1', index: 1, item: 2, status: 'done', attempts: 1 }]] })}\n`), j.journal),
        /line 1: field items\[0\]\[1\]\.status: not one of/,
      ],
      [
        'journal position',
        (j) => (fs.appendFileSync(j.journal, `${JSON.stringify({ v: 1, seq: 99, at: 'now', items: [[7, { id: 'item-7', index: 7, item: 2, status: 'completed', attempts: 1 }]] })}\n`), j.journal),
        /seq 99: item position 7 is not in job\.json/,
      ],
      [
        'event item_id',
        (j) => {
          const f = path.join(j.eventsDir, fs.readdirSync(j.eventsDir)[0]!);
          fs.appendFileSync(f, `${JSON.stringify({ timestamp: 'now', job_id: 'x', type: 'AgentCompleted', item_id: '../../item-1' })}\n`);
          return f;
        },
        /line \d+: field item_id: not a valid id/,
      ],
    ];
    for (const [what, spoil, reason] of edits) {
      const j = pausedJob();
      const file = spoil(j);
      const before = snapshot(j.home);
      const r = prodigy(['resume-job', onlySession(j.home).mapreduce_data!.job_id, '-y', '--no-tui'], { home: j.home, cwd: j.ws.dir });
      expect(r.code, what).toBe(1);
      expect(r.stderr, what).toMatch(new RegExp(`^prodigy: ${escapeRe(file)}: .*`));
      expect(r.stderr, what).toMatch(reason);
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(r.stderr, what).not.toMatch(/TypeError|at .*\.js/);
      expect(snapshot(j.home), what).toBe(before);
      expect(fs.readFileSync(path.join(j.ws.dir, 'marks'), 'utf8'), what).toBe('');
    }
    // The control: the same job unspoilt, and with a torn last journal line (a kill mid-write), resumes
    // and runs item-1 alone.
    fs.appendFileSync(base.journal, '{"v":1,"seq":99,"at":"now","items":[[1,');
    const ok = prodigy(['resume-job', onlySession(base.home).mapreduce_data!.job_id, '-y', '--no-tui'], { home: base.home, cwd: base.ws.dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(fs.readFileSync(path.join(base.ws.dir, 'marks'), 'utf8')).toBe('2\n');
  });
});

function patchJob(file: string, edit: (o: any) => void): string {
  const o = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(o);
  fs.writeFileSync(file, JSON.stringify(o));
  return file;
}
