/**
 * Append-only JSON-lines files (event logs, journals): one JSON value per line, appended with a
 * synchronous write(2) on an open descriptor so that a line is in the kernel once `append` returns and
 * survives the process being killed. Readers meet at most a torn last line (a writer killed mid-write);
 * they skip it and never "repair" the file.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export class JsonlAppender {
  private fd: number | null;
  /** Time spent appending (synchronous writes), for the benchmark. */
  ms = 0;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
  }

  append(value: unknown): void {
    if (this.fd === null) throw new Error(`${this.file} is closed`);
    const t = performance.now();
    fs.writeSync(this.fd, `${JSON.stringify(value)}\n`);
    this.ms += performance.now() - t;
  }

  close(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** The complete lines written after byte `from`, and the offset just past the last of them. */
export async function readCompleteLinesFrom(file: string, from: number): Promise<{ text: string; next: number }> {
  const handle = await fsp.open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= from) return { text: '', next: from };
    const buf = Buffer.alloc(size - from);
    await handle.read(buf, 0, buf.length, from);
    const end = buf.lastIndexOf(0x0a);
    if (end < 0) return { text: '', next: from }; // no complete line yet
    return { text: buf.subarray(0, end + 1).toString('utf8'), next: from + end + 1 };
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
