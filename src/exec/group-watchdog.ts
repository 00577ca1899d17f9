/**
 * Every process group this runner starts dies with it, however it dies (SIGKILL included).
 *
 * Why: a runner killed with SIGKILL runs no exit hook; its agents' groups kept running, finished their
 * items unrecorded, and the resume ran those items again (44 of 127 in-flight items in 20 chaos rounds).
 *
 * How: one small watchdog process per runner (`awk`, in its own process group so a terminal's Ctrl+C
 * does not reach it), started with the first group. The runner writes `+<pgid>` when a group starts and
 * `-<pgid>` when it ends, on the watchdog's stdin — a pipe only the runner holds. When the runner dies the
 * kernel closes that pipe, awk reaches the end of its input and stops every group still listed (SIGTERM,
 * then SIGKILL a second later). A
 * runner that exits normally closes the pipe too, after its own exit hook stopped its groups, so the list
 * is empty by then. Cost: one process per runner and a few bytes per command; no polling.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/**
 * SIGTERM first, SIGKILL a second later: the slot hosts and step wrappers trap SIGTERM just long enough
 * to record a command that ended as the runner died (completions.ts); the commands themselves die of it.
 */
const PROGRAM =
  '/^[+]/ { g[substr($0, 2)] = 1 } /^-/ { delete g[substr($0, 2)] } ' +
  'END { n = 0; for (p in g) { n++; system("kill -TERM -" p " 2>/dev/null") } if (n) { system("sleep 1"); for (p in g) system("kill -9 -" p " 2>/dev/null") } }';

let watchdog: ChildProcess | null = null;
let failed = false;

function ensure(): ChildProcess | null {
  if (watchdog || failed) return watchdog;
  try {
    const child = spawn('awk', [PROGRAM], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.once('error', () => {
      failed = true;
      if (watchdog === child) watchdog = null;
    });
    child.once('exit', () => {
      if (watchdog === child) watchdog = null;
    });
    // The watchdog never keeps the runner alive: neither the process nor its pipe holds the event loop.
    child.unref();
    child.stdin!.on('error', () => undefined);
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    watchdog = child;
  } catch {
    failed = true;
  }
  return watchdog;
}

/** A group started: if this process dies before `released(pgid)`, the watchdog kills it. */
export function watchGroup(pgid: number): void {
  ensure()?.stdin!.write(`+${pgid}\n`);
}

/** The group ended (or was stopped): forget it, so a later group with the same id is not killed. */
export function releaseGroup(pgid: number): void {
  watchdog?.stdin!.write(`-${pgid}\n`);
}

/** The watchdog's pid (tests: it must exit with the runner). */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}
