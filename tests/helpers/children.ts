/**
 * Child processes a test started and must not outlive it, even when the test fails half-way. They get
 * SIGTERM (a prodigy runner then stops its own agents and exits), and SIGKILL if they have not exited
 * once the grace is over. A detached child is signalled as its whole process group.
 */
import type { ChildProcess } from 'node:child_process';

/** Each child, and whether it leads its own process group (spawned detached). */
const started = new Map<ChildProcess, boolean>();

export function tracked<C extends ChildProcess>(child: C, opts: { group: boolean }): C {
  started.set(child, opts.group);
  child.once('exit', () => started.delete(child));
  return child;
}

const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

function signal(child: ChildProcess, sig: NodeJS.Signals, group: boolean): void {
  try {
    if (group && child.pid) process.kill(-child.pid, sig);
    else child.kill(sig);
  } catch {
    /* already gone */
  }
}

export async function stopTrackedChildren(graceMs = 5000): Promise<void> {
  const left = [...started].filter(([child]) => running(child));
  started.clear();
  await Promise.all(
    left.map(async ([child, group]) => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      signal(child, 'SIGTERM', group);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), graceMs);
      });
      if ((await Promise.race([exited, late])) === 'late') signal(child, 'SIGKILL', group);
      clearTimeout(timer);
    }),
  );
}
