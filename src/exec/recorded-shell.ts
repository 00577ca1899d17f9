/**
 * `sh -c` with an agent-side completion record, for the sequential executor's `shell:` steps (the
 * MapReduce agents' slot hosts do the same in their loop, slot-host.ts). The step's script runs in an
 * inner `sh`; its stdout is also copied (tee) to `<dir>/<tag>.out`; once it has exited, the outer shell
 * appends `<tag>\t<status>\t<dir>/<tag>` to the completions file — before the runner hears the exit — so
 * a runner killed in between finds the step done on resume (src/mapreduce/completions.ts replays it).
 * Costs two more small processes per step (the outer sh and tee).
 */
import fs from 'node:fs';
import path from 'node:path';
import { runProcess, type ShellLauncher } from './process.js';

const WRAPPER =
  '{ sh -c "$1" sh; echo $? >"$2.status"; } | tee "$2.out"; IFS= read -r s <"$2.status"; ' +
  'printf \'%s\\t%s\\t%s\\n\' "$3" "$s" "$2" >>"$4"; exit "$s"';

export function recordedShell(dir: string): ShellLauncher {
  return ({ script, exports, record, ...rest }) => {
    const env = exports ? { ...rest.env, ...exports } : rest.env;
    if (!record) return runProcess({ ...rest, env, command: 'sh', args: ['-c', script] });
    fs.mkdirSync(dir, { recursive: true });
    const base = path.join(dir, record.tag.replace(/\t/g, '.'));
    fs.rmSync(`${base}.out`, { force: true });
    return runProcess({ ...rest, env, command: 'sh', args: ['-c', WRAPPER, 'prodigy-step', script, base, record.tag, record.file] });
  };
}
