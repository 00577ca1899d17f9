/**
 * Each work item's whole output, every attempt of it, in one append-only file beside the job's state
 * (`state/<repo>/mapreduce/jobs/<job>/items/<item-id>.log`), for items whose attempts print something or
 * fail (a silent success makes no file): the job file keeps only a few lines per item,
 * the dashboard's item log (`l`) shows this file. An attempt starts with a header line and ends with a
 * footer line (both made by `attemptHeader` / `attemptFooter`, which the log view also recognises).
 *
 * Writing it must never fail an item: a full disk or a removed folder stops the file, not the agent (a
 * full disk is still announced through io-fault.ts, and the run stops as a whole).
 */
import fs from 'node:fs';
import path from 'node:path';
import { appendLogSync, writeFault } from '../storage/io-fault.js';

/** Pure: `── attempt 2 of 3 · started <time> on agent-1 ──`. */
export function attemptHeader(attempt: number, maxAttempts: number | null, startedIso: string, agentId: string): string {
  const of = maxAttempts ? `attempt ${attempt} of ${maxAttempts}` : `attempt ${attempt}`;
  return `── ${of} · started ${startedIso} on ${agentId} ──`;
}

/** Pure: `── attempt 2 · failed <time>: exit 1 ──` (ok: completed; `interrupted` is not a failure). */
export function attemptFooter(attempt: number, endedIso: string, outcome: { ok: true } | { ok: false; error: string }): string {
  if (outcome.ok) return `── attempt ${attempt} · completed ${endedIso} ──`;
  if (outcome.error === 'interrupted') return `── attempt ${attempt} · interrupted ${endedIso}: back to pending ──`;
  return `── attempt ${attempt} · failed ${endedIso}: ${outcome.error.split('\n')[0]} ──`;
}

/** Folders made already: one mkdir per job, not one per attempt. */
const madeDirs = new Set<string>();

/**
 * One attempt's part of an item's log file. The file is opened only once the attempt prints something
 * or fails: an attempt that completes silently leaves no file (its events record it), so a job of
 * 20,000 quiet items does not create 20,000 files.
 */
export class ItemAttemptLog {
  private fd: number | null = null;
  private stopped = false;
  private endsWithNewline = true;

  constructor(
    private readonly file: string,
    private readonly header: string,
  ) {}

  private open(): boolean {
    if (this.fd !== null) return true;
    if (this.stopped) return false;
    try {
      const dir = path.dirname(this.file);
      if (!madeDirs.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        madeDirs.add(dir);
      }
      this.fd = fs.openSync(this.file, 'a');
    } catch (err) {
      madeDirs.delete(path.dirname(this.file));
      writeFault(err, this.file); // a full disk still stops the run (io-fault.ts), only not through this item
      this.stop();
      return false;
    }
    return this.append(`${this.header}\n`);
  }

  private append(text: string): boolean {
    try {
      if (!appendLogSync(this.fd!, this.file, text)) {
        this.stop();
        return false;
      }
      this.endsWithNewline = text.endsWith('\n');
      return true;
    } catch {
      this.stop();
      return false;
    }
  }

  write(text: string): void {
    if (text.length === 0 || !this.open()) return;
    this.append(text);
  }

  /** Writes the footer (on a line of its own) and closes the file; a silent success writes nothing. */
  end(footer: string, ok: boolean): void {
    if (this.fd !== null || !ok) this.write(`${this.endsWithNewline ? '' : '\n'}${footer}\n`);
    this.stop();
  }

  private stop(): void {
    this.stopped = true;
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed or gone: nothing more to write anyway
      }
    }
    this.fd = null;
  }
}
