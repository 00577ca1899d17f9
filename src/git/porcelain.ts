/** Pure readers of git's machine output. */

export interface DirtyFiles {
  /** Tracked files with uncommitted changes (staged or not), renames by their new name. */
  changed: string[];
  untracked: string[];
}

/** `git status --porcelain=v1 -z`: `XY path\0`, a rename/copy followed by its old path `\0`. */
export function parseStatusZ(out: string): DirtyFiles {
  const changed: string[] = [];
  const untracked: string[] = [];
  const parts = out.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i]!;
    if (entry.length < 4) continue;
    const xy = entry.slice(0, 2);
    const file = entry.slice(3);
    if (xy === '??') untracked.push(file);
    else if (xy !== '!!') changed.push(file);
    if (xy[0] === 'R' || xy[0] === 'C') i += 1; // the old path follows
  }
  return { changed, untracked };
}

/** Lines of output, without empty ones. */
export function outputLines(out: string): string[] {
  return out.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
}
