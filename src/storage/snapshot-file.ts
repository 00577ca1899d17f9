/**
 * A JSON snapshot with one writer: a lowdb `Low` over a `JSONFile` (steno underneath: temp file +
 * rename, and writes that arrive while one is in flight coalesce into one). Exactly one SnapshotFile per
 * file per process: two would share steno's temp file name.
 */
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';

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

  /** Writes the whole snapshot atomically. */
  write(): Promise<void> {
    return this.db.write();
  }
}
