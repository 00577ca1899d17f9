/**
 * `prodigy run` and `prodigy resume` on a terminal: the run itself is the plain command with `--no-tui` in
 * a child process (so it behaves exactly as without the view), and this process shows the dashboard's
 * detail view of it.
 * Ctrl+C in the view (or a SIGINT to this process) is a SIGINT to the run: it pauses and exits 130, the
 * view closes, and the run's own plain lines are printed so the scrollback tells what happened.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createDashboardControl } from '../control/dashboard-control.js';
import { defaultProdigyBin } from '../control/run-control.js';
import { EXIT } from './errors.js';
import { findRepoRoot } from './tui.js';

export interface LiveRunOptions {
  home: string;
  /** The session the child runs: chosen here for a new run, the resumed one for a resume. */
  sessionId: string;
  /** The child's command line after `prodigy --home <home>`; it must include `--no-tui`. */
  childArgs: string[];
  cwd: string;
}

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: EXIT.interrupted, SIGTERM: 143, SIGHUP: 129, SIGKILL: 137 };

function startRun(o: LiveRunOptions): ChildProcess {
  const bin = defaultProdigyBin();
  const script = bin.endsWith('.js');
  const args = [...(script ? [bin] : []), '--home', o.home, ...o.childArgs];
  // Detached: the run is in its own process group, so it outlives the view if the user leaves it running.
  return spawn(script ? process.execPath : bin, args, {
    cwd: process.cwd(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PRODIGY_HOME: o.home },
  });
}

/** Runs the workflow under the live view; resolves with the exit code `prodigy run` should end with. */
export async function runWithLiveView(o: LiveRunOptions): Promise<number> {
  const sessionId = o.sessionId;
  const child = startRun(o);
  if (child.pid === undefined) throw new Error('could not start the run');
  const pid = child.pid;
  const transcript: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => transcript.push(b));
  child.stderr!.on('data', (b: Buffer) => transcript.push(b));
  let exitCode: number | null = null;
  const ended = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? (SIGNAL_EXIT[signal] ?? EXIT.failed) : EXIT.failed);
      resolve(exitCode);
    });
  });
  // Closing the terminal or a SIGTERM reaches the run as it would without the view.
  let forwarded = false;
  const forward = (sig: NodeJS.Signals) => {
    forwarded = true;
    try {
      process.kill(pid, sig);
    } catch {
      // already ended
    }
  };
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  const { runDashboard } = await import('./tui-app.js');
  let store: Awaited<ReturnType<typeof runDashboard>>['store'];
  try {
    ({ store } = await runDashboard({
      home: o.home,
      focus: sessionId,
      ownRun: { id: sessionId, pid },
      control: createDashboardControl(o.home, { cwd: o.cwd }),
      repoPath: findRepoRoot(o.cwd),
      color: !process.env.NO_COLOR,
      // The run's end closes the view, even if it came before the first frame.
      onStart: (s) => void ended.then((code) => s.getState().runEnded(sessionId, code, null)),
    }));
  } finally {
    process.off('SIGTERM', forward);
    process.off('SIGHUP', forward);
  }
  if (exitCode === null && !forwarded && !store.getState().started[sessionId]?.stopping) {
    // The user quit the view and left the run going.
    child.stdout!.destroy();
    child.stderr!.destroy();
    child.unref();
    process.stdout.write(`Still running in the background: session ${sessionId} (watch it with prodigy tui)\n`);
    return EXIT.ok;
  }
  const code = await ended;
  process.stdout.write(Buffer.concat(transcript));
  return code;
}
