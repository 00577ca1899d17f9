/**
 * Slot hosts: one long-lived small `sh` per agent slot that runs the slot's `shell:` commands one after
 * another, so the runner does not fork itself once per command.
 *
 * Why: forking from the ~100 MB Node process (page tables copied, pipes, a new process group) costs the
 * runner ~1 ms of CPU per command and was ~90% of its CPU on a job of short commands; forking from a
 * small shell is cheap, and the runner only writes one request line and reads one reply line.
 *
 * Protocol: the runner writes the command's text to `<dir>/<slot>.sh` and sends that path (and where to
 * record the completion, see HOST_LOOP) on the host's stdin; the host runs `sh <file>` with stdin
 * /dev/null, stdout to `<file>.out` and stderr to `<file>.err`, then answers the exit status as one line
 * on its stdout. The runner reads the
 * two files when the reply comes (and `peek()`s at them while the command runs, for the live tail).
 *
 * The host is detached (its own process group, like every child of the runner), so a timeout or an
 * interrupt kills the whole group (host, command and whatever it started); the slot's next command gets
 * a fresh host. A host keeps the environment and cwd it was started with: a command with a different
 * one gets a fresh host (agents always use the job's, so that does not happen in practice).
 * A status > 128 means the command died of a signal (the shell reports 128 + n), as for any `sh`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { groupAlive, killGroup, type ProcessResult, type ShellLauncher, type ShellSpec, trackGroup, untrackGroup, watchForStop } from './process.js';

/**
 * A request is three lines: the script file's name inside the slot folder (the host's `$1`), the
 * completions file ('' for none) and the record's tag.
 *
 * The command runs in a subshell of the host that sources the script (`( . file )`), not in a new `sh`:
 * a fork of the small host without an exec costs ~0.15 ms where `sh file` costs ~0.7 ms here (loading and
 * linking the shell again), which on a job of short commands is most of the machine's CPU. What the
 * command sees is what `sh -c` gives it (Prodigy's way): `$0` is `sh`, no positional parameters, the
 * host's own variables unset (`_pdg_f`, the script's path, is the one left), traps reset to their
 * defaults (POSIX: a subshell resets caught signals). One difference: `$$` is the host's pid, shared
 * by the commands that run one after another on a slot (docs/prodigy-compatibility.md).
 *
 * The record is one short O_APPEND write, made before the reply: a runner SIGKILLed after the command
 * ended still finds the completion (and the output files it names) on resume. The host traps SIGINT /
 * SIGTERM / SIGHUP (its command does not: see above), so an interrupt that stops the group just as a
 * command ends still lets the host record that end; a command the signal killed (status > 128 with a
 * signal seen) is not recorded: it did not finish and must run again.
 */
const HOST_LOOP =
  "trap '_pdg_x=1' INT TERM HUP; _pdg_d=$1; shift; " +
  'while IFS= read -r _pdg_f && IFS= read -r _pdg_c && IFS= read -r _pdg_t; do ' +
  '_pdg_f="$_pdg_d/$_pdg_f"; ' +
  '( unset -v _pdg_d _pdg_c _pdg_t _pdg_s _pdg_x; . "$_pdg_f" ) </dev/null >"$_pdg_f.out" 2>"$_pdg_f.err"; _pdg_s=$?; ' +
  'if [ -n "$_pdg_c" ] && ! { [ -n "$_pdg_x" ] && [ "$_pdg_s" -gt 128 ]; }; then ' +
  'printf \'%s\\t%s\\t%s\\n\' "$_pdg_t" "$_pdg_s" "$_pdg_f" >>"$_pdg_c"; fi; ' +
  // Then a signalled host dies of SIGTERM as it would have untrapped (the runner reads that as a kill).
  '[ -z "$_pdg_x" ] || { trap - INT TERM HUP; kill -TERM $$; }; echo $_pdg_s; done';

interface Reply {
  /** The command's exit status, or null when the host itself ended (killed) first. */
  status: number | null;
  signal: NodeJS.Signals | null;
}

function sameEnv(a: NodeJS.ProcessEnv, b: NodeJS.ProcessEnv): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

/** `export NAME='value'` lines: per-command variables for a host that keeps one environment. */
function exportLines(exports: Readonly<Record<string, string>> | undefined): string {
  if (!exports) return '';
  return Object.entries(exports)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'\n`)
    .join('');
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Replaces a file's text in place. Not writeFileSync: on ext4, emptying a file that holds data and
 * writing it again makes the kernel flush it to disk on close (auto_da_alloc), ~0.8 ms a command here;
 * writing over it and cutting it to the new length does not.
 */
function overwrite(file: string, text: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    fd = fs.openSync(file, 'w');
  }
  try {
    const n = fs.writeSync(fd, text, 0);
    fs.ftruncateSync(fd, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** The last `maxBytes` of a file, without a first line that was cut. '' when missing. */
export function readTail(file: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    const n = fs.readSync(fd, buf, 0, buf.length, start);
    const text = buf.subarray(0, n).toString('utf8');
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    fs.closeSync(fd);
  }
}

/** One slot's host process and the command it is running. */
export class SlotHost {
  private child: ChildProcess | null = null;
  private env: NodeJS.ProcessEnv | null = null;
  private cwd: string | null = null;
  private replyBuf = '';
  /** The command waiting for its reply, and the host it runs on (an old host's exit is not its reply). */
  private waiting: { host: ChildProcess; resolve: (r: Reply) => void } | null = null;
  /** The running command's script file (its output is `<file>.out` / `<file>.err`). */
  private current: string | null = null;
  /** Numbers the kept commands' own files. */
  private seq = 0;
  /** Files of recorded commands, kept until the caller has recorded their item (`dropKept`). */
  private kept: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly name: string,
  ) {}

  /** Process group id of the live host (it leads its own group). */
  get pgid(): number | undefined {
    return this.child?.pid;
  }

  /** What the running command wrote so far (the last `maxBytes` of each stream), for a live tail. */
  peek(maxBytes = 2048): { stdout: string; stderr: string } | null {
    if (!this.current) return null;
    return { stdout: readTail(`${this.current}.out`, maxBytes), stderr: readTail(`${this.current}.err`, maxBytes) };
  }

  /** Starts a host with this env and cwd unless the live one has them. Resolves the spawn error, if any. */
  private ensure(env: NodeJS.ProcessEnv, cwd: string): Promise<NodeJS.ErrnoException | null> {
    if (this.child && this.cwd === cwd && this.env && sameEnv(this.env, env)) return Promise.resolve(null);
    this.stop(false);
    const child = spawn('sh', ['-c', HOST_LOOP, 'sh', this.dir], { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
    return new Promise((resolve) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (this.child === child) this.child = null;
        resolve(err);
      });
      if (child.pid === undefined) return;
      this.child = child;
      this.env = env;
      this.cwd = cwd;
      this.replyBuf = '';
      trackGroup(child.pid);
      // The runner may exit while the host is gone already: a write error is the exit handler's business.
      child.stdin!.on('error', () => undefined);
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (text: string) => {
        this.replyBuf += text;
        const nl = this.replyBuf.indexOf('\n');
        if (nl < 0) return;
        const line = this.replyBuf.slice(0, nl);
        this.replyBuf = this.replyBuf.slice(nl + 1);
        this.settle(child, { status: Number(line), signal: null });
      });
      child.once('exit', (_code, sig) => {
        untrackGroup(child.pid!);
        if (this.child === child) this.child = null;
        // Killed (timeout, interrupt): anything of its group still alive (the command's children) goes
        // too. A host that ended on its own (stdin closed) leaves background jobs be, like `sh -c` does.
        if (sig !== null && groupAlive(child.pid!)) killGroup(child.pid!, 'SIGKILL');
        this.settle(child, { status: null, signal: sig });
      });
      child.once('spawn', () => resolve(null));
    });
  }

  private settle(host: ChildProcess, r: Reply): void {
    const w = this.waiting;
    if (w?.host !== host) return;
    this.waiting = null;
    w.resolve(r);
  }

  /** Runs one command on this slot's host. Same result shape as `runProcess`. */
  readonly run: ShellLauncher = async (spec: ShellSpec): Promise<ProcessResult> => {
    const none = { stdout: '', output: '', timedOut: false, aborted: false };
    if (spec.signal?.aborted) return { ...none, exitCode: null, signal: null, aborted: true, pid: undefined };
    const spawnError = await this.ensure(spec.env, spec.cwd);
    const child = this.child;
    if (spawnError || !child) {
      return { ...none, exitCode: null, signal: null, pid: undefined, spawnError: spawnError ?? new Error('slot host ended') };
    }
    const pid = child.pid!;
    // One script (and output) file per slot, overwritten by each command: creating and removing three
    // files per command cost the runner more than the command itself (directory updates on ext4).
    // (Except a recorded command that asks to be kept: a file of its own, see `record.keep`.)
    const keep = spec.record?.keep === true;
    const file = path.join(this.dir, keep ? `${this.name}-${++this.seq}.sh` : `${this.name}.sh`);
    overwrite(file, exportLines(spec.exports) + spec.script);
    this.current = file;
    const reply = new Promise<Reply>((resolve) => (this.waiting = { host: child, resolve }));
    spec.onSpawn?.(pid);
    child.stdin!.write(`${path.basename(file)}\n${spec.record?.file ?? ''}\n${spec.record?.tag ?? ''}\n`);
    // Watched from here: the interrupt may have come while a fresh host was starting.
    const watch = watchForStop(pid, spec);
    const r = await reply;
    watch.dispose();
    const { timedOut, aborted } = watch;
    this.current = null;
    const stdout = readOrEmpty(`${file}.out`);
    const stderr = readOrEmpty(`${file}.err`);
    if (keep) {
      // A recorded command of a multi-command item: its files are what a resume replays it from, until
      // its item is recorded (the slot's next command must not overwrite them).
      this.kept.push(file, `${file}.out`, `${file}.err`);
    } else {
      // Removed now, so the slot's next command never shows this one's output in a peek before its shell
      // has made the files anew (removed, not emptied: see overwrite).
      if (stdout) fs.rmSync(`${file}.out`, { force: true });
      if (stderr) fs.rmSync(`${file}.err`, { force: true });
    }
    if (stdout) spec.onOutput?.(stdout, 'stdout');
    if (stderr) spec.onOutput?.(stderr, 'stderr');
    // A reply that raced a kill still counts as the kill: the command did not finish on its own terms.
    const killed = timedOut || aborted;
    if (killed && this.child === child) this.stop(true);
    return {
      exitCode: killed ? null : r.status,
      signal: killed ? (r.signal ?? 'SIGTERM') : r.signal,
      stdout,
      output: stdout + stderr,
      timedOut,
      aborted,
      pid,
    };
  };

  /** Removes the kept files of recorded commands (their item is recorded now). */
  dropKept(): void {
    for (const f of this.kept) fs.rmSync(f, { force: true });
    this.kept = [];
  }

  /** Ends the host: idle, it leaves when its stdin closes; `kill` stops its whole group at once. */
  stop(kill: boolean): void {
    const child = this.child;
    if (!child) return;
    this.child = null;
    child.stdin!.end();
    if (kill && child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
  }
}

const DIR_PREFIX = 'prodigy-slots-';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A runner that crashed (SIGKILL) could not remove its folder: whoever starts next does, once its pid is gone. */
export function removeStaleSlotDirs(tmp: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(tmp);
  } catch {
    return;
  }
  for (const n of names) {
    const m = n.startsWith(DIR_PREFIX) ? /^(\d+)-/.exec(n.slice(DIR_PREFIX.length)) : null;
    if (m && !pidAlive(Number(m[1]))) fs.rmSync(path.join(tmp, n), { recursive: true, force: true });
  }
}

/** The hosts of one agent pool, one per slot, and the folder their scripts and outputs live in. */
export class SlotHosts {
  private readonly hosts = new Map<string, SlotHost>();
  private dir: string | null = null;

  /** The host of a slot (created on first use); its `run` is the slot's launcher. */
  slot(key: string): SlotHost {
    let h = this.hosts.get(key);
    if (!h) {
      if (!this.dir) {
        removeStaleSlotDirs(os.tmpdir());
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${DIR_PREFIX}${process.pid}-`));
      }
      h = new SlotHost(this.dir, key.replace(/[^A-Za-z0-9_-]/g, '_'));
      this.hosts.set(key, h);
    }
    return h;
  }

  /**
   * Ends every host (after the pool is done); `kill` (an interrupt) stops their groups at once.
   * `keepFiles`: the folder stays (recorded commands' output, for a resume); the next run removes it.
   */
  close(kill: boolean, opts: { keepFiles?: boolean } = {}): void {
    for (const h of this.hosts.values()) h.stop(kill);
    this.hosts.clear();
    if (this.dir && !opts.keepFiles) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
