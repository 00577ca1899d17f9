/**
 * The imperative edge of `d`: reads the commits and diffstat of what the open changes view shows (through
 * src/git/changes.ts), and reads them again while the run it belongs to goes on (at most every 2 s, when
 * its session or item changed). The commit diff a log view shows is read by store/view-feed.ts.
 */
import { rangeChanges } from '../src/git/changes.js';
import { GitMissingError } from '../src/git/git.js';
import { type ChangeSource, itemRange, type RangeOrWhyNot, sessionRange } from '../src/tui/changes-view.js';
import type { ChangesPatch, DashboardState, DashboardStore } from './dashboard-types.js';

const REFRESH_MS = 2000;

/** Where the source's commits are, from what the store holds now. */
export function rangeFor(s: DashboardState, source: ChangeSource): RangeOrWhyNot {
  const session = s.sessions[source.sessionId];
  if (!session) return { kind: 'none', why: "this session's file is gone" };
  if (source.kind === 'session') return sessionRange(session);
  const item = s.job?.jobId === source.jobId ? s.job.state?.items.find((it) => it.id === source.itemId) : undefined;
  return itemRange(session, item, source.itemId);
}

/** What, when it changes, may mean new commits: the session file, or the item's record. */
function versionOf(s: DashboardState, source: ChangeSource): unknown {
  if (source.kind === 'session') return s.sessions[source.sessionId];
  return s.job?.state?.items.find((it) => it.id === source.itemId);
}

export function startChangesFeed(store: DashboardStore): { stop(): void } {
  let stopped = false;
  let source: ChangeSource | null = null;
  let version: unknown = undefined;
  let loading = false;
  let lastLoad = 0;
  let timer: NodeJS.Timeout | null = null;

  const load = async (src: ChangeSource) => {
    loading = true;
    lastLoad = Date.now();
    const s = store.getState();
    version = versionOf(s, src);
    const where = rangeFor(s, src);
    let patch: ChangesPatch;
    if (where.kind === 'none') patch = { range: null, commits: [], more: false, files: [], problem: where.why };
    else {
      try {
        patch = { range: where.range, ...(await rangeChanges(where.range.cwd, where.range.base, where.range.head)), problem: null };
      } catch (err) {
        const why = err instanceof GitMissingError ? err.message : (err as Error).message.split('\n')[0]!;
        patch = { range: where.range, commits: [], more: false, files: [], problem: why };
      }
    }
    // Not loading any more before the store hears it: a change that came meanwhile is read next.
    loading = false;
    if (!stopped) store.getState().changesLoaded(src, patch);
  };

  const sync = (s: DashboardState) => {
    const next = s.changes?.source ?? null;
    if (next !== source) {
      source = next;
      if (next) void load(next);
      return;
    }
    if (!source || loading || versionOf(s, source) === version) return;
    // Something changed under an open view: read again, but not more often than every REFRESH_MS.
    const wait = lastLoad + REFRESH_MS - Date.now();
    if (wait <= 0) return void load(source);
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      if (!stopped) sync(store.getState());
    }, wait);
    timer.unref();
  };

  const unsubscribe = store.subscribe((s) => sync(s));
  sync(store.getState());
  return {
    stop() {
      stopped = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
    },
  };
}
