/**
 * Each work item's whole output, every attempt of it, in one append-only file beside the job's state
 * (`state/<repo>/mapreduce/jobs/<job>/items/<item-id>.log`): the job file keeps only a few lines per item,
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

/** One attempt's part of an item's log file, open while the attempt runs. */
export class ItemAttemptLog {
  private fd: number | null = null;
  private endsWithNewline = true;

  constructor(
    private readonly file: string,
    header: string,
  ) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      this.fd = fs.openSync(file, 'a');
    } catch (err) {
      writeFault(err, file); // a full disk still stops the run (io-fault.ts), only not through this item
      this.stop();
    }
    this.write(`${header}\n`);
  }

  write(text: string): void {
    if (this.fd === null || text.length === 0) return;
    try {
      if (!appendLogSync(this.fd, this.file, text)) return this.stop();
      this.endsWithNewline = text.endsWith('\n');
    } catch {
      this.stop();
    }
  }

  /** Writes the footer (on a line of its own) and closes the file. */
  end(footer: string): void {
    this.write(`${this.endsWithNewline ? '' : '\n'}${footer}\n`);
    this.stop();
  }

  private stop(): void {
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
