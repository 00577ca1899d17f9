/**
 * Reading a file the user points us at, within a size limit checked before a byte is parsed: a workflow
 * file (YAML parsing is super-linear on hostile input, and no real workflow is near 1 MiB) and a
 * `map.input` file (every item is kept in memory and in job.json; 64 MiB is tens of thousands of
 * large items). Over the limit: one line with the file, its size and the limit.
 */
import fs from 'node:fs';

export const WORKFLOW_FILE_LIMIT = 1024 * 1024;
export const MAP_INPUT_LIMIT = 64 * 1024 * 1024;

export class FileTooLargeError extends Error {
  constructor(
    readonly file: string,
    readonly size: number,
    readonly limit: number,
    what: string,
  ) {
    super(`${file}: ${formatBytes(size)} is over the ${formatBytes(limit)} limit for ${what} (refused before reading it)`);
    this.name = 'FileTooLargeError';
  }
}

/** "1.5 MiB", "812 KiB", "90 B". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}

/** The file's text, or FileTooLargeError when it is larger than `limit` (size from the open descriptor). */
export function readTextWithin(file: string, limit: number, what: string, shown = file): string {
  const fd = fs.openSync(file, 'r');
  try {
    const { size } = fs.fstatSync(fd);
    if (size > limit) throw new FileTooLargeError(shown, size, limit, what);
    // Read at most limit + 1 bytes: a file that grows between fstat and read is refused just the same.
    const buf = Buffer.alloc(Math.min(size, limit) + 1);
    let got = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got === buf.length) break;
    }
    if (got > limit) throw new FileTooLargeError(shown, got, limit, what);
    return buf.subarray(0, got).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
