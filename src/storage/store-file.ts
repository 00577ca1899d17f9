/** Reading the files of the store: missing is null, unparseable is a CorruptFileError (never rewritten). */
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A store file that exists but does not parse: reported with its path and reason, never rewritten. */
export class CorruptFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = new.target.name;
  }
}

/** A store file's text, or null when there is no such file (other errors are real and thrown). */
export async function readIfExists(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The names in a store folder, or [] when the folder does not exist (yet). */
export async function readDirIfExists(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

/** Removes a store file; a file already gone is not an error. */
export function removeIfExistsSync(file: string): void {
  rmSync(file, { force: true });
}

/** Makes the folder a store file goes in. */
export async function ensureDirFor(file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
}
