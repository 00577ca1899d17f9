/** A real terminal for end-to-end tests: a private tmux server (its own socket), driven by send-keys. */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { vi } from 'vitest';

export class Tmux {
  // A fresh server socket per start: reusing one right after kill-server races the old server's exit.
  private socket = '';

  private static newSocket(): string {
    return `prodigy-e2e-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  }

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Starts `command` in a detached session of the given size, with `env` as its whole environment. */
  start(command: string, env: NodeJS.ProcessEnv, size = { columns: 100, rows: 30 }): void {
    if (this.socket) this.kill();
    this.socket = Tmux.newSocket();
    // The server inherits this environment, and the pane's shell inherits the server's.
    execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'e2e', '-x', String(size.columns), '-y', String(size.rows), command], {
      env,
    });
  }

  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', 'e2e']);
  }

  /** The screen with its colour and style escapes, as the terminal holds them. */
  styledScreen(): string {
    return this.tmux(['capture-pane', '-p', '-e', '-t', 'e2e']);
  }

  /** tmux's own view of the pane: is the alternate screen on, is the cursor shown. */
  flag(name: 'alternate_on' | 'cursor_flag'): string {
    return this.tmux(['display-message', '-p', '-t', 'e2e', `#{${name}}`]).trim();
  }

  /** The pid of the pane's first child (the command the pane's shell is running). */
  childPid(): number {
    const shell = this.tmux(['display-message', '-p', '-t', 'e2e', '#{pane_pid}']).trim();
    return Number(readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/)[0]);
  }

  /** The pane terminal's line discipline, as `stty -a` reads it (`-icanon -echo` when raw). */
  ttyModes(): string {
    const tty = this.tmux(['display-message', '-p', '-t', 'e2e', '#{pane_tty}']).trim();
    return execFileSync('stty', ['-F', tty, '-a'], { encoding: 'utf8' });
  }

  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', 'e2e', ...keys]);
  }

  resize(columns: number, rows: number): void {
    this.tmux(['resize-window', '-t', 'e2e', '-x', String(columns), '-y', String(rows)]);
  }

  async waitFor(test: (screen: string) => boolean, what: string, timeout = 15_000): Promise<string> {
    let last = '';
    await vi.waitFor(
      () => {
        last = this.screen();
        if (!test(last)) throw new Error(`waiting for ${what}; screen:\n${last}`);
      },
      { timeout, interval: 50 },
    );
    return last;
  }

  kill(): void {
    if (!this.socket) return;
    try {
      this.tmux(['kill-server']);
    } catch {
      /* already gone */
    }
    // The server leaves its socket file behind; this one was ours alone.
    const uid = process.getuid?.() ?? 0;
    rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, this.socket), { force: true });
    this.socket = '';
  }
}
