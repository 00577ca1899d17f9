/**
 * Agent-side completion records: what saves a command that finished just before its runner died from
 * being run again. Each agent `shell:` command runs on a slot host (slot-host.ts), which appends
 * one line to the job's `completions.log` once the command has exited and before it answers the runner:
 *
 *   <item-id>\t<attempt>\t<n>\t<exit status>\t<script file>
 *
 * (`n`: the n-th shell command of that attempt; the script's `.out` / `.err` files beside it hold its
 * output, kept until the runner has recorded the item.) A resume reads the file before anything runs:
 * an interrupted attempt k of an item goes back to pending with k - 1 attempts (job-state.ts), so its
 * next start is attempt k again, and each of its commands with a record is *replayed* — its recorded
 * status and output handed to the step runner as if it had just run — instead of run. Every command of
 * an item is so run at most once across any number of crashes; the first command without a record runs
 * for real. A runner that recorded the item's end never reads its records again (only items not
 * completed or dead are replayed).
 *
 * Setup and reduce commands (tags `setup` / `reduce`) and sequential steps (`step-<i>`) record
 * themselves the same way through recorded-shell.ts. What it does not cover: `claude:` commands (they run
 * again after a crash mid-command); a kill in the microseconds between a command's exit and its record's
 * append. Records are not fsync'd: they survive the runner's death, not a power cut.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProcessResult, ShellLauncher } from './process.js';
import { isSafeId } from '../storage/schemas.js';

export const completionsFileOf = (jobStateFile: string): string => path.join(path.dirname(jobStateFile), 'completions.log');
/**
 * Where recorded commands' output copies go (recorded-shell.ts): `$TMPDIR/prodigy-records-<key>`, like
 * the slot hosts' files, never under $PRODIGY_HOME — they hold the command's raw output, secrets
 * included, which the store only ever holds masked. Only the records (tag, status, path) are stored.
 */
export const recordOutputsDir = (key: string): string => path.join(os.tmpdir(), `prodigy-records-${key}`);
/** Whether a record's path is one of the copies of `key` (a path read from a file is not followed elsewhere). */
export const isRecordOutput = (key: string) => (p: string): boolean => path.basename(path.dirname(p)) === `prodigy-records-${key}`;

export interface CompletionRecord {
  status: number;
  stdout: string;
  stderr: string;
}

const tagOf = (itemId: string, attempt: number, n: number) => `${itemId}\t${attempt}\t${n}`;

/** Pure: the records of the file's text, by tag (the last line of a tag wins). Malformed lines are skipped. */
export function parseCompletions(text: string): Map<string, { status: number; script: string }> {
  const out = new Map<string, { status: number; script: string }>();
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length !== 5 || !isSafeId(f[0]!) || !/^\d+$/.test(f[1]!) || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) continue;
    out.set(tagOf(f[0]!, Number(f[1]), Number(f[2])), { status: Number(f[3]), script: f[4]! });
  }
  return out;
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A slot host's script path (a file `<slot>-<n>.sh` in a `prodigy-slots-<pid>-...` folder). */
export const isSlotScript = (p: string): boolean => /\/prodigy-slots-\d+-[^/]+\/[A-Za-z0-9_-]+\.sh$/.test(p);

/**
 * The records of the items still to run, with their output read now (before a new runner clears old
 * slot folders). The output path came from a file: it is read only if `trusted` says it is one of ours.
 */
export function loadCompletions(file: string, openItems: ReadonlySet<string> | null, trusted: (p: string) => boolean = isSlotScript): Map<string, CompletionRecord> {
  const out = new Map<string, CompletionRecord>();
  for (const [tag, r] of parseCompletions(readOr(file))) {
    if (openItems && !openItems.has(tag.slice(0, tag.indexOf('\t')))) continue;
    const ok = trusted(r.script);
    out.set(tag, { status: r.status, stdout: ok ? readOr(`${r.script}.out`) : '', stderr: ok ? readOr(`${r.script}.err`) : '' });
  }
  return out;
}

/**
 * The launcher of one item attempt: the n-th shell command is replayed from its record when there is
 * one, else run on the slot host with a record requested.
 */
export function recordingLauncher(
  run: ShellLauncher,
  o: { file: string; itemId: string; attempt: number; replays: ReadonlyMap<string, CompletionRecord>; keep?: boolean },
): ShellLauncher {
  let n = 0;
  return async (spec) => {
    n += 1;
    const tag = tagOf(o.itemId, o.attempt, n);
    const rec = o.replays.get(tag);
    if (!rec) return run({ ...spec, record: { file: o.file, tag, keep: o.keep } });
    if (rec.stdout) spec.onOutput?.(rec.stdout, 'stdout');
    if (rec.stderr) spec.onOutput?.(rec.stderr, 'stderr');
    const r: ProcessResult = { exitCode: rec.status, signal: null, stdout: rec.stdout, output: rec.stdout + rec.stderr, timedOut: false, aborted: false, pid: undefined };
    return r;
  };
}
