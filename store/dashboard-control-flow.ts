/**
 * What `r`, `x`, `q` and Ctrl+C do when runs are involved: each asks on the status line first, then acts
 * through the injected `DashboardControl` (src/control/dashboard-control.ts). Refusals are one line in the
 * status bar; nothing here throws into the render loop.
 */
import { offerText, resumeOffer, resumeTarget, whereStopped } from '../src/control/resume-offer.js';
import { shortOf } from '../src/view/short-id.js';
import { interruptRefusal } from '../src/control/run-control.js';
import type { UnifiedSession } from '../src/session/types.js';
import { sessionName } from '../src/view/format.js';
import type { StoreApi } from 'zustand/vanilla';
import type { Banner, DashboardState, RunControlActions, RunControlData } from './dashboard-types.js';
import type { DashboardControl } from '../src/control/dashboard-control.js';

/** The session `r` and `x` act on: the open one in a detail view, else the selected row. */
function pointedAt(s: DashboardState): UnifiedSession | null {
  const id = s.view !== 'list' ? (s.openId ?? s.selectedId) : s.selectedId;
  return id ? (s.sessions[id] ?? null) : null;
}

const aliveOf = (s: DashboardState) => (x: UnifiedSession) => s.alive[x.id];

/** The resume offer: this repository's last interrupted session, from the state as it is now, or null. */
export function bannerFor(s: Pick<DashboardState, 'sessions' | 'alive' | 'repoPath' | 'now' | 'short'>): Banner | null {
  const offer = resumeOffer(Object.values(s.sessions), (x) => s.alive[x.id], s.repoPath, s.now);
  return offer ? { text: offerText(offer, shortOf(s.short, offer.id)), tone: 'warn', sessionId: offer.id } : null;
}

/**
 * The banner line shown now: the caller's banner, else (when offered) the resume offer recomputed from the
 * live state — so its age, its step and the session it points at are never those of start-up.
 */
export function bannerNow(s: DashboardState): Banner | null {
  if (s.banner) return s.banner;
  if (!s.offerResume) return null;
  // Selectors ask on every store change (keys too): recompute only when what it reads changed.
  const c = bannerCache;
  if (c && c.sessions === s.sessions && c.alive === s.alive && c.now === s.now && c.short === s.short && c.repoPath === s.repoPath) return c.banner;
  const banner = bannerFor(s);
  bannerCache = { sessions: s.sessions, alive: s.alive, now: s.now, short: s.short, repoPath: s.repoPath, banner };
  return banner;
}

let bannerCache: (Pick<DashboardState, 'sessions' | 'alive' | 'now' | 'short' | 'repoPath'> & { banner: Banner | null }) | null = null;

const short = (s: DashboardState, id: string) => shortOf(s.short, id);

/** A refusal line names sessions by the short id every view shows (it fits the status line, and pastes). */
function shortened(s: DashboardState, line: string): string {
  return line.replace(/session-[0-9a-f-]{36}/g, (id) => short(s, id));
}

export function askResume(s: DashboardState): void {
  if (!s.control) return s.setMessage('resume is not available here');
  const target = resumeTarget(pointedAt(s), Object.values(s.sessions), aliveOf(s), s.repoPath);
  if (!target.ok) return s.setMessage(shortened(s, target.reason));
  const x = target.session;
  const refusal = s.control.preflightResume(x);
  if (refusal) return s.setMessage(shortened(s, refusal));
  s.ask({
    kind: 'resume',
    prompt: `Resume ${sessionName(x)} (${short(s, x.id)}) from ${whereStopped(x)}?`,
    onYes: () => startResume(s, x),
    onNo: () => s.setMessage('Resume cancelled'),
  });
}

function startResume(s: DashboardState, x: UnifiedSession): void {
  const control = s.control!;
  const run = control.resume(x, (code, line) => s.runEnded(x.id, code, line));
  if (!run.ok) return s.setMessage(run.reason);
  s.runStarted(x.id, run.pid);
  s.openSession(x.id);
  s.setMessage(`Resuming ${short(s, x.id)} (process ${run.pid}); its output goes to ${run.logFile}`);
}

export function askInterrupt(s: DashboardState): void {
  if (!s.control) return s.setMessage('interrupt is not available here');
  const x = pointedAt(s);
  if (!x) return s.setMessage('no session selected');
  const refusal = interruptRefusal(x, s.alive[x.id]);
  if (!refusal.ok) return s.setMessage(shortened(s, refusal.reason));
  s.ask({
    kind: 'interrupt',
    prompt: `Interrupt ${sessionName(x)} (${short(s, x.id)})? It pauses and can be resumed.`,
    onYes: () => {
      const r = s.control!.interrupt(x);
      s.setMessage(r.ok ? `Interrupting ${short(s, x.id)}: it stops its step and pauses` : r.reason);
    },
    onNo: () => s.setMessage('Interrupt cancelled'),
  });
}

/** `R` in the DLQ view: asks, then runs `prodigy dlq retry <job>` detached (the same code as the CLI). */
export function askRetryDlq(s: DashboardState): void {
  const d = s.dlq;
  if (!d) return;
  if (!s.control) return s.setMessage('retry is not available here');
  const x = s.sessions[d.sessionId];
  if (!x) return s.setMessage('this session is gone');
  if (d.items.length === 0) return s.setMessage('no dead items to retry');
  if ((x.status === 'Running' || x.status === 'Initializing') && s.alive[x.id] !== false) return s.setMessage(`${short(s, x.id)} is running: retry its dead items once it stops`);
  if (s.started[x.id]?.live) return s.setMessage(`a run of ${short(s, x.id)} started here is still going`);
  const n = d.items.length;
  s.ask({
    kind: 'retry',
    prompt: `Retry ${n} dead item${n === 1 ? '' : 's'} of job ${d.jobId} (prodigy dlq retry)?`,
    onYes: () => {
      const run = s.control!.retryDlq(x, d.jobId, (code, line) => s.runEnded(x.id, code, line));
      if (!run.ok) return s.setMessage(run.reason);
      s.runStarted(x.id, run.pid);
      s.setMessage(`Retrying ${n} dead item${n === 1 ? '' : 's'} (process ${run.pid}); output in ${run.logFile}`);
    },
    onNo: () => s.setMessage('Retry cancelled'),
  });
}

/** Runs this dashboard started that are still going. */
export function liveStarted(s: Pick<DashboardState, 'started'>): string[] {
  return Object.entries(s.started)
    .filter(([, r]) => r.live)
    .map(([id]) => id);
}

/** `q`: quits at once unless runs started here are still going; then leaving them running is the default. */
export function askQuit(s: DashboardState): void {
  const live = liveStarted(s);
  if (live.length === 0 || !s.control) return s.requestQuit();
  const control = s.control;
  const interruptAll = () => {
    for (const id of live) {
      control.signal(s.started[id]!.pid);
      s.runStopping(id);
    }
    s.requestQuit();
  };
  s.ask({
    kind: 'quit',
    prompt: live.length === 1 ? `${short(s, live[0]!)} is still running.` : `${live.length} runs started here are still running.`,
    hint: 'Enter/l: leave it, quit · i: interrupt, quit · Esc: stay',
    onYes: () => s.requestQuit(),
    keys: { l: () => s.requestQuit(), i: interruptAll },
  });
}

/**
 * Ctrl+C. In the live view of `prodigy run` it interrupts that run exactly as Ctrl+C without the view
 * would (the view closes when the run has paused); elsewhere it quits, through the quit prompt, and a
 * second Ctrl+C at that prompt quits at once, leaving runs going.
 */
export function ctrlC(s: DashboardState): void {
  const own = s.ownRun ? s.started[s.ownRun] : undefined;
  if (own?.live) {
    s.control?.signal(own.pid);
    s.setMessage(own.stopping ? 'Quitting at once…' : 'Stopping… (Ctrl+C again to quit at once)');
    return s.runStopping(s.ownRun!);
  }
  if (s.confirm?.kind === 'quit') return s.requestQuit();
  askQuit(s);
}

/** The store's run-tracking part: which runs were started here, and what their ends mean. */
export function runControlSlice(
  set: StoreApi<DashboardState>['setState'],
  get: () => DashboardState,
  o: { control?: DashboardControl | null; ownRun?: { id: string; pid: number } },
): RunControlData & RunControlActions {
  const patchRun = (id: string, patch: Partial<DashboardState['started'][string]>) =>
    set((s) => (s.started[id] ? { started: { ...s.started, [id]: { ...s.started[id]!, ...patch } } } : {}));
  return {
    control: o.control ?? null,
    started: o.ownRun ? { [o.ownRun.id]: { pid: o.ownRun.pid, live: true, stopping: false, exitCode: null } } : {},
    ownRun: o.ownRun?.id ?? null,
    runStarted(id, pid) {
      set((s) => ({ started: { ...s.started, [id]: { pid, live: true, stopping: false, exitCode: null } } }));
    },
    runStopping(id) {
      patchRun(id, { stopping: true });
    },
    runEnded(id, code, lastLine) {
      if (!get().started[id]) return;
      patchRun(id, { live: false, exitCode: code });
      const s = get();
      if (s.ownRun === id) return s.requestQuit();
      if (code === 0) s.setMessage(`${id} finished`);
      else if (code === 130) s.setMessage(`${id} paused`);
      else s.setMessage(`${id}: ${lastLine ?? `prodigy resume exited with ${code ?? 'a signal'}`}`);
    },
  };
}
