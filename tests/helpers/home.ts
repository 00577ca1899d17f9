import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = path.join(repoRoot, 'tests', 'fixtures');

const made = new Set<string>();

/**
 * A fresh, empty folder under $TMPDIR, removed after its test file (tests/setup.ts calls
 * removeTempDirs), so a run of the suite leaves no folder behind.
 */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** A fresh, empty PRODIGY_HOME for one test. */
export function tempHome(prefix = 'prodigy-home-'): string {
  return tempDir(prefix);
}

/** Removes every folder tempDir made in this test file. */
export function removeTempDirs(): void {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.clear();
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
