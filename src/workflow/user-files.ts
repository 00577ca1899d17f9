/**
 * Files a run reads by a relative name (map.input, env_files, secret files). A worktree holds only
 * committed files, so one the user has not committed (untracked) is not there: it is read from the
 * user's own directory instead, and one line says so.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface LocatedFile {
  path: string;
  /** Set when the file came from the user's directory because the run's directory lacks it. */
  note?: string;
}

/**
 * `rel` in `runDir`, else in `userDir` (when that is another directory and has it), else the path in
 * `runDir` (so "no such file" names where the run looked first).
 */
export function locateRunFile(rel: string, runDir: string, userDir: string | undefined, what: string): LocatedFile {
  const own = path.resolve(runDir, rel);
  if (fs.existsSync(own) || !userDir || path.resolve(userDir) === path.resolve(runDir) || path.isAbsolute(rel)) return { path: own };
  const theirs = path.resolve(userDir, rel);
  if (!fs.existsSync(theirs)) return { path: own };
  return { path: theirs, note: `Note: ${what} ${rel} is not in the run's worktree (not committed): read from ${theirs}` };
}
