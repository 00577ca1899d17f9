/** `write_file:`: content (interpolated) written to a path inside the working directory. */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { CommandResult } from '../../exec/command.js';
import { confinedPath } from '../effects.js';
import type { WriteFileSpec } from '../types.js';
import { failResult, okResult } from './result.js';

/** Pure: the bytes to write for a format; json and yaml content must parse (then they are normalised). */
export function renderContent(content: string, format: WriteFileSpec['format']): string {
  switch (format) {
    case 'text':
      return content;
    case 'json':
      return `${JSON.stringify(JSON.parse(content), null, 2)}\n`;
    case 'yaml':
      return stringifyYaml(parseYaml(content));
  }
}

export function writeFileStep(spec: WriteFileSpec, interpolate: (s: string) => string, cwd: string): CommandResult {
  let target: string;
  let body: string;
  const rel = interpolate(spec.path);
  try {
    target = confinedPath(cwd, rel, 'write_file.path');
  } catch (err) {
    return failResult((err as Error).message);
  }
  try {
    body = renderContent(interpolate(spec.content), spec.format);
  } catch (err) {
    return failResult(`write_file ${rel}: content is not valid ${spec.format}: ${(err as Error).message}`);
  }
  try {
    if (spec.createDirs) fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, body, { mode: spec.mode });
    fs.chmodSync(target, spec.mode);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return failResult(`write_file ${rel}: ${e.code === 'ENOENT' ? 'its directory does not exist (set create_dirs: true)' : e.message}`);
  }
  return okResult(`wrote ${rel} (${Buffer.byteLength(body)} bytes)\n`);
}
