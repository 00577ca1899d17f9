/**
 * `sh -c` with an agent-side completion record, for the sequential executor's `shell:` steps and
 * MapReduce setup / reduce (the agents' slot hosts do the same in their loop, slot-host.ts). The step's
 * script runs in the very shell the runner spawned (so `$$`, `$PPID`, signals and exit statuses are what
 * `sh -c <script>` gives), after a prologue that
 * - copies its stdout to `<dir>/<tag>.out` through a fifo and a background tee (`dir`: completions.ts's
 *   recordOutputsDir, outside the store: it is raw output); the tee ignores INT/TERM/HUP, so the copy
 *   is whole even when the group is stopped just as the script ends;
 * - on a normal exit (an EXIT trap: not run when a signal kills the shell) ignores INT/TERM/HUP and
 *   appends `<tag>\t<status>\t<dir>/<tag>` to the completions file — before the runner hears of the exit,
 *   so a runner killed in between finds the step done on resume (completions.ts replays it).
 * A status above 128 is not recorded (a signal's, under shells that run EXIT traps on signals).
 * The copy costs a mkfifo and a tee; a step whose output nobody reads (`record.keep === false`, see
 * executor.ts `outputNeeded`) records its status only, at no extra process: its replay has empty output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runProcess, type ShellLauncher } from './process.js';

const ARGS = '__prodigy_s=$1 __prodigy_b=$2 __prodigy_t=$3 __prodigy_c=$4; shift 4';
const COPY =
  'if mkfifo "$__prodigy_b.fifo" 2>/dev/null; then (trap \'\' INT TERM HUP; exec tee "$__prodigy_b.out" <"$__prodigy_b.fifo" >&3) 3>&1 & exec >"$__prodigy_b.fifo"; rm -f "$__prodigy_b.fifo"; fi';
const RECORD =
  "trap '__prodigy_x=$?; trap \"\" INT TERM HUP; [ \"$__prodigy_x\" -gt 128 ] || printf \"%s\\t%s\\t%s\\n\" \"$__prodigy_t\" \"$__prodigy_x\" \"$__prodigy_b\" >>\"$__prodigy_c\"; exit \"$__prodigy_x\"' EXIT";
const RUN = 'unset __prodigy_x; eval "$__prodigy_s"';
/** With the output copy (a step whose output a later step or a capture reads) and without (status only: no extra process). */
const PROLOGUE = [ARGS, COPY, RECORD, RUN].join('\n');
const PROLOGUE_STATUS_ONLY = [ARGS, RECORD, RUN].join('\n');

export function recordedShell(dir: string): ShellLauncher {
  return ({ script, exports, record, ...rest }) => {
    const env = exports ? { ...rest.env, ...exports } : rest.env;
    if (!record) return runProcess({ ...rest, env, command: 'sh', args: ['-c', script] });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.dirname(record.file), { recursive: true });
    const base = path.join(dir, record.tag.replace(/\t/g, '.'));
    for (const f of [`${base}.out`, `${base}.fifo`]) fs.rmSync(f, { force: true });
    return runProcess({ ...rest, env, command: 'sh', args: ['-c', record.keep === false ? PROLOGUE_STATUS_ONLY : PROLOGUE, 'sh', script, base, record.tag, record.file] });
  };
}
