/**
 * The dashboard's root: feeds keys to the store (one useInput, through the key table), follows terminal
 * resizes, quits when the store asks, and picks the view. Frames are at most rows - 1 lines tall.
 */
import { Box, useApp, useInput, useStdin, useStdout } from 'ink';
import { useEffect } from 'react';
import { keyName } from '../src/tui/keys.js';
import { osc52 } from '../src/tui/osc52.js';
import { fits, frameHeight, tooSmallNotice } from '../src/tui/layout.js';
import { isMapReduce } from '../src/view/format.js';
import type { DashboardStore } from '../store/dashboard.js';
import { bannerNow } from '../store/dashboard-control-flow.js';
import { truncate } from '../src/view/text.js';
import { HelpOverlay } from './HelpOverlay.js';
import { LogViewer } from './LogViewer.js';
import { DlqView } from './DlqView.js';
import { ChangesView } from './ChangesView.js';
import { Line } from './Line.js';
import { MapReduceDetail } from './MapReduceDetail.js';
import { SessionList } from './SessionList.js';
import { StatusBar } from './StatusBar.js';
import { DashboardProvider, useDashboard, useDashboardStore } from './store-context.js';
import { WorkflowDetail } from './WorkflowDetail.js';
import { tint } from './theme.js';

const CHUNK_KEYS: Record<string, string> = { '\r': 'return', '\n': 'return', '\t': 'tab', '\x7f': 'backspace' };

function useKeys(store: DashboardStore): void {
  const { isRawModeSupported } = useStdin();
  useInput(
    (input, key) => {
      const name = keyName(input, key);
      // Several characters in one chunk (fast typing, a paste): one key each, in order.
      // A terminal that sends text and Enter in one read (tmux send-keys, a paste) still ends with Enter.
      if (name.length > 1 && name === input && !key.ctrl && !key.meta) for (const ch of input) store.getState().key(CHUNK_KEYS[ch] ?? ch);
      else store.getState().key(name);
    },
    { isActive: isRawModeSupported === true },
  );
}

function useResize(store: DashboardStore): void {
  const { stdout } = useStdout();
  useEffect(() => {
    const onResize = () => store.getState().resize(stdout.columns, stdout.rows);
    onResize();
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, store]);
}

/** Copy (`y`, `Y`) writes OSC 52 straight to the terminal: invisible, so it never disturbs the frame. */
function useClipboard(store: DashboardStore): void {
  const { stdout } = useStdout();
  useEffect(() => {
    store.getState().setClipboard((text) => stdout.write(osc52(text, { TMUX: process.env.TMUX })));
    return () => store.getState().setClipboard(null);
  }, [stdout, store]);
}

function useQuit(): void {
  const { exit } = useApp();
  const quit = useDashboard((s) => s.quitRequested);
  useEffect(() => {
    if (quit) exit();
  }, [quit, exit]);
}

/** The banner is recomputed from the live state on every change (and clock tick): never a start-up copy. */
function Banner({ width }: { width: number }) {
  const text = useDashboard((s) => bannerNow(s)?.text ?? null);
  const tone = useDashboard((s) => bannerNow(s)?.tone);
  const color = useDashboard((s) => s.color);
  if (text === null) return null;
  const c = tone === 'error' ? 'red' : tone === 'warn' ? 'yellow' : 'blue';
  return <Line bold color={tint(color, c)} text={truncate(text, width)} />;
}

function Body({ width, height }: { width: number; height: number }) {
  const view = useDashboard((s) => s.view);
  const help = useDashboard((s) => s.help);
  const open = useDashboard((s) => (s.openId ? s.sessions[s.openId] : undefined));
  if (help) return <HelpOverlay view={view} width={width} height={height} />;
  if (view === 'list') return <SessionList width={width} height={height} />;
  if (view === 'log') return <LogViewer width={width} height={height} />;
  if (view === 'dlq') return <DlqView width={width} height={height} />;
  if (view === 'changes') return <ChangesView width={width} height={height} />;
  if (!open) return <Line text="  This session's file is gone. Esc goes back." />;
  if (isMapReduce(open)) return <MapReduceDetail session={open} width={width} height={height} />;
  return <WorkflowDetail session={open} width={width} height={height} />;
}

function Root() {
  const store = useDashboardStore();
  useKeys(store);
  useResize(store);
  useClipboard(store);
  useQuit();
  const size = useDashboard((s) => s.size);
  const hasBanner = useDashboard((s) => bannerNow(s) !== null);
  if (!fits(size)) return <Line text={tooSmallNotice(size)} />;
  const width = size.columns;
  // Frame = banner? + body + status bar, never taller than rows - 1.
  const bodyHeight = frameHeight(size) - 1 - (hasBanner ? 1 : 0);
  return (
    <Box flexDirection="column" width={width} height={frameHeight(size)}>
      <Banner width={width} />
      <Box flexDirection="column" height={bodyHeight} overflow="hidden">
        <Body width={width} height={bodyHeight} />
      </Box>
      <StatusBar width={width} />
    </Box>
  );
}

export function Dashboard({ store }: { store: DashboardStore }) {
  return (
    <DashboardProvider store={store}>
      <Root />
    </DashboardProvider>
  );
}
