/**
 * File-system notifications -> batched "these names changed" callbacks.
 *
 * - Folders are watched, never files: lowdb/steno replace a file by renaming a temp file over it, which
 *   ends a watch on the file itself.
 * - Temp files (`.x.tmp`) and anything the caller's `accept` refuses are ignored.
 * - Names are batched: the first change is delivered after `debounceMs`, and batches are at least
 *   `minIntervalMs` apart, so a burst of agent updates becomes at most ~10 reloads a second.
 * - A folder that does not exist yet (a job that has not started writing) is looked for again every
 *   `retryMs`; once it appears, everything in it counts as changed.
 */
import fs from 'node:fs';

export interface FolderWatchOptions {
  accept?: (name: string) => boolean;
  onChange: (names: Set<string>, all: boolean) => void;
  debounceMs?: number;
  minIntervalMs?: number;
  retryMs?: number;
}

export interface FolderWatch {
  close(): void;
  /** True while the folder is being watched (false while waiting for it to exist). */
  readonly attached: boolean;
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('.tmp');
}

export function watchFolder(dir: string, opts: FolderWatchOptions): FolderWatch {
  const debounceMs = opts.debounceMs ?? 25;
  const minIntervalMs = opts.minIntervalMs ?? 100;
  const retryMs = opts.retryMs ?? 1000;
  let watcher: fs.FSWatcher | null = null;
  let retry: NodeJS.Timeout | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  let pending = new Set<string>();
  let pendingAll = false;
  let lastFlush = 0;
  let closed = false;

  const flush = () => {
    flushTimer = null;
    if (closed) return;
    const names = pending;
    const all = pendingAll;
    pending = new Set();
    pendingAll = false;
    lastFlush = Date.now();
    if (names.size > 0 || all) opts.onChange(names, all);
  };

  const schedule = () => {
    if (flushTimer || closed) return;
    const wait = Math.max(debounceMs, lastFlush + minIntervalMs - Date.now());
    flushTimer = setTimeout(flush, wait);
  };

  const attach = (): boolean => {
    try {
      watcher = fs.watch(dir, { persistent: true }, (_event, name) => {
        if (name === null) {
          pendingAll = true; // the platform did not say which file: reload the folder
        } else {
          const n = name.toString();
          if (isTempName(n) || (opts.accept && !opts.accept(n))) return;
          pending.add(n);
        }
        schedule();
      });
    } catch {
      return false;
    }
    // The folder itself went away (deleted or renamed): wait for it to come back.
    watcher.on('error', () => detach());
    return true;
  };

  const detach = () => {
    watcher?.close();
    watcher = null;
    if (!closed) waitForFolder();
  };

  const waitForFolder = () => {
    if (retry || closed) return;
    retry = setInterval(() => {
      if (!fs.existsSync(dir) || !attach()) return;
      clearInterval(retry!);
      retry = null;
      pendingAll = true;
      schedule();
    }, retryMs);
  };

  if (!attach()) waitForFolder();

  return {
    get attached() {
      return watcher !== null;
    },
    close() {
      closed = true;
      watcher?.close();
      watcher = null;
      if (retry) clearInterval(retry);
      if (flushTimer) clearTimeout(flushTimer);
      retry = null;
      flushTimer = null;
    },
  };
}

/**
 * The sessions folder: calls back with the ids whose `<id>.json`, `<id>.journal.jsonl` (or `<id>.lock`,
 * whose removal can mean the owner exited) changed; `all` when the folder must be listed again.
 */
export function watchSessions(
  sessionsDir: string,
  onChange: (ids: Set<string>, all: boolean) => void,
  opts: Omit<FolderWatchOptions, 'accept' | 'onChange'> = {},
): FolderWatch {
  return watchFolder(sessionsDir, {
    ...opts,
    // A running session's progress lands in its journal (`<id>.journal.jsonl`), not its file.
    accept: (n) => n.endsWith('.json') || n.endsWith('.lock') || n.endsWith('.journal.jsonl'),
    onChange: (names, all) => onChange(new Set([...names].map((n) => n.replace(/\.(journal\.jsonl|json|lock)$/, ''))), all),
  });
}
