/**
 * The one atomic write of the store, for every file that is not a lowdb snapshot (those go through
 * steno, which does the same): write a temp file beside the target, then rename it over the target, so a
 * reader sees the old file or the new one, never half of either. The temp name starts with a dot and
 * ends in `.tmp`, which the folder watchers ignore; it carries the pid and a counter so two writers (or
 * two writes in flight in one process) never share one. A failed write removes its temp file; disk full
 * and I/O errors are thrown as StoreWriteError (io-fault.ts).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFault } from './io-fault.js';

let seq = 0;

function tempPathFor(file: string): string {
  seq += 1;
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${seq}.tmp`);
}

export function writeFileAtomicSync(file: string, text: string): void {
  const tmp = tempPathFor(file);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw writeFault(err, file);
  }
}

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = tempPathFor(file);
  try {
    await fsp.writeFile(tmp, text);
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw writeFault(err, file);
  }
}

/** JSON as the store writes it: two-space indent and a final newline, atomically. */
export function writeJsonAtomicSync(file: string, value: unknown): void {
  writeFileAtomicSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
