/** Turning a step's output into a captured variable (`capture_format`), pure. */
import type { CaptureFormat } from './types.js';

export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureError';
  }
}

/** Variables are text; structured formats are stored as JSON text (and read back with `${v.field}`). */
export function captureValue(output: string, exitCode: number | null, format: CaptureFormat): string {
  const text = output.replace(/\s+$/, '');
  switch (format) {
    case 'string':
      return text;
    case 'number': {
      const n = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(n)) throw new CaptureError(`output "${text.slice(0, 40)}" is not a number`);
      return String(n);
    }
    case 'json':
      try {
        return JSON.stringify(JSON.parse(text));
      } catch {
        throw new CaptureError('output is not valid JSON');
      }
    case 'lines':
      return JSON.stringify(text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0));
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === 'false') return t;
      return exitCode === 0 ? 'true' : 'false';
    }
  }
}
