/**
 * Append-only JSON-lines files (event logs, journals): one JSON value per line, appended with a
 * synchronous write(2) on an open descriptor so that a line is in the kernel once `append` returns and
 * survives the process being killed. Readers meet at most a torn last line (a writer killed mid-write);
 * they skip it and never "repair" the file. An append the disk cannot take is cut back out and thrown as
 * a StoreWriteError (io-fault.ts), so a full disk leaves no torn line behind either.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { appendAllSync, guardWriteSync } from './io-fault.js';
import { firstViolation } from './schema-check.js';

export class JsonlAppender {
  private fd: number | null;
  /** A background fsync is running / another is wanted after it / close() waits for it. */
  private syncing = false;
  private syncAgain = false;
  private closeAfterSync = false;
  /** Time spent appending (synchronous writes), for the benchmark. */
  ms = 0;
  /** Bytes appended since open or the last truncate (compaction decides on it). */
  bytes = 0;

  /**
   * `repair`: the writer owns the file and cuts a torn last line (left by a writer killed mid-write)
   * before appending, so the torn line never ends up in the middle of the file.
   */
  constructor(
    readonly file: string,
    opts: { repair?: boolean } = {},
  ) {
    this.fd = guardWriteSync(file, () => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (opts.repair) cutTornTail(file);
      return fs.openSync(file, 'a');
    });
    this.bytes = fs.fstatSync(this.fd).size;
  }

  /**
   * One line, one write(2): in the kernel when this returns, so it survives the process being killed.
   * `sync: true` also fsyncs before returning (survives a power loss); `sync: 'background'` starts the
   * fsync on libuv's thread pool and returns, so the caller's next work (a step's process) overlaps it:
   * what a kill can take is unchanged, a power loss can take the last line or two.
   */
  append(value: unknown, opts: { sync?: boolean | 'background' } = {}): void {
    this.appendLines([value], opts);
  }

  /** Several values in one write(2). */
  appendLines(values: unknown[], opts: { sync?: boolean | 'background' } = {}): void {
    if (this.fd === null) throw new Error(`${this.file} is closed`);
    if (values.length === 0) return;
    const t = performance.now();
    let text = '';
    for (const v of values) text += `${JSON.stringify(v)}\n`;
    appendAllSync(this.fd, this.file, text);
    if (opts.sync === 'background') this.syncInBackground();
    else if (opts.sync) this.sync();
    this.bytes += Buffer.byteLength(text);
    this.ms += performance.now() - t;
  }

  sync(): void {
    const fd = this.fd;
    if (fd !== null) guardWriteSync(this.file, () => fs.fsyncSync(fd));
  }

  /** One fsync at a time; lines appended while one runs are covered by the next. */
  private syncInBackground(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    const fd = this.fd!;
    this.syncing = true;
    this.syncAgain = false;
    // An error here reaches no caller: the line is written already (a kill loses nothing); a disk that
    // cannot flush fails the next synchronous write, which is reported (io-fault.ts).
    fs.fsync(fd, () => {
      this.syncing = false;
      // close() waited for this fsync: the descriptor must not be closed (and its number reused) under it.
      if (this.closeAfterSync) {
        this.closeAfterSync = false;
        fs.closeSync(fd);
      } else if (this.syncAgain && this.fd !== null) {
        this.syncInBackground();
      }
    });
  }

  /** Empties the file (after its lines were compacted into a snapshot); appends go on from 0. */
  truncate(): void {
    if (this.fd === null) throw new Error(`${this.file} is closed`);
    const fd = this.fd;
    guardWriteSync(this.file, () => fs.ftruncateSync(fd, 0));
    this.bytes = 0;
  }

  close(): void {
    if (this.fd === null) return;
    if (this.syncing) this.closeAfterSync = true;
    else fs.closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * The complete lines written after byte `from`, the offset just past the last of them, and the file's
 * size (smaller than `from`: the file was cut or replaced since).
 */
export async function readCompleteLinesFrom(file: string, from: number): Promise<{ text: string; next: number; size: number }> {
  const handle = await fsp.open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= from) return { text: '', next: from, size };
    const buf = Buffer.alloc(size - from);
    const { bytesRead } = await handle.read(buf, 0, buf.length, from);
    const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (end < 0) return { text: '', next: from, size }; // no complete line yet
    return { text: buf.subarray(0, end + 1).toString('utf8'), next: from + end + 1, size };
  } finally {
    await handle.close();
  }
}

/**
 * The non-empty lines of the last `bytes` of a file: a huge log costs the same as a small one. The first
 * line of the window is dropped when the window cut it.
 */
export async function readTailLines(file: string, bytes: number): Promise<string[]> {
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    if (start > 0) lines.shift();
    return lines.filter((l) => l.trim().length > 0);
  } finally {
    await fh.close();
  }
}

/** Cuts an unterminated last line (a torn write). Missing file: nothing to do. */
export function cutTornTail(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const { size } = fs.fstatSync(fd);
    if (size === 0) return;
    const step = 64 * 1024;
    for (let end = size; end > 0; end -= step) {
      const start = Math.max(0, end - step);
      const buf = Buffer.alloc(end - start);
      fs.readSync(fd, buf, 0, buf.length, start);
      const nl = buf.lastIndexOf(0x0a);
      if (nl === buf.length - 1 && end === size) return; // ends with a newline: nothing torn
      if (nl >= 0) {
        fs.ftruncateSync(fd, start + nl + 1);
        return;
      }
    }
    fs.ftruncateSync(fd, 0);
  } finally {
    fs.closeSync(fd);
  }
}

export interface ParsedLines<T> {
  values: T[];
  /** Complete lines that did not parse (or that `accept` refused); skipped. */
  bad: number;
  /** The first of them, `line N: why` (1-based), in words that never quote the line. */
  firstBad: string | null;
  /** The text ended in an unterminated line (a torn write): ignored, never fatal. */
  torn: boolean;
}

/** A line check: a type guard, or a zod schema (then the refusal names the first violation). */
export type LineCheck<T> = ((v: unknown) => v is T) | z.ZodType<T>;

function checkLine<T>(check: LineCheck<T>, v: unknown): string | null {
  if (typeof check === 'function') return check(v) ? null : 'not a valid line';
  const r = check.safeParse(v);
  return r.success ? null : firstViolation(r.error);
}

/**
 * Pure: the JSON values of JSON-lines text. An unterminated last line is a torn write and is ignored
 * whether or not it happens to parse (its writer did not finish it); a complete line that does not
 * parse, or that `accept` refuses, is counted in `bad` and skipped. Values are returned as read (a
 * schema checks them; its defaults are not applied).
 */
export function parseJsonLines<T = unknown>(text: string, accept: LineCheck<T> = (v): v is T => true): ParsedLines<T> {
  const values: T[] = [];
  let bad = 0;
  let firstBad: ParsedLines<T>['firstBad'] = null;
  let torn = false;
  let start = 0;
  let lineNo = 0;
  const refuse = (reason: string) => {
    bad++;
    firstBad ??= `line ${lineNo}: ${reason}`;
  };
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      torn = text.slice(start).trim().length > 0;
      break;
    }
    const line = text.slice(start, nl);
    start = nl + 1;
    lineNo++;
    if (line.trim().length === 0) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      refuse('invalid JSON');
      continue;
    }
    const why = checkLine(accept, v);
    if (why === null) values.push(v as T);
    else refuse(why);
  }
  return { values, bad, firstBad, torn };
}

/** A JSON-lines file's text, or '' when there is no such file. */
export async function readJsonlText(file: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}
