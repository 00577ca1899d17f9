/**
 * `map.input`, decided after interpolation as Prodigy does: a file when the text names an existing file,
 * else a command. A command's output that is not JSON is one item per non-empty line (Prodigy's
 * fallback); a file that is not JSON is an error naming it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JsonValue } from '../session/types.js';
import { locateRunFile } from '../workflow/user-files.js';
import { inputOf } from './parse.js';

export type InputSource = { kind: 'file'; path: string; note?: string } | { kind: 'command'; command: string };

/** `userDir`: the user's directory when `cwd` is a worktree: an uncommitted input file is read there. */
export function inputSource(value: string, cwd: string, userDir?: string): InputSource {
  const rel = value.trim();
  const found = rel === '' ? { path: path.resolve(cwd) } : locateRunFile(rel, cwd, userDir, 'map.input');
  const file = found.path;
  if (rel !== '' && fs.existsSync(file) && fs.statSync(file).isFile()) return { kind: 'file', path: file, ...(found.note ? { note: found.note } : {}) };
  // Text that looks like a JSON file but is not there is a missing file, not a command named "x.json".
  if (inputOf(value).kind === 'file') return { kind: 'file', path: file };
  return { kind: 'command', command: value };
}

/** Pure: the input as JSON, or (command output only) its lines as string items. */
export function inputValue(text: string, fromCommand: boolean, where: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    if (!fromCommand) throw new Error(`map.input ${where}: not JSON (${(err as Error).message})`);
    return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim().length > 0);
  }
}
