/** Running the git CLI: every git call of the project goes through here, so "git is missing" is one error. */
import { execFile, type ExecFileOptionsWithStringEncoding } from 'node:child_process';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class GitMissingError extends Error {
  constructor() {
    super('git is not installed (no `git` on the PATH)');
    this.name = 'GitMissingError';
  }
}

/** Runs `git <args>` in `cwd`; a non-zero exit is a result, not a throw (callers decide what it means). */
export function runGit(cwd: string, args: string[]): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    // No prompts from git (credentials, editors): a run must never wait on a hidden question.
    const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', GIT_MERGE_AUTOEDIT: 'no' };
    // Its own process group: a Ctrl+C at the terminal (sent to the whole foreground group) must not kill
    // a merge half-way (a half-updated session worktree fails every later merge); the run waits for it.
    const options: ExecFileOptionsWithStringEncoding & { detached: boolean } = { cwd, env, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', detached: true };
    execFile('git', args, options, (err, stdout, stderr) => {
      // A missing binary is a string code ('ENOENT'); git's own exit status is a number.
      const code = (err as { code?: unknown } | null)?.code;
      if (code === 'ENOENT') {
        reject(new GitMissingError());
        return;
      }
      resolve({ code: err ? (typeof code === 'number' ? code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Like runGit, but a non-zero exit throws with git's own first line of complaint. */
export async function git(cwd: string, args: string[]): Promise<string> {
  const r = await runGit(cwd, args);
  if (r.code !== 0) throw new Error(`git ${args[0]}: ${firstLine(r.stderr) || `exit ${r.code}`}`);
  return r.stdout;
}

export function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
}
