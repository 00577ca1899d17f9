/**
 * The chaos suite, short: 3 rounds of each kind (scripts/chaos-rounds.ts says what a round does and
 * checks). Random signals at random moments against the real built `prodigy`; nothing here is timed: a
 * round waits for each run's exit and resumes until the session is Completed. `npm run chaos -- --rounds
 * 20` is the long version.
 */
import { describe, expect, it } from 'vitest';
import { type ChaosKind, runRound } from '../../scripts/chaos-rounds.js';
import { prodigyBin } from '../helpers/cli.js';

describe('chaos: random SIGINT / SIGTERM / SIGKILL, resumed to the end', () => {
  for (const kind of ['mapreduce', 'sequential'] as ChaosKind[]) {
    it(`${kind}: 3 rounds, each unit done exactly once, DLQ and counts exact, every file parses, no process left`, async () => {
      const seed = Math.floor(Math.random() * 1_000_000);
      for (let i = 0; i < 3; i++) {
        const r = await runRound(kind, seed + i, prodigyBin);
        expect({ seed: r.seed, kills: r.kills, problems: r.problems }).toEqual({ seed: r.seed, kills: r.kills, problems: [] });
        expect(r.doubles).toBe(0);
        expect(r.leftovers).toBe(0);
      }
    }, 600_000);
  }
});
