/**
 * The chaos suite's rounds (`npm run chaos`, scripts/chaos.ts; 3 rounds of each in `npm test`,
 * tests/integration/chaos.test.ts). A round runs the built `prodigy` on a 40-item MapReduce job or an
 * 8-step workflow in a fresh temp dir, sends random SIGINT / SIGTERM / SIGKILL — to the runner's process
 * group (as a terminal's Ctrl+C does) or to the runner alone, at a random moment, sometimes during the
 * resume — and resumes until the session is Completed. Then it checks:
 * - every item / step / setup / reduce done exactly once. Each command appends a marker line to a file
 *   outside the store as its very last action, so the rule for work in flight is: a command killed
 *   before it ends wrote no marker and must run again; one that wrote it has finished and must never run
 *   again, whenever its runner died. Every marker past the first of its unit is a double completion;
 * - the dead-letter queue holds exactly the items that always fail (and their attempts);
 * - every file under PRODIGY_HOME parses (sessions and jobs through the store's own validating readers,
 *   other JSON / JSON-lines files with JSON.parse; a torn last line of a killed writer is allowed);
 * - no process is left: nothing in /proc has the round's temp dir in its command line, cwd or
 *   environment (waited for, up to 10 s, then counted as leftovers);
 * - the final counts in the session and job.json.
 * Random choices come from a seeded generator: a round is named by its seed and can be replayed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJobState } from '../src/mapreduce/job-store.js';
import { UnifiedSessionManager } from '../src/session/manager.js';
import type { UnifiedSession } from '../src/session/types.js';
import { parseJsonLines } from '../src/storage/jsonl.js';

export type ChaosKind = 'mapreduce' | 'sequential';

export interface RoundResult {
  kind: ChaosKind;
  seed: number;
  passed: boolean;
  doubles: number;
  leftovers: number;
  kills: string[];
  runs: number;
  problems: string[];
}

const ITEMS = 40;
/** Items whose command always fails: they must end in the DLQ, after 1 + max_retries attempts. */
const FAILING = new Set([7, 17, 27, 37]);
const STEPS = 8;
const MAX_RUNS = 40;
const MAX_KILLS = 6;

/** mulberry32: small, seeded, good enough to pick moments and signals. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mapWorkflow(marks: string): string {
  return `name: chaos-map
mode: mapreduce
setup:
  - shell: "sleep 0.05; echo setup >> ${marks}/setup"
map:
  input: items.json
  json_path: "$[*]"
  max_parallel: 4
  agent_template:
    - shell: "sleep \${item.pause:sh}; if [ \${item.fail:sh} = yes ]; then echo \${item.n:sh} >> ${marks}/attempts; exit 3; fi; echo \${item.n:sh} >> ${marks}/items"
reduce:
  - shell: "sleep 0.05; echo reduce \${map.successful} \${map.failed} >> ${marks}/reduce"
error_policy:
  max_retries: 1
  continue_on_failure: true
`;
}

function seqWorkflow(marks: string, pauses: number[]): string {
  const steps = pauses.map((p, i) => {
    if (i === 2) return `  - shell: "sleep ${p}; echo value-3; echo step-3 >> ${marks}/steps"\n    capture_output: v3`;
    if (i === 6) return `  - shell: "sleep ${p}; echo step-7 \${v3} >> ${marks}/steps"`;
    return `  - shell: "sleep ${p}; echo step-${i + 1} >> ${marks}/steps"`;
  });
  return `name: chaos-seq\ncommands:\n${steps.join('\n')}\n`;
}

const lines = (file: string): string[] => {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

const tally = (ls: string[]) => ls.reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());

function onlySessionFile(home: string): string | null {
  const dir = path.join(home, 'sessions');
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.')) : [];
  return names.length === 1 ? names[0]!.slice(0, -'.json'.length) : null;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

/** Processes whose command line, cwd or environment name `dir` (not this process). */
export function processesUnder(dir: string): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const base = `/proc/${name}`;
    try {
      const hit =
        fs.readFileSync(`${base}/cmdline`, 'utf8').includes(dir) ||
        fs.readlinkSync(`${base}/cwd`).startsWith(dir) ||
        fs.readFileSync(`${base}/environ`, 'utf8').includes(dir);
      if (hit) found.push(Number(name));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

/** Every file of the store parses; problems are returned as lines. */
async function storeProblems(home: string, session: UnifiedSession | null): Promise<string[]> {
  const problems: string[] = [];
  const listing = await new UnifiedSessionManager(home).list();
  for (const p of listing.problems) problems.push(`${p.file}: ${p.reason}`);
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
  for (const file of walk(home)) {
    const name = path.basename(file);
    try {
      if (name.endsWith('.tmp')) problems.push(`${file}: a temp file left behind`);
      else if (name.endsWith('.json')) JSON.parse(fs.readFileSync(file, 'utf8'));
      else if (name.endsWith('.jsonl')) {
        const r = parseJsonLines(fs.readFileSync(file, 'utf8'));
        if (r.bad > 0) problems.push(`${file}: ${r.firstBad}`);
      }
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const jobId = session?.mapreduce_data?.job_id;
  if (jobId) {
    for (const repo of fs.readdirSync(path.join(home, 'state'))) {
      const f = path.join(home, 'state', repo, 'mapreduce', 'jobs', jobId, 'job.json');
      if (fs.existsSync(f)) await readJobState(f).catch((err: Error) => problems.push(err.message));
    }
  }
  return problems;
}

export async function runRound(kind: ChaosKind, seed: number, bin: string): Promise<RoundResult> {
  const random = rng(seed);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `prodigy-chaos-${kind}-`));
  const home = path.join(root, 'home');
  const ws = path.join(root, 'ws');
  const marks = path.join(root, 'marks');
  const tmp = path.join(root, 'tmp');
  for (const d of [home, ws, marks, tmp]) fs.mkdirSync(d);
  const file = path.join(ws, 'wf.yml');
  if (kind === 'mapreduce') {
    fs.writeFileSync(file, mapWorkflow(marks));
    const items = Array.from({ length: ITEMS }, (_, n) => ({ n, pause: (0.01 + random() * 0.05).toFixed(3), fail: FAILING.has(n) ? 'yes' : 'no' }));
    fs.writeFileSync(path.join(ws, 'items.json'), JSON.stringify(items));
  } else {
    fs.writeFileSync(file, seqWorkflow(marks, Array.from({ length: STEPS }, () => Number((0.02 + random() * 0.12).toFixed(3)))));
  }
  const env = { ...process.env, PRODIGY_HOME: home, NO_COLOR: '1', TMPDIR: tmp };
  const result: RoundResult = { kind, seed, passed: false, doubles: 0, leftovers: 0, kills: [], runs: 0, problems: [] };
  let completed = false;
  for (let run = 0; run < MAX_RUNS && !completed; run++) {
    const id = onlySessionFile(home);
    const args = id ? ['resume', id, '-y', '--no-tui'] : ['run', file, '--no-worktree', '--no-tui'];
    const child = spawn(process.execPath, [bin, ...args], { cwd: ws, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = exited(child);
    result.runs += 1;
    const killThis = result.kills.length < MAX_KILLS && random() < (run === 0 ? 0.9 : 0.5);
    let timer: NodeJS.Timeout | null = null;
    if (killThis) {
      const sig = (['SIGINT', 'SIGTERM', 'SIGKILL'] as const)[Math.floor(random() * 3)]!;
      const group = random() < 0.5;
      const delay = Math.floor(random() * 1500);
      timer = setTimeout(() => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        result.kills.push(`${args[0]}+${delay}ms ${sig} ${group ? 'group' : 'runner'}`);
        try {
          process.kill(group ? -child.pid! : child.pid!, sig);
        } catch {
          /* it ended meanwhile */
        }
      }, delay);
    }
    const { code, signal } = await done;
    if (timer) clearTimeout(timer);
    const sid = onlySessionFile(home);
    const status = sid ? (await new UnifiedSessionManager(home).load(sid).catch(() => null))?.status : undefined;
    // A signal that lands after the session completed ends that process with 130 / 143: it is done all the same.
    completed = status === 'Completed';
    if (code === 0 && !completed) result.problems.push(`exit 0 but the session is ${status ?? 'missing'}`);
    else if (code !== 0 && !(signal !== null || code === 130 || code === 137 || code === 143)) {
      result.problems.push(`${args[0]} exited ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`);
    }
  }
  if (!completed) result.problems.push(`not Completed after ${MAX_RUNS} runs`);

  const sid = onlySessionFile(home);
  const session = sid ? await new UnifiedSessionManager(home).load(sid).catch(() => null) : null;
  const once = (what: string, counts: Map<string, number>, expected: string[]) => {
    for (const u of expected) {
      const n = counts.get(u) ?? 0;
      if (n === 0) result.problems.push(`${what} ${u} never done`);
      if (n > 1) {
        result.doubles += n - 1;
        result.problems.push(`${what} ${u} done ${n} times`);
      }
    }
    for (const u of counts.keys()) if (!expected.includes(u)) result.problems.push(`unexpected ${what} marker ${u}`);
  };
  if (kind === 'mapreduce') {
    const ok = [...Array(ITEMS).keys()].filter((n) => !FAILING.has(n)).map(String);
    once('item', tally(lines(path.join(marks, 'items'))), ok);
    once('setup', tally(lines(path.join(marks, 'setup'))), ['setup']);
    once('reduce', tally(lines(path.join(marks, 'reduce'))), [`reduce ${ok.length} ${FAILING.size}`]);
    // Each failing item's attempts: 2 per map run that reached it (a retry is not a double).
    const jobId = session?.mapreduce_data?.job_id;
    const repo = jobId ? fs.readdirSync(path.join(home, 'dlq'))[0] : undefined;
    const dlq = repo && jobId ? fs.readdirSync(path.join(home, 'dlq', repo, jobId, 'items')).filter((n) => n.endsWith('.json')).sort() : [];
    const expectedDlq = [...FAILING].map((n) => `item-${n}.json`).sort();
    if (JSON.stringify(dlq) !== JSON.stringify(expectedDlq)) result.problems.push(`DLQ holds ${dlq.join(', ') || 'nothing'}, expected ${expectedDlq.join(', ')}`);
    const mr = session?.mapreduce_data;
    if (mr?.total_items !== ITEMS || mr.processed_items !== ITEMS || mr.failed_items !== FAILING.size) {
      result.problems.push(`session counts total ${mr?.total_items} processed ${mr?.processed_items} failed ${mr?.failed_items}`);
    }
    if (jobId && repo) {
      const job = await readJobState(path.join(home, 'state', repo, 'mapreduce', 'jobs', jobId, 'job.json')).catch(() => null);
      const c = tally((job?.items ?? []).map((i) => i.status));
      if (c.get('completed') !== ok.length || c.get('dead') !== FAILING.size) result.problems.push(`job.json counts ${JSON.stringify([...c])}`);
      if (!job?.setup_completed || !job.reduce_completed) result.problems.push('job.json: setup or reduce not completed');
    }
  } else {
    const expected = Array.from({ length: STEPS }, (_, i) => (i === 6 ? 'step-7 value-3' : `step-${i + 1}`));
    once('step', tally(lines(path.join(marks, 'steps'))), expected);
  }
  result.problems.push(...(await storeProblems(home, session)));
  // Nothing of the round may live on once it is over.
  await waitFor(() => processesUnder(root).length === 0, 10_000);
  const left = processesUnder(root);
  result.leftovers = left.length;
  if (left.length) result.problems.push(`processes left: ${left.join(' ')}`);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  result.passed = result.problems.length === 0;
  if (result.passed) fs.rmSync(root, { recursive: true, force: true });
  else result.problems.push(`kept for a look: ${root}`);
  return result;
}

export interface ChaosSummary {
  rounds: number;
  passed: number;
  doubles: number;
  leftovers: number;
}

export function summarize(results: readonly RoundResult[]): ChaosSummary {
  return {
    rounds: results.length,
    passed: results.filter((r) => r.passed).length,
    doubles: results.reduce((n, r) => n + r.doubles, 0),
    leftovers: results.reduce((n, r) => n + r.leftovers, 0),
  };
}

/** The table (one row per kind and the total) and the plain line. */
export function formatSummary(results: readonly RoundResult[]): string {
  const rows = (['mapreduce', 'sequential'] as const).map((k) => [k, summarize(results.filter((r) => r.kind === k))] as const);
  const all = summarize(results);
  const head = ['kind', 'rounds', 'passed', 'double-completions', 'leftovers'];
  const body = [...rows, ['total', all] as const].map(([k, s]) => [k, String(s.rounds), String(s.passed), String(s.doubles), String(s.leftovers)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(head), ...body.map(fmt), `rounds ${all.rounds}, passed ${all.passed}, double-completions ${all.doubles}, leftovers ${all.leftovers}`].join('\n');
}
