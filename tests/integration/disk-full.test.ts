/**
 * Disk full, for real: PRODIGY_HOME on a small tmpfs that the test fills while a run is in the middle of
 * a step or an item. Needs mount(2) (root, or a container that allows it); where mounting is not
 * permitted the tests skip and say so. Whatever write meets ENOSPC first, the run must end with one
 * line, exit 1, leave the session resumable and no temp file of its own, and `resume` must complete once
 * the space is back.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { prodigy } from '../helpers/cli.js';
import { tempDir } from '../helpers/home.js';
import { lines, onlySession, pidAlive, startProdigy, until, workspace } from './workflow-helpers.js';

const mounted: string[] = [];

/** A tmpfs of `kb` KiB, or why there is none. */
function tmpfs(kb: number): { dir: string } | { why: string } {
  const dir = tempDir('prodigy-tmpfs-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return { why: `mounting a tmpfs is not permitted here (${(r.stderr || r.error?.message || 'mount failed').trim()})` };
  mounted.push(dir);
  return { dir };
}

afterEach(() => {
  for (const dir of mounted.splice(0)) spawnSync('umount', ['-l', dir]);
});

/** Fills the file system holding `dir` to the last byte (a file of zeros, written until ENOSPC). */
function fill(dir: string): string {
  const file = path.join(dir, 'fill');
  const fd = fs.openSync(file, 'a');
  const block = Buffer.alloc(4096);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  // The last partial block too.
  try {
    for (;;) fs.writeSync(fd, block, 0, 1);
  } catch {
    /* full */
  }
  fs.closeSync(fd);
  return file;
}

/** Every temp file under a folder (the store's writers name theirs `.<name>...tmp`). */
function tempFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.startsWith('.') && d.name.endsWith('.tmp'))
    .map((d) => path.join(d.parentPath, d.name));
}

const tally = (file: string) => lines(file).reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());

async function fullDiskRun(home: string, ws: { dir: string; file: string }, waitFor: () => boolean) {
  const run = startProdigy(['run', ws.file, '--no-worktree', '--no-tui'], { home, cwd: ws.dir });
  await until(waitFor, 60_000, 'the run to reach its waiting command');
  const filler = fill(home);
  fs.writeFileSync(path.join(ws.dir, 'go'), '');
  const exit = await run.exit;
  return { exit, stderr: run.stderr(), stdout: run.stdout(), filler };
}

function expectCleanFailure(r: { exit: { code: number | null }; stderr: string }, home: string): string {
  expect(r.exit.code, r.stderr).toBe(1);
  const errLines = r.stderr.split('\n').filter(Boolean);
  expect(errLines, r.stderr).toHaveLength(1);
  expect(errLines[0]).toMatch(new RegExp(`^prodigy: disk full writing ${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\S+$`));
  expect(r.stderr).not.toMatch(/ENOSPC|at .*\.js|Error:/);
  expect(tempFiles(home)).toEqual([]);
  // Paused when the pause could still be written; else Running with its owner gone (read as interrupted).
  const s = onlySession(home);
  expect(['Paused', 'Running']).toContain(s.status);
  if (s.status === 'Running') expect(s.metadata.owner_pid === undefined || !pidAlive(s.metadata.owner_pid as number)).toBe(true);
  return s.status;
}

/** Crashed writers' temp files, planted where the store's writers put theirs: the next run removes them. */
function plantStaleTemps(home: string, sessionId: string): string[] {
  const planted = [
    path.join(home, 'sessions', `.${sessionId}.json.tmp`),
    path.join(home, 'sessions', `.${sessionId}.json.999999999.7.tmp`),
    path.join(home, 'sessions', `.${sessionId}.lock.999999999.ab12cd34.tmp`),
  ];
  for (const f of planted) fs.writeFileSync(f, 'x'.repeat(100));
  return planted;
}

/** The failed run's checks, then space freed, crashed writers' temp files planted, and a resume to the end. */
async function failThenResume(r: Awaited<ReturnType<typeof fullDiskRun>>, home: string, ws: { dir: string }): Promise<void> {
  expectCleanFailure(r, home);
  const s = onlySession(home);
  expect((await new UnifiedSessionManager(home).listResumable()).map((x) => x.id)).toContain(s.id);
  fs.rmSync(r.filler);
  const stale = plantStaleTemps(home, s.id);
  const again = prodigy(['resume', s.id, '-y', '--no-tui'], { home, cwd: ws.dir });
  expect(again.code, again.stderr).toBe(0);
  expect(onlySession(home).status).toBe('Completed');
  for (const f of stale) expect(fs.existsSync(f), f).toBe(false);
}

describe('disk full under PRODIGY_HOME (a real tmpfs)', () => {
  it('sequential workflow: one line, exit 1, resumable, no temp files; after freeing space resume completes, each step once (the one in flight at most twice)', async () => {
    const fs_ = tmpfs(384);
    // .ci/run runs as root, where mount(2) is allowed: a machine without it cannot run this test, and says so.
    if ('why' in fs_) throw new Error(`needs a tmpfs mount: ${fs_.why}`);
    const home = fs_.dir;
    const ws = workspace(`name: full-seq
commands:
  - shell: "echo one >> done"
  - shell: "echo two >> started; while [ ! -f go ]; do sleep 0.05; done; for i in $(seq 1 300); do echo line $i of a long output that the log keeps; done; echo two >> done"
  - shell: "echo three >> done"
  - shell: "echo four >> done"
`);
    const r = await fullDiskRun(home, ws, () => lines(path.join(ws.dir, 'started')).length === 1);
    await failThenResume(r, home, ws);
    // Step two was in flight when the disk filled: it finished, but nothing could record that (no write
    // can, on a full disk), so the resume may run it again. Every other step ran exactly once.
    const done = tally(path.join(ws.dir, 'done'));
    expect([...done.keys()].sort()).toEqual(['four', 'one', 'three', 'two']);
    expect([done.get('one'), done.get('three'), done.get('four')]).toEqual([1, 1, 1]);
    expect(done.get('two')).toBeLessThanOrEqual(2);
  });

  it('MapReduce: one line, exit 1, resumable, no temp files; after freeing space resume completes, each item once (those in flight at most twice)', async () => {
    const fs_ = tmpfs(512);
    if ('why' in fs_) throw new Error(`needs a tmpfs mount: ${fs_.why}`);
    const home = fs_.dir;
    const ws = workspace(`name: full-map
mode: mapreduce
map:
  input: items.json
  json_path: "$[*]"
  max_parallel: 3
  agent_template:
    - shell: "echo \${item.n:sh} >> started; while [ ! -f go ]; do sleep 0.05; done; for i in $(seq 1 100); do echo output line $i; done; echo \${item.n:sh} >> done"
reduce:
  - shell: "echo reduce >> reduced"
`);
    fs.writeFileSync(path.join(ws.dir, 'items.json'), JSON.stringify(Array.from({ length: 12 }, (_, n) => ({ n }))));
    const r = await fullDiskRun(home, ws, () => lines(path.join(ws.dir, 'started')).length >= 3);
    const inFlight = new Set(lines(path.join(ws.dir, 'started')));
    await failThenResume(r, home, ws);
    // The items in flight when the disk filled may run again (their completion could not be written
    // anywhere); every other item ran exactly once.
    const done = tally(path.join(ws.dir, 'done'));
    expect(done.size).toBe(12);
    for (const [item, n] of done) expect(n, `item ${item}`).toBeLessThanOrEqual(inFlight.has(item) ? 2 : 1);
    expect(lines(path.join(ws.dir, 'reduced'))).toEqual(['reduce']);
  });
});
