/**
 * The imperative edge between disk and the dashboard store: lists the sessions once, then reloads only
 * the files the watcher names; watches the open MapReduce job's files while its detail view is shown;
 * and runs the one slow timer (1 s) that re-checks owners of running sessions (a killed owner changes no
 * file) and advances the clock when the screen shows seconds (src/tui/clock.ts). Nothing polls in a loop.
 */
import { UnifiedSessionManager } from '../src/session/manager.js';
import { shouldTick } from '../src/tui/clock.js';
import type { UnifiedSession } from '../src/session/types.js';
import type { DashboardStore, JobView } from './dashboard.js';
import { countDlqItems, jobRepoOf, readJobTail, readLatestEvents } from './job-files.js';
import { JobTail } from '../src/mapreduce/job-tail.js';
import { storePaths } from '../src/storage/paths.js';
import { CorruptSessionFileError, type SessionListing } from '../src/storage/session-store.js';
import { type FolderWatch, watchFolder, watchSessions } from './watch.js';
import { startViewFeed } from './view-feed.js';
import { bannerFor } from './dashboard-control-flow.js';

export interface FeedOptions {
  tickMs?: number;
  /** How many of the latest job events the detail view keeps. */
  eventCount?: number;
  debounceMs?: number;
  minIntervalMs?: number;
  /** How often a job folder that does not exist yet is looked for. */
  retryMs?: number;
}

export interface Feed {
  stop(): void;
}

const isLive = (s: UnifiedSession) => s.status === 'Running' || s.status === 'Initializing';

/** Loads every session into the store at once (`--once`, line mode, a folder-wide change; the dashboard's start streams: session-loader.ts). */
export async function loadAll(store: DashboardStore, manager: UnifiedSessionManager, listing: Promise<SessionListing> = manager.store.list()): Promise<void> {
  const { sessions, problems } = await listing;
  const alive: Record<string, boolean | undefined> = {};
  for (const s of sessions) alive[s.id] = manager.ownerAlive(s);
  store.getState().sessionsLoaded(sessions, alive, Object.fromEntries(problems.map((p) => [p.file, p.reason])));
}

export function startFeed(store: DashboardStore, opts: FeedOptions = {}): Feed {
  const home = store.getState().home;
  const manager = new UnifiedSessionManager(home);
  const paths = storePaths(home);
  let stopped = false;

  const reload = async (ids: Set<string>, all: boolean) => {
    if (all) return loadAll(store, manager);
    const changed: UnifiedSession[] = [];
    const removed: string[] = [];
    const alive: Record<string, boolean | undefined> = {};
    const problems: Record<string, string | null> = {};
    for (const id of ids) {
      let file: string;
      try {
        file = manager.store.fileOf(id);
      } catch {
        continue; // not a session file name
      }
      try {
        const s = await manager.store.read(id);
        problems[file] = null;
        if (!s) removed.push(id);
        else {
          changed.push(s);
          alive[id] = manager.ownerAlive(s);
        }
      } catch (err) {
        // A corrupt file is reported and the last good copy kept; the file itself is never touched.
        problems[file] = err instanceof CorruptSessionFileError ? err.reason : String(err);
      }
    }
    if (!stopped) store.getState().sessionsChanged(changed, removed, alive, problems);
  };

  const sessionsWatch = watchSessions(paths.sessionsDir, (ids, all) => void reload(ids, all).catch(() => {}), opts);

  const tick = setInterval(() => {
    const s = store.getState();
    const changedAlive: Record<string, boolean | undefined> = {};
    for (const session of Object.values(s.sessions)) {
      if (!isLive(session)) continue;
      const alive = manager.ownerAlive(session);
      if (alive !== s.alive[session.id]) changedAlive[session.id] = alive;
    }
    if (Object.keys(changedAlive).length > 0) s.aliveChanged(changedAlive);
    const now = Date.now();
    const st = store.getState();
    // The resume banner's age moves with the clock too (only when it is the offer, not a set banner).
    const bannerAt = (at: number) => (st.banner || !st.offerResume ? '' : (bannerFor({ ...st, now: at })?.text ?? ''));
    if (shouldTick(st, now, st.now, bannerAt)) st.tick(now);
  }, opts.tickMs ?? 1000);

  // ---- the open MapReduce job --------------------------------------------------------------------
  let jobWatches: FolderWatch[] = [];
  let watchedJob: string | null = null;
  const eventCount = opts.eventCount ?? 50;

  const closeJob = () => {
    for (const w of jobWatches) w.close();
    jobWatches = [];
    watchedJob = null;
  };

  /** Applies a read only if the same job is still open (the user may have gone back meanwhile). */
  const apply = (jobId: string, patch: Partial<Omit<JobView, 'sessionId' | 'jobId' | 'ordered'>>) => {
    if (!stopped && store.getState().job?.jobId === jobId) store.getState().jobLoaded(patch);
  };

  const openJob = async (job: JobView) => {
    const session = store.getState().sessions[job.sessionId];
    if (!session) return;
    const repo = await jobRepoOf(home, session, job.jobId);
    if (watchedJob !== job.jobId) return;
    apply(job.jobId, { repo, resolved: true });
    if (repo === null) return;
    const stateFile = paths.jobStateFile(repo, job.jobId);
    // Follows the journal: each change costs the lines appended since, not a parse of the whole job.
    const tail = new JobTail(stateFile);
    let shown: unknown = undefined;
    const loadState = async () => {
      const read = await readJobTail(tail);
      if (read.state !== null && read.state === shown && read.problem === null) return; // nothing new
      shown = read.state;
      apply(job.jobId, read);
    };
    const loadEvents = async () => apply(job.jobId, { events: await readLatestEvents(paths.eventsDir(repo, job.jobId), eventCount) });
    const loadDlq = async () => apply(job.jobId, { dlqCount: await countDlqItems(paths.dlqItemsDir(repo, job.jobId)) });
    const quiet = (f: () => Promise<void>) => () => void f().catch(() => {});
    jobWatches = [
      watchFolder(paths.jobDir(repo, job.jobId), { ...opts, accept: (n) => n === 'job.json' || n === 'job.journal.jsonl', onChange: quiet(loadState) }),
      watchFolder(paths.eventsDir(repo, job.jobId), { ...opts, accept: (n) => n.endsWith('.jsonl'), onChange: quiet(loadEvents) }),
      watchFolder(paths.dlqItemsDir(repo, job.jobId), { ...opts, accept: (n) => n.endsWith('.json'), onChange: quiet(loadDlq) }),
    ];
    await Promise.all([loadState(), loadEvents(), loadDlq()]);
  };

  let resolving = false;
  const start = (job: JobView) => {
    resolving = true;
    const seen = store.getState().sessions;
    void openJob(job)
      .catch(() => {})
      .finally(() => {
        resolving = false;
        // Sessions changed while looking: look once more rather than miss the runner's first write.
        const now = store.getState();
        if (!stopped && now.job?.jobId === job.jobId && now.job.repo === null && jobWatches.length === 0 && now.sessions !== seen) start(now.job);
      });
  };
  const unsubscribe = store.subscribe((s, prev) => {
    const id = s.job?.jobId ?? null;
    // The same job reopened as a fresh view (nothing read yet): read it all again, not only what changes.
    const reset = s.job !== null && prev.job !== null && s.job !== prev.job && s.job.repo === null && prev.job.repo !== null;
    if (id !== watchedJob || reset) {
      closeJob();
      if (s.job) {
        watchedJob = s.job.jobId;
        start(s.job);
      }
      return;
    }
    // The job's files were not found yet: look again when its session changes (the runner got going).
    if (s.job && s.job.repo === null && jobWatches.length === 0 && !resolving && s.sessions !== prev.sessions) start(s.job);
  });
  // The log and DLQ views read their own files (store/view-feed.ts).
  const views = startViewFeed(store, opts);
  const initial = store.getState().job;
  if (initial) {
    watchedJob = initial.jobId;
    start(initial);
  }

  return {
    stop() {
      stopped = true;
      views.stop();
      unsubscribe();
      closeJob();
      sessionsWatch.close();
      clearInterval(tick);
    },
  };
}
