/**
 * Slot hosts with real processes: a slot's commands run one after another on one long-lived `sh`, with
 * the same results as `sh -c` (exit codes, stdout, stderr, quoting), and timeouts and interrupts still
 * stop whole process groups.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { failureReason } from '../../src/exec/command.js';
import { type ShellSpec, spawnShell } from '../../src/exec/process.js';
import { removeStaleSlotDirs, SlotHosts } from '../../src/exec/slot-host.js';
import { tempDir } from '../helpers/home.js';
import { pidAlive, until } from './workflow-helpers.js';

const open: SlotHosts[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close(true);
});

function hosts(): SlotHosts {
  const h = new SlotHosts();
  open.push(h);
  return h;
}

const slotDir = (): string => tempDir('prodigy-slot-test-');

const env = { ...process.env, PRODIGY_SESSION_ID: 'session-slot-test' };
const spec = (script: string, more: Partial<ShellSpec> = {}): ShellSpec => ({ script, cwd: slotDir(), env, ...more });

/** Commands whose text must reach the shell untouched: quotes, `$`, newlines, here-documents, exit. */
const SCRIPTS = [
  'true',
  'exit 3',
  'echo out; echo err >&2; exit 7',
  `x='a "b" $HOME \\n'; printf '%s\\n' "$x"`,
  'echo "it\'s $((6 * 7))"\necho line2\n\necho "$PRODIGY_SESSION_ID"',
  'cat <<EOF\nhere $PRODIGY_SESSION_ID\n  indented "q"\nEOF',
  'for i in 1 2 3; do\n  echo "n=$i"\ndone | tail -n 1',
  'printf "no newline"',
  'cat; echo "stdin was empty"',
  'if then fi',
  // What `sh -c` gives a command: $0 sh, no arguments, none of the host's own variables, no traps.
  'echo "0=$0 #=$# [$*] ${_pdg_d-}${_pdg_c-}${_pdg_t-}${_pdg_s-}${_pdg_x-}"; trap',
];

describe('slot host (real processes)', () => {
  it('gives the same exit code, stdout and stderr as sh -c, for every command, on one host', async () => {
    const slot = hosts().slot('agent-1');
    const pids = new Set<number | undefined>();
    for (const script of SCRIPTS) {
      const cwd = slotDir();
      const want = await spawnShell({ script, cwd, env });
      const seen: string[] = [];
      // One cwd for the whole slot: a host keeps the cwd it started in.
      const got = await slot.run({ ...spec(script), cwd: os.tmpdir(), onOutput: (t) => seen.push(t) });
      pids.add(got.pid);
      expect({ script, code: got.exitCode, stdout: got.stdout }).toEqual({ script, code: want.exitCode, stdout: want.stdout });
      // Both wrote to stderr, or neither (a syntax error names `sh -c` or the script file).
      expect(got.output.length > got.stdout.length).toBe(want.output.length > want.stdout.length);
      expect(seen.join('')).toBe(got.output);
      expect(failureReason(got)).toBe(failureReason(want));
    }
    // Every command ran on the same long-lived host.
    expect(pids.size).toBe(1);
  });

  it('runs in the given cwd with the given environment; another cwd or env gets a fresh host', async () => {
    const slot = hosts().slot('agent-1');
    const a = slotDir();
    const first = await slot.run(spec('pwd; echo "$PRODIGY_SESSION_ID"', { cwd: a }));
    expect(first.stdout).toBe(`${fs.realpathSync(a)}\nsession-slot-test\n`);
    const b = slotDir();
    const second = await slot.run(spec('pwd; echo "$PRODIGY_SESSION_ID"', { cwd: b, env: { ...env, PRODIGY_SESSION_ID: 'other' } }));
    expect(second.stdout).toBe(`${fs.realpathSync(b)}\nother\n`);
    expect(second.pid).not.toBe(first.pid);
    // The old host leaves once its stdin closes.
    await until(() => !pidAlive(first.pid!), 5000, 'the first host to leave');
  });

  it('a missing cwd fails the command with a start error, like a spawn', async () => {
    const r = await hosts().slot('agent-1').run(spec('true', { cwd: path.join(slotDir(), 'gone') }));
    expect(r.spawnError?.code).toBe('ENOENT');
    expect(failureReason(r)).toMatch(/^could not start: /);
  });

  it('a timeout kills the command whole group (children too); the slot goes on with a fresh host', async () => {
    const dir = slotDir();
    const slot = hosts().slot('agent-1');
    const r = await slot.run(spec('sleep 30 & echo $! > bg.pid; sleep 30', { cwd: dir, timeoutMs: 300 }));
    expect(r.timedOut).toBe(true);
    expect(failureReason(r, 0.3)).toBe('timed out after 0.3s (process group killed)');
    const bg = Number(fs.readFileSync(path.join(dir, 'bg.pid'), 'utf8'));
    await until(() => !pidAlive(bg) && !pidAlive(r.pid!), 5000, 'the timed-out group to be gone');
    const next = await slot.run(spec('echo again', { cwd: dir }));
    expect(next.stdout).toBe('again\n');
    expect(next.pid).not.toBe(r.pid);
  });

  it('an interrupt stops every slot at once; closing kills idle hosts too', async () => {
    const dir = slotDir();
    const pool = hosts();
    const ac = new AbortController();
    const idle = pool.slot('agent-4');
    const idleRun = await idle.run(spec('true', { cwd: dir }));
    const runs = [1, 2, 3].map((n) =>
      pool.slot(`agent-${n}`).run(spec(`echo $$ > ${n}.pid; sleep 30`, { cwd: dir, signal: ac.signal })),
    );
    await until(() => [1, 2, 3].every((n) => fs.existsSync(path.join(dir, `${n}.pid`)) && fs.statSync(path.join(dir, `${n}.pid`)).size > 0), 5000, 'three commands to start');
    ac.abort();
    const results = await Promise.all(runs);
    expect(results.map((r) => [r.aborted, failureReason(r)])).toEqual([
      [true, 'interrupted'],
      [true, 'interrupted'],
      [true, 'interrupted'],
    ]);
    const commands = [1, 2, 3].map((n) => Number(fs.readFileSync(path.join(dir, `${n}.pid`), 'utf8')));
    await until(() => [...commands, ...results.map((r) => r.pid!)].every((p) => !pidAlive(p)), 5000, 'every agent group to be gone');
    expect(pidAlive(idleRun.pid!)).toBe(true);
    pool.close(true);
    await until(() => !pidAlive(idleRun.pid!), 5000, 'the idle host to be gone');
  });

  it('an already aborted signal runs nothing', async () => {
    const dir = slotDir();
    const ac = new AbortController();
    ac.abort();
    const r = await hosts().slot('agent-1').run(spec('touch ran', { cwd: dir, signal: ac.signal }));
    expect(r.aborted).toBe(true);
    expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
  });

  it('peek shows what a running command wrote so far', async () => {
    const dir = slotDir();
    const slot = hosts().slot('agent-1');
    expect(slot.peek()).toBeNull();
    const run = slot.run(spec('echo first; echo warn >&2; while [ ! -f go ]; do sleep 0.02; done; echo second', { cwd: dir }));
    await until(() => slot.peek()?.stdout === 'first\n' && slot.peek()?.stderr === 'warn\n', 5000, 'the first lines');
    fs.writeFileSync(path.join(dir, 'go'), '');
    const r = await run;
    expect(r.stdout).toBe('first\nsecond\n');
    expect(slot.peek()).toBeNull();
  });

  it("a command's own signal kills it: the host's trap is not inherited", async () => {
    const slot = hosts().slot('agent-1');
    const got = await slot.run(spec(`kill -INT $(exec sh -c 'echo $PPID'); echo survived`));
    expect(got.stdout).toBe('');
    expect(got.exitCode).toBe(130);
    expect((await slot.run(spec('echo next'))).stdout).toBe('next\n');
  });

  it('a command that kills its own group fails like a killed sh -c; the slot carries on', async () => {
    const slot = hosts().slot('agent-1');
    const r = await slot.run(spec('kill -TERM 0; sleep 5'));
    expect(failureReason(r)).toBe('killed by SIGTERM');
    expect((await slot.run(spec('echo ok'))).stdout).toBe('ok\n');
  });

  it("removes only folders of runners that are gone (a crash could not remove its own)", () => {
    const tmp = slotDir();
    const dead = spawnSync('true').pid;
    for (const n of [`prodigy-slots-${dead}-aaa`, `prodigy-slots-${process.pid}-bbb`, 'prodigy-slots-ccc', 'other-1-ddd']) {
      fs.mkdirSync(path.join(tmp, n));
      fs.writeFileSync(path.join(tmp, n, 'agent-1-1.sh'), 'true');
    }
    removeStaleSlotDirs(tmp);
    expect(fs.readdirSync(tmp).sort()).toEqual(['other-1-ddd', `prodigy-slots-${process.pid}-bbb`, 'prodigy-slots-ccc']);
  });
});
