/**
 * `npm run chaos -- --rounds N [--seed S] [--only mapreduce|sequential] [--json]`: N rounds of each kind
 * (scripts/chaos-rounds.ts says what a round does and checks), one at a time, then the table and the
 * plain line `rounds, passed, double-completions, leftovers`. Exit 1 unless every round passed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChaosKind, type RoundResult, formatSummary, runRound, summarize } from './chaos-rounds.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const rounds = Number(opt('rounds') ?? 20);
const seed = Number(opt('seed') ?? Date.now() % 1_000_000);
const only = opt('only') as ChaosKind | undefined;
const json = args.includes('--json');
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write('chaos: --rounds must be a positive integer\n');
  process.exit(2);
}
const kinds: ChaosKind[] = only ? [only] : ['mapreduce', 'sequential'];
const bin = path.join(root, 'bin', 'prodigy.js');
const results: RoundResult[] = [];
process.stderr.write(`chaos: seed ${seed}, ${rounds} round(s) of ${kinds.join(' and ')}\n`);
for (let i = 0; i < rounds; i++) {
  for (const kind of kinds) {
    const r = await runRound(kind, seed + i * 7919 + (kind === 'sequential' ? 1 : 0), bin);
    results.push(r);
    process.stderr.write(`${r.passed ? 'ok  ' : 'FAIL'} ${kind.padEnd(10)} seed ${r.seed}  runs ${r.runs}  kills: ${r.kills.join('; ') || 'none'}\n`);
    for (const p of r.problems) process.stderr.write(`       ${p}\n`);
  }
}
if (json) process.stdout.write(`${JSON.stringify({ seed, ...summarize(results), results }, null, 2)}\n`);
else process.stdout.write(`${formatSummary(results)}\n`);
const s = summarize(results);
process.exit(s.passed === s.rounds && s.doubles === 0 && s.leftovers === 0 ? 0 : 1);
