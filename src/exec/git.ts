/** The little git a runner needs: is this a repository, and what is HEAD (for `commit_required`). */
import { execFile } from 'node:child_process';

function git(cwd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd }, (err, stdout) => resolve({ ok: !err, out: String(stdout).trim() }));
  });
}

/** undefined: not a git repository (commit_required is then not checked); null: a repository without commits. */
export async function gitHead(cwd: string): Promise<string | null | undefined> {
  if (!(await git(cwd, ['rev-parse', '--git-dir'])).ok) return undefined;
  const head = await git(cwd, ['rev-parse', '-q', '--verify', 'HEAD']);
  return head.ok && head.out ? head.out : null;
}
