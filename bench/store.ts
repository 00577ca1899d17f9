/**
 * Store benchmark: what the unified store costs against plain file I/O of the same bytes, measured in the
 * same run: a session update (lowdb write, temp + rename), a 1,000-session listing, and
 * `prodigy sessions list --json` over 1,000 sessions against `node -e ''`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnifiedSessionManager } from '../src/session/manager.js';
import { commandMs, median, nowMs, round } from './harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function seedSessions(home: string, n: number): Promise<void> {
  const dir = path.join(home, 'sessions');
  fs.mkdirSync(dir, { recursive: true });
  const start = Date.now() - n * 60_000;
  for (let i = 0; i < n; i++) {
    const id = `session-bench-${String(i).padStart(5, '0')}`;
    const t = new Date(start + i * 60_000).toISOString();
    const done = i % 3 !== 0;
    fs.writeFileSync(
      path.join(dir, `${id}.json`),
      JSON.stringify({
        id, session_type: 'Workflow', status: done ? 'Completed' : 'Paused', started_at: t, updated_at: t,
        completed_at: done ? t : null, metadata: { workflow_path: `workflows/w${i % 7}.yml` }, checkpoints: [],
        timings: { step_0: { secs: 3, nanos: 0 } }, error: null,
        workflow_data: {
          workflow_id: id, workflow_name: `bench-${i % 7}`, current_step: 2, total_steps: 5, completed_steps: [0, 1],
          variables: { A: 'x' }, iterations_completed: 0, files_changed: 0, worktree_name: null,
        },
        mapreduce_data: null,
      }, null, 2),
    );
  }
}

export async function benchStore(): Promise<Record<string, number>> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-store-'));
  const m = new UnifiedSessionManager(home);
  const s = await m.createWorkflowSession({ workflow_name: 'bench', total_steps: 200 });

  const updates: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = nowMs();
    await m.update(s.id, { workflow: { current_step: i }, variables: { [`v${i % 10}`]: String(i) } });
    updates.push(nowMs() - t);
  }
  const bytes = fs.readFileSync(m.store.paths.sessionFile(s.id), 'utf8');
  const raw: number[] = [];
  const target = path.join(home, 'raw.json');
  for (let i = 0; i < 200; i++) {
    const t = nowMs();
    fs.writeFileSync(`${target}.tmp`, bytes);
    fs.renameSync(`${target}.tmp`, target);
    raw.push(nowMs() - t);
  }

  const listHome = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-list-'));
  await seedSessions(listHome, 1000);
  const lm = new UnifiedSessionManager(listHome);
  const listTimes: number[] = [];
  const floorTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    let t = nowMs();
    await lm.list();
    listTimes.push(nowMs() - t);
    t = nowMs();
    const dir = path.join(listHome, 'sessions');
    await Promise.all(fs.readdirSync(dir).map((n) => fs.promises.readFile(path.join(dir, n), 'utf8').then(JSON.parse)));
    floorTimes.push(nowMs() - t);
  }
  const env = { ...process.env, PRODIGY_HOME: listHome };
  const cliMs = commandMs(process.execPath, [path.join(root, 'bin/prodigy.js'), 'sessions', 'list', '--json'], 5, env);
  const nodeMs = commandMs(process.execPath, ['-e', ''], 5);
  return {
    'store.update_ms': round(median(updates)),
    'store.update_floor_raw_write_rename_ms': round(median(raw)),
    'store.list_1000_ms': round(median(listTimes)),
    'store.list_1000_floor_read_parse_ms': round(median(floorTimes)),
    'store.cli_list_json_1000_ms': round(cliMs),
    'store.cli_floor_node_e_ms': round(nodeMs),
  };
}

/**
 * Listing at scale (issue 13): `prodigy sessions list --json` over 1,000 and 20,000 sessions run under
 * `ulimit -n 256`, beside a floor in the same run: a sequential read + JSON.parse of every file (one
 * node process: start-up included, as in the CLI). Also how many sessions it listed (must be all) and
 * its exit code. Target: all 20,000 listed, within 3x the floor.
 */
export async function benchListing(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const n of [1000, 20000]) {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'prodigy-bench-listing-'));
    try {
      await seedSessions(home, n);
      const dir = path.join(home, 'sessions');
      const floorScript = `const fs=require('fs'),p=require('path');const d=${JSON.stringify(dir)};let k=0;for(const f of fs.readdirSync(d)){JSON.parse(fs.readFileSync(p.join(d,f),'utf8'));k++}`;
      const runs = n > 5000 ? 1 : 3; // keeps the whole `npm run bench` under 6 minutes
      const floorMs = commandMs(process.execPath, ['-e', floorScript], runs);
      const times: number[] = [];
      let listed = 0;
      let code: number | null = 0;
      for (let i = 0; i < runs; i++) {
        const t = nowMs();
        const r = spawnSync('sh', ['-c', 'ulimit -n 256 && exec "$0" "$1" sessions list --json', process.execPath, path.join(root, 'bin/prodigy.js')], {
          env: { ...process.env, PRODIGY_HOME: home },
          encoding: 'utf8',
          maxBuffer: 512 * 1024 * 1024,
        });
        times.push(nowMs() - t);
        code = r.status;
        listed = (JSON.parse(r.stdout || '[]') as unknown[]).length;
      }
      const cliMs = median(times);
      out[`listing.cli_list_json_ulimit256_${n}_ms`] = round(cliMs);
      out[`listing.floor_sequential_read_parse_${n}_ms`] = round(floorMs);
      out[`listing.cli_vs_floor_${n}`] = round(cliMs / floorMs);
      out[`listing.listed_${n}`] = listed;
      out[`listing.exit_code_${n}`] = code ?? -1;
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  }
  out['listing.target_cli_vs_floor'] = 3;
  return out;
}
