/**
 * `npm run bench [-- --json] [-- --only store,workflow]`: every benchmark section, each figure printed
 * beside the floor or peer measured in the same run. `--json` prints one object: figure name -> number.
 */
import { benchStore } from './store.js';

type Section = { name: string; run: () => Promise<Record<string, number>> };

const sections: Section[] = [{ name: 'store', run: benchStore }];

async function loadOptional(name: string, file: string, fn: string): Promise<void> {
  try {
    const mod = (await import(file)) as Record<string, () => Promise<Record<string, number>>>;
    if (typeof mod[fn] === 'function') sections.push({ name, run: mod[fn]! });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
  }
}

await loadOptional('listing', './store.js', 'benchListing');
await loadOptional('workflow', './workflow-overhead.js', 'benchWorkflowOverhead');
await loadOptional('workflow_scale', './workflow-overhead.js', 'benchWorkflowScale');
await loadOptional('mapreduce', './mapreduce.js', 'benchMapReduce');
await loadOptional('mapreduce_scale', './mapreduce.js', 'benchMapReduceScale');
await loadOptional('dashboard', './dashboard.js', 'benchDashboard');
await loadOptional('dashboard_job', './dashboard-job.js', 'benchDashboardJob');
await loadOptional('worktrees', './worktrees.js', 'benchWorktrees');
await loadOptional('queue', './queue.js', 'benchQueue');
await loadOptional('mask', './mask.js', 'benchMask');

const args = process.argv.slice(2);
const json = args.includes('--json');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice(7) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg ? new Set(onlyArg.split(',')) : null;

const all: Record<string, number> = {};
for (const s of sections) {
  if (only && !only.has(s.name)) continue;
  const figures = await s.run();
  Object.assign(all, figures);
  if (!json) {
    const w = Math.max(...Object.keys(figures).map((k) => k.length));
    process.stdout.write(`\n${s.name}\n${'-'.repeat(w + 14)}\n`);
    for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(w)}  ${String(v).padStart(12)}\n`);
  }
}
if (json) process.stdout.write(`${JSON.stringify(all)}\n`);
