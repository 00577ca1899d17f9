/**
 * The imperative edge of the log and DLQ views: reads what the open view shows and watches its folder
 * while it is open (the session log, the job's events, the job's DLQ folder), batched like every other
 * watch (store/watch.ts). Closes its watches when the view closes or changes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { commitDiff } from '../src/git/changes.js';
import { listDlqItems } from '../src/mapreduce/dlq.js';
import { readEvents } from '../src/mapreduce/events.js';
import { storePaths } from '../src/storage/paths.js';
import { dlqItemLines, itemLines, splitLines, stepLines } from '../src/tui/log-view.js';
import type { DashboardState, DashboardStore, LogSource } from './dashboard-types.js';
import { startChangesFeed } from './changes-feed.js';
import { type FolderWatch, type FolderWatchOptions, watchFolder } from './watch.js';

/** A log larger than this shows its last part (the pager, `o`, opens it whole). */
export const LOG_VIEW_BYTES = 8 * 1024 * 1024;

async function readLogTail(file: string): Promise<string[]> {
  return (await readLogIfExists(file)) ?? ['(no log yet)'];
}

/** The log's lines (its last LOG_VIEW_BYTES), or null when there is no such file. */
async function readLogIfExists(file: string): Promise<string[] | null> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - LOG_VIEW_BYTES);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    const lines = splitLines(buf.toString('utf8'));
    return start > 0 ? [`(the first ${Math.round(start / 1024)} KiB are not shown: o opens the whole log)`, ...lines.slice(1)] : lines;
  } finally {
    await fh.close();
  }
}

export interface ViewFeedOptions extends Omit<FolderWatchOptions, 'onChange' | 'accept'> {}

export function startViewFeed(store: DashboardStore, opts: ViewFeedOptions = {}): { stop(): void } {
  const paths = storePaths(store.getState().home);
  let logWatch: FolderWatch | null = null;
  let logKey: LogSource | null = null;
  let dlqWatch: FolderWatch | null = null;
  let dlqKey: string | null = null;
  let stopped = false;

  const repoOf = (s: DashboardState) => s.job?.repo ?? null;

  const loadLog = async (source: LogSource) => {
    const s = store.getState();
    let lines: string[];
    if (source.kind === 'dlqItem') lines = dlqItemLines(source.item);
    else if (source.kind === 'diff') lines = splitLines(await commitDiff(source.cwd, source.sha));
    else if (source.kind === 'item') {
      const repo = repoOf(s);
      // The item's own log file (every attempt whole); jobs that wrote none (Prodigy's, older ones): its events.
      const file = repo ? paths.jobItemLog(repo, source.jobId, source.itemId) : null;
      const whole = file ? await readLogIfExists(file) : null;
      if (whole) {
        lines = whole;
        if (!stopped && store.getState().log?.source === source && store.getState().log?.file !== file) store.getState().patchLog({ file });
      } else {
        const events = repo ? await readEvents(paths.eventsDir(repo, source.jobId)) : [];
        const item = s.job?.state?.items.find((it) => it.id === source.itemId) ?? null;
        lines = itemLines(item, events, source.itemId, s.job?.state?.max_attempts ?? null);
      }
    } else {
      const all = await readLogTail(paths.sessionLog(source.sessionId));
      lines = source.kind === 'step' ? stepLines(all, source.index) : all;
    }
    if (!stopped && store.getState().log?.source === source) store.getState().logLoaded(lines);
  };

  const openLog = (source: LogSource) => {
    logWatch?.close();
    logWatch = null;
    logKey = source;
    const quiet = () => void loadLog(source).catch((err) => store.getState().setMessage(`cannot read the log: ${(err as Error).message}`));
    if (source.kind === 'session' || source.kind === 'step') {
      logWatch = watchFolder(paths.logsDir, { ...opts, accept: (n) => n === `${source.sessionId}.log`, onChange: quiet });
    } else if (source.kind === 'item') {
      const repo = repoOf(store.getState());
      if (repo) {
        const events = watchFolder(paths.eventsDir(repo, source.jobId), { ...opts, accept: (n) => n.endsWith('.jsonl'), onChange: quiet });
        const items = watchFolder(path.dirname(paths.jobItemLog(repo, source.jobId, source.itemId)), { ...opts, accept: (n) => n === `${source.itemId}.log`, onChange: quiet });
        logWatch = { close: () => (events.close(), items.close()), get attached() { return events.attached && items.attached; } };
      }
    }
    quiet();
  };

  const openDlq = (repo: string, jobId: string) => {
    dlqWatch?.close();
    dlqKey = `${repo}/${jobId}`;
    const dir = paths.dlqItemsDir(repo, jobId);
    const load = () =>
      void listDlqItems(dir)
        .then(({ items, problems }) => {
          if (stopped || store.getState().dlq?.jobId !== jobId) return;
          items.sort((a, b) => a.item_id.localeCompare(b.item_id, undefined, { numeric: true }));
          store.getState().dlqLoaded(items, problems.length ? `${problems[0]!.file}: ${problems[0]!.reason} (left unchanged)` : null);
        })
        .catch((err) => store.getState().setMessage(`cannot read the DLQ: ${(err as Error).message}`));
    dlqWatch = watchFolder(dir, { ...opts, accept: (n) => n.endsWith('.json'), onChange: load });
    load();
  };

  const sync = (s: DashboardState) => {
    const source = s.log?.source ?? null;
    if (source !== logKey) {
      if (source) openLog(source);
      else {
        logWatch?.close();
        logWatch = null;
        logKey = null;
      }
    }
    const repo = repoOf(s);
    const want = s.dlq && repo ? `${repo}/${s.dlq.jobId}` : null;
    if (want !== dlqKey) {
      if (want && s.dlq && repo) openDlq(repo, s.dlq.jobId);
      else {
        dlqWatch?.close();
        dlqWatch = null;
        dlqKey = null;
      }
    }
  };
  const unsubscribe = store.subscribe((s, prev) => {
    sync(s);
    // An item's log also follows its job file (the running attempt's output lives there).
    if (s.log?.source.kind === 'item' && s.job?.state !== prev.job?.state) void loadLog(s.log.source).catch(() => {});
  });
  sync(store.getState());
  // `d`: the commits view reads git (store/changes-feed.ts).
  const changes = startChangesFeed(store);
  return {
    stop() {
      stopped = true;
      changes.stop();
      unsubscribe();
      logWatch?.close();
      dlqWatch?.close();
    },
  };
}
