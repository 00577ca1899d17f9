/** Reading the files of the store: missing is null, unparseable is a CorruptFileError (never rewritten). */
import fs from 'node:fs/promises';

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
