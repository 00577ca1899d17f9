/**
 * The last lines of a running step's output, for the session's `output_tail` (the dashboard shows it).
 * `TailBuffer` is pure bookkeeping over chunks that may end mid-line; `Coalescer` bounds how often the
 * tail is written (a chatty command must not turn into hundreds of session writes a second).
 */

export class TailBuffer {
  private lines: string[] = [];
  private partial = '';

  constructor(readonly max = 20) {}

  push(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.lines.push(stripControl(p));
    if (this.lines.length > this.max) this.lines = this.lines.slice(-this.max);
  }

  /** Complete lines plus the line being written, newest last. */
  snapshot(): string[] {
    const all = this.partial ? [...this.lines, stripControl(this.partial)] : [...this.lines];
    return all.slice(-this.max);
  }

  clear(): void {
    this.lines = [];
    this.partial = '';
  }
}

/** Pure: the tail of finished lines `prev` followed by a running command's output so far, stream by stream. */
export function liveTail(prev: readonly string[], texts: readonly string[], max: number): string[] {
  const b = new TailBuffer(max);
  for (const l of prev) b.push(`${l}\n`);
  for (const t of texts) if (t) b.push(t.endsWith('\n') ? t : `${t}\n`);
  return b.snapshot();
}

/** Terminal escapes and carriage-return progress bars would garble a dashboard: keep the text only. */
export function stripControl(line: string): string {
  const afterCr = line.includes('\r') ? (line.split('\r').filter((s) => s.length > 0).at(-1) ?? '') : line;
  // eslint-disable-next-line no-control-regex
  return afterCr.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}

/** Calls `flush` at most once per `intervalMs` while `poke` keeps coming; `done()` flushes what is left. */
export class Coalescer {
  private timer: NodeJS.Timeout | null = null;
  private last = 0;
  private dirty = false;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: () => void,
  ) {}

  poke(): void {
    this.dirty = true;
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.fire(), wait);
  }

  done(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.dirty) this.fire();
  }

  private fire(): void {
    this.timer = null;
    this.dirty = false;
    this.last = Date.now();
    this.flush();
  }
}
