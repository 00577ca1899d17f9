/** ink-testing-library around the real Dashboard, with named keys and condition-based waiting. */
import { render } from 'ink-testing-library';
import { afterEach, expect, vi } from 'vitest';
import { Dashboard } from '../../components/Dashboard.js';
import type { DashboardStore } from '../../store/dashboard.js';

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  home: '\u001B[H',
  end: '\u001B[F',
  shiftTab: '\u001B[Z',
  enter: '\r',
  escape: '\u001B',
  backspace: '\u007F',
  tab: '\t',
  ctrlC: '\u0003',
} as const;

const rendered: Array<{ frames: string[] }> = [];

/** Frames that wait on a real child process (a retry, a resume) need more than vi.waitFor's 1 s on a loaded machine. */
const FRAME_WAIT = { timeout: 15_000, interval: 20 };

// A selector that builds a fresh object without useShallow makes Ink draw its error box instead of
// throwing; no frame of any test may ever show it.
afterEach(() => {
  for (const r of rendered.splice(0)) for (const f of r.frames) expect(f).not.toMatch(/ERROR|Maximum update depth/);
});

export function renderDashboard(store: DashboardStore, size?: { columns: number; rows: number }) {
  const inst = render(<Dashboard store={store} />);
  rendered.push(inst);
  if (size) resize(inst.stdout, size);
  const frame = () => inst.lastFrame() ?? '';
  return {
    ...inst,
    frame,
    /** Writes one key, then waits until `until` holds for the frame (or the store). */
    async press(key: string, until: (frame: string) => boolean) {
      inst.stdin.write(key);
      await vi.waitFor(() => {
        if (!until(frame())) throw new Error(`frame after ${JSON.stringify(key)} did not match:\n${frame()}`);
      }, FRAME_WAIT);
    },
    async waitFor(until: (frame: string) => boolean) {
      await vi.waitFor(() => {
        if (!until(frame())) throw new Error(`frame did not match:\n${frame()}`);
      }, FRAME_WAIT);
    },
  };
}

/** The real resize path: the terminal reports a new size and emits 'resize'. */
export function resize(stdout: NodeJS.EventEmitter, size: { columns: number; rows: number }) {
  Object.defineProperty(stdout, 'columns', { value: size.columns, configurable: true });
  Object.defineProperty(stdout, 'rows', { value: size.rows, configurable: true });
  stdout.emit('resize');
}

/** Lines of a frame (without the trailing padding Ink adds). */
export function lines(frame: string): string[] {
  return frame.split('\n');
}

/** The line that holds the cursor marker. */
export function selectedLine(frame: string): string {
  return lines(frame).find((l) => l.startsWith('›')) ?? '';
}
