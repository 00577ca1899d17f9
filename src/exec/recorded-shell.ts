/**
 * `sh -c` with an agent-side completion record, for the sequential executor's `shell:` steps (the
 * MapReduce agents' slot hosts do the same in their loop, slot-host.ts). The step's script runs in an
 * inner `sh`; its stdout is also copied (tee) to `<dir>/<tag>.out` (`dir`: completions.ts's
 * recordOutputsDir, outside the store); once it has exited, the outer shell
 * appends `<tag>\t<status>\t<dir>/<tag>` to the completions file — before the runner hears the exit — so
 * a runner killed in between finds the step done on resume (src/mapreduce/completions.ts replays it).
 * Costs two more small processes per step (the outer sh and tee).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runProcess, type ShellLauncher } from './process.js';

/**
 * The wrapper traps SIGINT / SIGTERM / SIGHUP (the step's own `sh` gets the default back at exec) and its
 * tee ignores them, so an interrupt of the group just as the step ends still records that end and keeps
 * its whole output; a step the signal killed (status > 128 with a signal seen) is not recorded.
 */
const WRAPPER =
  "trap 'x=1' INT TERM HUP; " +
  "{ trap 'x=1' INT TERM HUP; sh -c \"$1\" sh; echo $? >\"$2.status\"; } | (trap '' INT TERM HUP; exec tee \"$2.out\"); " +
  'IFS= read -r s <"$2.status" 2>/dev/null || { s=137; x=1; }; ' +
  'if ! { [ -n "$x" ] && [ "$s" -gt 128 ]; }; then printf \'%s\\t%s\\t%s\\n\' "$3" "$s" "$2" >>"$4"; fi; ' +
  // Then a signalled wrapper dies of SIGTERM as an untrapped `sh -c` would have.
  '[ -z "$x" ] || { trap - INT TERM HUP; kill -TERM $$; }; exit "$s"';

export function recordedShell(dir: string): ShellLauncher {
  return ({ script, exports, record, ...rest }) => {
    const env = exports ? { ...rest.env, ...exports } : rest.env;
    if (!record) return runProcess({ ...rest, env, command: 'sh', args: ['-c', script] });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.dirname(record.file), { recursive: true });
    const base = path.join(dir, record.tag.replace(/\t/g, '.'));
    for (const f of [`${base}.out`, `${base}.status`]) fs.rmSync(f, { force: true });
    return runProcess({ ...rest, env, command: 'sh', args: ['-c', WRAPPER, 'prodigy-step', script, base, record.tag, record.file] });
  };
}
