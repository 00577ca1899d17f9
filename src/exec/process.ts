/**
 * Running one child process in its own process group, so a timeout or an interrupt can stop everything
 * it started (`sh -c "make"` and make's own children) with one `kill(-pgid)`. Output is streamed as it
 * comes (for the log and the live tail) and also collected (for capture and `${shell.output}`).
 */
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { releaseGroup, watchGroup } from './group-watchdog.js';

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Milliseconds; at expiry the whole group gets SIGTERM, then SIGKILL after `killGraceMs`. */
  timeoutMs?: number;
  /** Aborting stops the whole group the same way (an interrupt). */
  signal?: AbortSignal;
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Called with the child's pid (= its process group id) as soon as it runs. */
  onSpawn?: (pid: number) => void;
  killGraceMs?: number;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stdout and stderr interleaved in arrival order. */
  output: string;
  timedOut: boolean;
  aborted: boolean;
  pid: number | undefined;
  /** The process could not be started (e.g. ENOENT), with the system's code. */
  spawnError?: NodeJS.ErrnoException;
}

/**
 * Process groups started here and still running: a second Ctrl+C kills them synchronously on exit, and
 * the watchdog (group-watchdog.ts) kills them when this process dies without running any hook (SIGKILL).
 */
const liveGroups = new Set<number>();

function addGroup(pgid: number): void {
  liveGroups.add(pgid);
  watchGroup(pgid);
}

function removeGroup(pgid: number): void {
  if (liveGroups.delete(pgid)) releaseGroup(pgid);
}

export function killGroup(pgid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/** True while any process of the group is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Groups started elsewhere (slot hosts) join the set a second Ctrl+C kills. */
export function trackGroup(pgid: number): void {
  addGroup(pgid);
}

export function untrackGroup(pgid: number): void {
  removeGroup(pgid);
}

export function killAllGroups(sig: NodeJS.Signals = 'SIGKILL'): void {
  for (const pgid of liveGroups) killGroup(pgid, sig);
}

/** A command's timeout and the interrupt, watched: either sends its group SIGTERM, then SIGKILL after a grace. */
export interface StopWatch {
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** The command ended: cancel the timers and stop listening for the interrupt. */
  dispose(): void;
}

export function watchForStop(pgid: number, spec: Pick<ProcessSpec, 'timeoutMs' | 'signal' | 'killGraceMs'>): StopWatch {
  const timers: NodeJS.Timeout[] = [];
  const stop = () => {
    killGroup(pgid, 'SIGTERM');
    const t = setTimeout(() => killGroup(pgid, 'SIGKILL'), spec.killGraceMs ?? 2000);
    t.unref();
    timers.push(t);
  };
  const onAbort = () => {
    watch.aborted = true;
    stop();
  };
  const watch = {
    timedOut: false,
    aborted: false,
    dispose() {
      for (const t of timers) clearTimeout(t);
      spec.signal?.removeEventListener('abort', onAbort);
    },
  };
  if (spec.timeoutMs !== undefined) {
    timers.push(
      setTimeout(() => {
        watch.timedOut = true;
        stop();
      }, spec.timeoutMs),
    );
  }
  if (spec.signal?.aborted) onAbort();
  else spec.signal?.addEventListener('abort', onAbort, { once: true });
  return watch;
}

export function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let output = '';
    let settled = false;
    let watch: StopWatch | null = null;
    let closeWait: NodeJS.Timeout | undefined;
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    const finish = (r: Omit<ProcessResult, 'stdout' | 'output' | 'timedOut' | 'aborted' | 'pid'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(closeWait);
      watch?.dispose();
      const timedOut = watch?.timedOut ?? false;
      const aborted = watch?.aborted ?? false;
      if (pid !== undefined) {
        removeGroup(pid);
        // The leader is gone; anything of its group still alive after a stop is an orphan in the making.
        if ((timedOut || aborted) && groupAlive(pid)) killGroup(pid, 'SIGKILL');
      }
      resolve({ ...r, stdout, output, timedOut, aborted, pid });
    };
    child.once('error', (err: NodeJS.ErrnoException) => finish({ exitCode: null, signal: null, spawnError: err }));
    if (pid === undefined) return;
    addGroup(pid);
    spec.onSpawn?.(pid);
    const took = (text: string, stream: 'stdout' | 'stderr') => {
      if (!text) return;
      if (stream === 'stdout') stdout += text;
      output += text;
      spec.onOutput?.(text, stream);
    };
    // A character whose bytes a pipe read splits is decoded whole with the next read, not as two U+FFFD.
    for (const stream of ['stdout', 'stderr'] as const) {
      const decoder = new StringDecoder('utf8');
      const pipe = child[stream]!;
      pipe.on('data', (buf: Buffer) => took(decoder.write(buf), stream));
      pipe.once('end', () => took(decoder.end(), stream));
    }
    watch = watchForStop(pid, spec);
    child.once('exit', (code, sig) => {
      // A background grandchild may keep the pipes open; do not wait for it longer than a moment.
      closeWait = setTimeout(() => {
        child.stdout!.destroy();
        child.stderr!.destroy();
        finish({ exitCode: code, signal: sig });
      }, 200);
      child.once('close', () => finish({ exitCode: code, signal: sig }));
    });
  });
}

/** A shell command to run: `ProcessSpec` without the executable, plus the script text. */
export type ShellSpec = Omit<ProcessSpec, 'command' | 'args'> & {
  script: string;
  /** Per-command variables (item data, captures: env-export.ts) on top of `env`. */
  exports?: Readonly<Record<string, string>>;
  /**
   * Agent-side completion record (slot hosts): once the command has exited, and before the runner hears
   * of it, the host appends `<tag>\t<status>\t<script file>` to `file` (src/mapreduce/completions.ts).
   */
  record?: {
    file: string;
    tag: string;
    /**
     * Whether a resume needs this command's output too, not only its status. Slot hosts: keep its own
     * output files until `dropKept` (a later command of the same item would overwrite the slot's shared
     * files). Recorded steps (recorded-shell.ts): copy stdout (fifo + tee); `false`: status only, no
     * extra process. Default: as the launcher finds cheapest and safe (slot hosts: shared files;
     * recorded steps: copy).
     */
    keep?: boolean;
  };
};

/**
 * How `shell:` commands get run. The default forks `sh -c <script>` from this process; the MapReduce
 * agent pool injects slot hosts (slot-host.ts) instead, which fork from a small shell.
 */
export type ShellLauncher = (spec: ShellSpec) => Promise<ProcessResult>;

export const spawnShell: ShellLauncher = ({ script, exports, ...rest }) =>
  runProcess({ ...rest, env: exports ? { ...rest.env, ...exports } : rest.env, command: 'sh', args: ['-c', script] });
