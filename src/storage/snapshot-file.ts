/**
 * A JSON snapshot with one writer: a lowdb `Low` over a `JSONFile` (steno underneath: temp file +
 * rename, and writes that arrive while one is in flight coalesce into one). Exactly one SnapshotFile per
 * file per process: two would share steno's temp file name.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { writeFault } from './io-fault.js';

/** steno's temp file for `file` (steno names it so: `.<name>.tmp` beside it). */
export function snapshotTempOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
}

export class SnapshotFile<T> {
  private readonly db: Low<T>;

  constructor(
    readonly file: string,
    data: T,
  ) {
    this.db = new Low<T>(new JSONFile<T>(file), data);
  }

  get data(): T {
    return this.db.data;
  }

  set data(value: T) {
    this.db.data = value;
  }

  /**
   * Writes the whole snapshot atomically. A failed write removes steno's temp file (a full disk would
   * otherwise keep a half-written copy), and disk full / I/O errors are StoreWriteErrors.
   */
  async write(): Promise<void> {
    try {
      await this.db.write();
    } catch (err) {
      await fs.rm(snapshotTempOf(this.file), { force: true });
      throw writeFault(err, this.file);
    }
  }
}
