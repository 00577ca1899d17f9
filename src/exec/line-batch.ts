/**
 * Lines for a stream, written together: the first line of a quiet moment goes out at once, later ones
 * within `ms` in one write. A queue worker prints a line per item; on a busy 2-core machine a write
 * (and the reader it wakes) per item was a measurable part of a short item's cost.
 */
export interface LineBatch {
  line(text: string): void;
  /** Everything pending goes out now (before the process ends). */
  flush(): void;
}

export function lineBatch(write: (text: string) => void, ms = 100): LineBatch {
  let pending: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  let lastWrite = 0;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    lastWrite = Date.now();
    write(text);
  };
  return {
    line(text) {
      pending.push(`${text}\n`);
      if (timer) return;
      if (Date.now() - lastWrite >= ms) flush();
      else timer = setTimeout(flush, ms);
    },
    flush,
  };
}
