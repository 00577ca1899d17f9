/**
 * MapReduce detail: phase line, progress bar with counts, throughput and ETA, DLQ count, the agent table
 * (only the rows that fit are formatted) and the latest events.
 */
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { UnifiedSession } from '../src/session/types.js';
import { fitLine, fitTitle, splitRows } from '../src/tui/layout.js';
import { positionText } from '../src/tui/selection.js';
import { agentRows, eventLine, hasAgentWorktrees, jobHeader, jobRates, jobSummary, phaseLine, reduceLine } from '../src/tui/mapreduce-view.js';
import { queueText, workerCell, workerPaneWindow } from '../src/tui/queue-view.js';
import { BAR_GLYPH, type ItemCounts, progressSegments } from '../src/tui/progress.js';
import { elapsedMs } from '../src/view/format.js';
import { type Column, renderTable } from '../src/view/table.js';
import { displayWidth } from '../src/view/text.js';
import type { JobView } from '../store/dashboard.js';
import { DetailTitle, PaneHeading } from './DetailTitle.js';
import { Line } from './Line.js';
import { useDashboard } from './store-context.js';
import { ITEM_COLOR, ITEM_SYMBOL, tint } from './theme.js';
import { useWindowTop } from './use-window.js';

const AGENT_COLUMNS: Column[] = [
  { header: 'ITEM', flex: true, min: 8 },
  { header: 'STATUS' },
  { header: 'TRY', align: 'right', dropOrder: 2 },
  { header: 'ELAPSED', align: 'right', dropOrder: 1 },
  { header: 'LAST OUTPUT', flex: true, min: 8, dropOrder: 3 },
];
/** A job on queue workers: which worker (host:pid) runs each item. */
const WORKER_COLUMN: Column = { header: 'WORKER', flex: true, min: 8, dropOrder: 4 };
const WORKER_COLUMNS: Column[] = [
  { header: 'WORKER', flex: true, min: 8 },
  { header: 'RUNNING', align: 'right' },
  { header: 'DONE', align: 'right', dropOrder: 3 },
  { header: 'RATE', align: 'right', dropOrder: 2 },
  { header: 'HEARTBEAT', dropOrder: 1 },
  { header: 'STATE', dropOrder: 4 },
];

/** With agent worktrees: each item's commits and merge state too (they go first when the width is short). */
const WORKTREE_COLUMNS: Column[] = [
  ...AGENT_COLUMNS.slice(0, 4),
  { header: 'COMMITS', align: 'right', dropOrder: 5 },
  { header: 'MERGE', dropOrder: 4 },
  AGENT_COLUMNS[4]!,
];

/** The bar in its four parts; each part has its own glyph, so colour only adds to it. */
function Bar({ counts, width, color, label }: { counts: ItemCounts; width: number; color: boolean; label: string }) {
  const seg = progressSegments(counts, width);
  const parts = (['completed', 'failed', 'running', 'pending'] as const).map((k) => (
    <Text key={k} color={tint(color, BAR_COLOR[k])}>
      {BAR_GLYPH[k].repeat(seg[k])}
    </Text>
  ));
  return (
    <Text wrap="truncate-end">
      {parts}
      {label}
    </Text>
  );
}

const BAR_COLOR = { completed: 'green', failed: 'red', running: 'cyan', pending: 'gray' } as const;

/** Counts with words when they fit, else the glyphs alone (the same glyphs as the bar and the table). */
function countsText(c: ItemCounts, room: number): string {
  const full = `✓ ${c.completed} done  ✗ ${c.failed} failed  ● ${c.running} running  · ${c.pending} pending`;
  return displayWidth(full) <= room ? full : `✓${c.completed} ✗${c.failed} ●${c.running} ·${c.pending}`;
}

/** The phase line, and the queue's depth when the job runs on queue workers. */
function withQueue(phase: string, job: JobView | null, width: number): string {
  const q = queueText(job?.state?.queue);
  return q ? `${phase} · ${width >= 100 ? q.long : q.short}` : phase;
}

/** The lines above the panes: title, phase, bar, counts (and the reduce line once reduce started). */
const HEAD_LINES = 4;
const REDUCE_COLOR = { running: 'cyan', completed: 'green', failed: 'red', interrupted: 'yellow' } as const;

function Summary({ session, job, width, now, color, live }: { session: UnifiedSession; job: JobView | null; width: number; now: number; color: boolean; live: boolean }) {
  const state = job?.state ?? null;
  // 10k items: the summary walks them once per job read or tick, never per key press.
  const sum = useMemo(() => jobSummary(session, state, now), [session, state, now]);
  const c = sum.counts;
  const finished = session.status === 'Completed';
  const label = ` ${c.completed + c.failed}/${c.total}`;
  const dlq = job?.dlqCount ?? 0;
  const right = jobRates(sum, { live, dlq, wide: width >= 80 });
  const started = job?.state?.created_at ?? session.started_at;
  const reduce = reduceLine(state?.reduce, now);
  const head = jobHeader(job ? job.jobId : null, started, elapsedMs(session, live ? now : Date.parse(session.updated_at)), now);
  return (
    <>
      <Line dim text={fitTitle(withQueue(phaseLine(sum.phase, finished), job, width), [head.long, head.short], width)} />
      <Bar counts={c} width={Math.max(0, width - label.length)} color={color} label={label} />
      <Line text={fitLine(countsText(c, width - displayWidth(right) - 1), right, width)} />
      {reduce === null ? null : <Line color={tint(color, REDUCE_COLOR[state!.reduce!.status])} text={fitLine(reduce, '', width)} />}
    </>
  );
}

export function MapReduceDetail({ session, width, height }: { session: UnifiedSession; width: number; height: number }) {
  const { alive, now, color, pane, agentCursor, eventCursor, workerCursor, job } = useDashboard(
    useShallow((s) => ({ alive: s.alive[session.id], now: s.now, color: s.color, pane: s.pane, agentCursor: s.detailCursor[0], eventCursor: s.detailCursor[1], workerCursor: s.workerCursor, job: s.job })),
  );
  // Live: its owner runs it now. Paused, interrupted or finished jobs show no rate or ETA (nothing moves).
  const live = (session.status === 'Running' || session.status === 'Initializing') && alive !== false;
  const ordered = job?.ordered ?? [];
  const events = job?.events ?? [];
  const queue = job?.state?.queue ?? null;
  const workerCount = queue?.list?.length ?? 0;
  // Two pane headings plus the agent table's header line (and the workers pane's two); agents get the larger share.
  const head = HEAD_LINES + (job?.state?.reduce ? 1 : 0);
  const wants = [Math.max(1, ordered.length), Math.min(Math.max(1, events.length), 6), ...(queue ? [Math.max(1, workerCount)] : [])];
  const [agentHeight, eventHeight, workerHeight = 0] = splitRows(height - head - 3 - (queue ? 2 : 0), wants);
  const top = useWindowTop(agentCursor, agentHeight!, ordered.length);
  const rows = agentRows(ordered, top, agentHeight!, now, live, job?.state?.max_attempts ?? null);
  // Computed once per job read (10,000 items), not per frame.
  const isolated = useMemo(() => hasAgentWorktrees(ordered), [ordered]);
  const status = (r: (typeof rows)[number]) => `${r.label === 'paused' ? '‖' : ITEM_SYMBOL[r.status]} ${r.label}`;
  // A job on queue workers: a WORKER column (host:pid) after STATUS.
  const withWorker = (cols: Column[]): Column[] => (queue ? [cols[0]!, cols[1]!, WORKER_COLUMN, ...cols.slice(2)] : cols);
  const cells = (r: (typeof rows)[number], i: number, rest: string[]) => (queue ? [r.id, status(r), workerCell(ordered[top + i]!), ...rest] : [r.id, status(r), ...rest]);
  const lines = isolated
    ? renderTable(withWorker(WORKTREE_COLUMNS), rows.map((r, i) => cells(r, i, [r.attempt, r.elapsed, r.commits, r.merge, r.last])), width - 2)
    : renderTable(withWorker(AGENT_COLUMNS), rows.map((r, i) => cells(r, i, [r.attempt, r.elapsed, r.last])), width - 2);
  // Only the workers that fit are formatted (windowed like the agent table).
  const workerTop = useWindowTop(workerCursor, workerHeight, workerCount);
  const workers = workerPaneWindow(queue, now, workerCursor, workerTop, workerHeight);
  const workerLines = renderTable(WORKER_COLUMNS, workers.rows.map((w) => [w.worker, w.running, w.done, w.perMin, w.heartbeat, w.state]), width - 2);
  const newestFirst = [...events].reverse();
  const eventTop = useWindowTop(eventCursor, eventHeight!, newestFirst.length);
  // "Not found" only once the search is over: while it runs, the job is being read, not missing.
  const note = job?.problem ?? (job && job.repo === null ? (job.resolved ? 'job files not found; counts from the session' : 'reading the job files…') : null);
  return (
    <Box flexDirection="column">
      <DetailTitle session={session} alive={alive} width={width} color={color} />
      <Summary session={session} job={job} width={width} now={now} color={color} live={live} />
      <PaneHeading title="Agents" focused={pane === 0} width={width} color={color} right={positionText(agentCursor, ordered.length)} />
      <Line dim text={`  ${lines[0]}`} />
      {rows.length === 0 ? (
        <Line dim text={fitLine(`  ${note ?? 'no work items yet'}`, '', width)} />
      ) : (
        rows.map((r, i) => {
          const selected = pane === 0 && top + i === agentCursor;
          return <Line key={r.id} bold={selected} color={tint(color, ITEM_COLOR[r.status])} text={`${selected ? '›' : ' '} ${lines[i + 1]}`} />;
        })
      )}
      <PaneHeading title="Events" focused={pane === 1} width={width} color={color} right={events.length ? 'newest first' : ''} />
      {newestFirst.length === 0 ? (
        eventHeight ? <Line dim text="  (no events yet)" /> : null
      ) : (
        newestFirst.slice(eventTop, eventTop + eventHeight!).map((e, i) => {
          const selected = pane === 1 && eventTop + i === eventCursor;
          return <Line key={eventTop + i} bold={selected} text={fitLine(`${selected ? '›' : ' '} ${eventLine(e)}`, '', width)} />;
        })
      )}
      {queue ? (
        <>
          <PaneHeading title="Workers" focused={pane === 2} width={width} color={color} right={workers.heading} />
          <Line dim text={`  ${workerLines[0]}`} />
          {workerCount === 0
            ? workerHeight > 0 && <Line dim text="  (no workers connected)" />
            : workerLines.slice(1).map((l, i) => {
                const selected = pane === 2 && workers.top + i === workers.cursor;
                return <Line key={workers.rows[i]!.worker} bold={selected} text={`${selected ? '›' : ' '} ${l}`} />;
              })}
        </>
      ) : null}
    </Box>
  );
}
