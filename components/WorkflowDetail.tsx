/** Workflow detail: every step with its state and duration, the running step's output tail, the error. */
import { Box } from 'ink';
import { useShallow } from 'zustand/react/shallow';
import type { UnifiedSession } from '../src/session/types.js';
import { fitLine, splitRows } from '../src/tui/layout.js';
import { STEP_SYMBOL, currentLine, outputTail, workflowSteps } from '../src/tui/workflow-steps.js';
import { elapsedMs, formatDurationMs, formatRelative } from '../src/view/format.js';
import { DetailTitle, PaneHeading } from './DetailTitle.js';
import { Line } from './Line.js';
import { useDashboard } from './store-context.js';
import { STEP_COLOR, spinnerFrame, tint } from './theme.js';
import { useWindowTop } from './use-window.js';

export function WorkflowDetail({ session, width, height }: { session: UnifiedSession; width: number; height: number }) {
  const { alive, now, color, pane, cursor } = useDashboard(
    useShallow((s) => ({ alive: s.alive[session.id], now: s.now, color: s.color, pane: s.pane, cursor: s.detailCursor[0] })),
  );
  const interrupted = alive === false && (session.status === 'Running' || session.status === 'Initializing');
  const steps = workflowSteps(session, interrupted, now);
  const tail = outputTail(session);
  const errorLines = session.error ? 1 : 0;
  // Title, info line, two pane headings (and the error) are fixed; steps and output share the rest.
  const [stepRows, outRows] = splitRows(height - 4 - errorLines, [steps.length, Math.max(1, tail.length)]);
  const top = useWindowTop(cursor, stepRows!, steps.length);
  const end = session.completed_at ? 'finished' : 'started';
  const info = `${currentLine(session, steps)} · ${end} ${formatRelative(session.completed_at ?? session.started_at, now)} · ${formatDurationMs(elapsedMs(session, interrupted ? Date.parse(session.updated_at) : now))}`;
  return (
    <Box flexDirection="column">
      <DetailTitle session={session} alive={alive} width={width} color={color} />
      <Line dim text={fitLine(info, '', width)} />
      <PaneHeading title="Steps" focused={pane === 0} width={width} color={color} right={`${steps.filter((s) => s.state === 'done').length}/${steps.length}`} />
      {steps.slice(top, top + stepRows!).map((r) => {
        const glyph = r.state === 'running' ? spinnerFrame(now) : STEP_SYMBOL[r.state];
        const selected = pane === 0 && r.index === cursor;
        return (
          <Line
            key={r.index}
            color={tint(color, STEP_COLOR[r.state])}
            bold={selected}
            text={fitLine(`${selected ? '›' : ' '} ${glyph} ${String(r.index + 1).padStart(2)}  ${r.summary}`, `${r.state === 'pending' ? '' : r.state} ${r.duration}`.trim(), width)}
          />
        );
      })}
      <PaneHeading title="Output" focused={pane === 1} width={width} color={color} />
      {outRows === 0 ? null : tail.length === 0 ? (
        <Line dim text="  (no output recorded)" />
      ) : (
        tail.slice(-outRows!).map((l, i) => <Line key={i} text={fitLine(`  ${l}`, '', width)} />)
      )}
      {session.error ? <Line color={tint(color, 'red')} text={fitLine(`✗ error: ${session.error.split('\n')[0]}`, '', width)} /> : null}
    </Box>
  );
}
