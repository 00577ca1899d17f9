/** Pure readers of `git log --numstat` and `git diff --numstat` output (the formats src/git/changes.ts asks for). */

export interface FileStat {
  path: string;
  /** Lines added and deleted; null for a binary file (git prints `-`). */
  added: number | null;
  deleted: number | null;
}

export interface CommitInfo {
  sha: string;
  short: string;
  author: string;
  /** Author date, strict ISO 8601. */
  date: string;
  subject: string;
  /** More than one parent: a merge (its numstat is empty; the view says so). */
  merge: boolean;
  files: FileStat[];
}

/** Field and record separators of LOG_FORMAT: control characters git never puts in its own fields. */
const FS = '\x1f';
const RS = '\x1e';
export const LOG_FORMAT = `${RS}%H${FS}%h${FS}%an${FS}%aI${FS}%P${FS}%s`;

/** One `added\tdeleted\tpath` line; null for anything else. */
function numstatLine(line: string): FileStat | null {
  const m = /^(-|\d+)\t(-|\d+)\t(.+)$/.exec(line);
  if (!m) return null;
  return { path: m[3]!, added: m[1] === '-' ? null : Number(m[1]), deleted: m[2] === '-' ? null : Number(m[2]) };
}

export function parseNumstat(out: string): FileStat[] {
  const files: FileStat[] = [];
  for (const line of out.split('\n')) {
    const f = numstatLine(line);
    if (f) files.push(f);
  }
  return files;
}

/** `git log --numstat --format=LOG_FORMAT`: the commits, newest first, each with its files. */
export function parseLog(out: string): CommitInfo[] {
  const commits: CommitInfo[] = [];
  for (const record of out.split(RS)) {
    if (record.trim() === '') continue;
    const [head = '', ...rest] = record.split('\n');
    const [sha = '', short = '', author = '', date = '', parents = '', ...subject] = head.split(FS);
    if (!/^[0-9a-f]{7,64}$/.test(sha)) continue;
    commits.push({
      sha,
      short,
      author,
      date,
      // A subject holding the separator (it cannot, but the text is untrusted) stays whole.
      subject: subject.join(FS),
      merge: parents.trim().split(/\s+/).filter(Boolean).length > 1,
      files: parseNumstat(rest.join('\n')),
    });
  }
  return commits;
}

/** Totals over files: how many, lines added and deleted (binary files count as files only). */
export function statTotals(files: readonly FileStat[]): { files: number; added: number; deleted: number } {
  let added = 0;
  let deleted = 0;
  for (const f of files) {
    added += f.added ?? 0;
    deleted += f.deleted ?? 0;
  }
  return { files: files.length, added, deleted };
}
