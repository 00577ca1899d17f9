/**
 * Checking a value read from disk against a zod schema: the first violation, named by its field path,
 * in words that never quote the file's contents (a hostile or symlinked file must not reach the
 * terminal through an error message).
 */
import type { z } from 'zod';
import { CorruptFileError } from './store-file.js';

function pathText(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return 'the file';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p).replace(/[^\w-]/g, '?')}`)).join('');
}

/** The first violation as one line: `field "checkpoints[0].id": expected string, got number`. */
export function firstViolation(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.length === 0 ? 'the file' : `field ${pathText(issue.path)}`;
  switch (issue.code) {
    case 'invalid_type':
      return `${where}: expected ${issue.expected}`;
    case 'invalid_value':
      return `${where}: not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `${where}: unexpected keys`;
    default:
      // zod's own messages name limits and types, never the value read; ours (refinements) likewise.
      return `${where}: ${issue.message}`;
  }
}

/** The parsed value, or a CorruptFileError naming the file and its first violation. */
export function checkShape<S extends z.ZodType>(
  schema: S,
  value: unknown,
  file: string,
  ErrorClass: new (file: string, reason: string) => CorruptFileError = CorruptFileError,
): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ErrorClass(file, firstViolation(r.error));
  return r.data;
}

/** JSON.parse whose error names the position only (V8's message quotes the text around it). */
export function parseJsonText(
  text: string,
  file: string,
  ErrorClass: new (file: string, reason: string) => CorruptFileError = CorruptFileError,
): unknown {
  if (text.trim().length === 0) throw new ErrorClass(file, 'empty file');
  try {
    return JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    throw new ErrorClass(file, m ? `invalid JSON at byte ${m[1]}` : 'invalid JSON');
  }
}
