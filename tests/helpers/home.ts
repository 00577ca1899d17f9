import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = path.join(repoRoot, 'tests', 'fixtures');

/** A fresh, empty PRODIGY_HOME for one test. */
export function tempHome(prefix = 'prodigy-home-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Copies the Prodigy-format fixture sessions into a home's sessions folder. */
export function seedProdigyFixtures(home: string): string[] {
  const src = path.join(fixturesDir, 'prodigy-sessions');
  const dst = path.join(home, 'sessions');
  fs.mkdirSync(dst, { recursive: true });
  const names = fs.readdirSync(src).filter((n) => n.endsWith('.json'));
  for (const n of names) fs.copyFileSync(path.join(src, n), path.join(dst, n));
  return names.map((n) => n.replace(/\.json$/, ''));
}
