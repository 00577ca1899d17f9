/**
 * The dashboard's start-up read, O(screen) before the first frame: list the sessions folder (names +
 * mtime, no file opened), read the newest screenful, draw, then stream the rest in batches while the
 * title says "loading N/M". Sessions the watcher read meanwhile are newer than a batch's copy and win
 * (store `sessionsStreamed`), so nothing shown ever goes back to an older state.
 */
import type { UnifiedSessionManager } from '../src/session/manager.js';
import type { SessionListing } from '../src/storage/session-store.js';
import type { DashboardStore } from './dashboard-types.js';
import { type Size, listHeight, normalizeSize } from '../src/tui/layout.js';

/** What the first frame needs, read before Ink and React are even loaded (`prodigy tui` overlaps them). */
export interface FirstPage {
  /** Every session file name, first screen first. */
  files: string[];
  journals: Set<string>;
  /** How many of `files` `first` holds. */
  read: number;
  first: SessionListing;
}

/** Sessions read before the first frame: a screenful of rows, and as many to spare (this repository's come first). */
export function firstPageSize(size: Size): number {
  return Math.max(50, listHeight(size) * 2);
}

/** The terminal's size as the dashboard will see it. */
export function terminalSize(out: { columns?: number; rows?: number }): Size {
  return normalizeSize(out.columns, out.rows);
}

/** Files per streamed batch: one store update (and at most one frame) per batch. */
export const STREAM_BATCH = 500;

/**
 * Lists the folder and reads the first `n` sessions (newest first), plus `include` (a session to open at
 * once) wherever it is in the order.
 */
export async function readFirstPage(manager: UnifiedSessionManager, n: number, include: readonly string[] = []): Promise<FirstPage> {
  const { files, journals } = await manager.store.namesNewestFirst();
  const wanted = new Set(include.map((id) => `${id}.json`));
  if (wanted.size > 0) {
    // Move the wanted files to the front, so they are read with the first screen.
    const front = files.filter((f) => wanted.has(f));
    const rest = files.filter((f) => !wanted.has(f));
    files.splice(0, files.length, ...front, ...rest);
  }
  const read = Math.min(files.length, Math.max(n, wanted.size));
  const first = await manager.store.readFiles(files.slice(0, read), journals);
  return { files, journals, read, first };
}

function apply(store: DashboardStore, manager: UnifiedSessionManager, listing: SessionListing, done: number, total: number): void {
  const alive: Record<string, boolean | undefined> = {};
  for (const s of listing.sessions) alive[s.id] = manager.ownerAlive(s);
  const problems = Object.fromEntries(listing.problems.map((p) => [p.file, p.reason]));
  store.getState().sessionsStreamed(listing.sessions, alive, problems, { done, total });
}

/** Puts the first page in the store: the first frame can be drawn (loading done/total until the rest is in). */
export function showFirstPage(store: DashboardStore, manager: UnifiedSessionManager, page: FirstPage): void {
  apply(store, manager, page.first, page.read, page.files.length);
}

export interface Streaming {
  /** Resolves when every file was read (or streaming was stopped). */
  done: Promise<void>;
  stop(): void;
}

/**
 * Reads the files after the first page, `batch` at a time (bounded concurrency inside each batch, see
 * SessionStore.readFiles), yielding to the event loop between batches so keys and frames are not held up.
 */
export function streamRest(store: DashboardStore, manager: UnifiedSessionManager, page: FirstPage, batch = STREAM_BATCH): Streaming {
  let stopped = false;
  const total = page.files.length;
  const run = async () => {
    // Batches grow with what is in (batch, then as many as are loaded): each store update re-sorts
    // every session, so a fixed batch would make the whole read O(n²/batch); growing, O(n log n).
    for (let at = page.read, size = batch; at < total && !stopped; at += size, size = Math.max(batch, at)) {
      await new Promise((r) => setImmediate(r));
      const names = page.files.slice(at, at + size);
      const listing = await manager.store.readFiles(names, page.journals);
      if (!stopped) apply(store, manager, listing, Math.min(total, at + names.length), total);
    }
  };
  const done = run().catch((err) => {
    if (!stopped) store.getState().setMessage(`could not read every session: ${(err as Error).message}`);
  });
  return {
    done,
    stop() {
      stopped = true;
    },
  };
}
