/** Real git repositories for tests: a temp folder with one commit on `main`, identity in the env only. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './home.js';

/** Git identity for the test and its children; the user's own git config is never read or written. */
export const gitEnv: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function gitIn(dir: string, args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...gitEnv } }).trim();
}

/** A repository on branch main holding `files`, committed. */
export function makeRepo(files: Record<string, string> = { 'README.md': 'hello\n' }): string {
  const dir = tempDir('prodigy-repo-');
  gitIn(dir, ['init', '-q', '-b', 'main']);
  writeFiles(dir, files);
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-qm', 'initial']);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

export function commitAll(dir: string, message: string): void {
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-qm', message]);
}

export const headOf = (dir: string): string => gitIn(dir, ['rev-parse', 'HEAD']);
export const logOf = (dir: string): string[] => gitIn(dir, ['log', '--format=%s']).split('\n');
export const statusOf = (dir: string): string => gitIn(dir, ['status', '--porcelain']);
