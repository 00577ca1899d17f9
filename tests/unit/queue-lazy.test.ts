/** The one-machine path never loads the queue's libraries: start-up time matters. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf } from '../helpers/layering.js';
import { repoRoot } from '../helpers/home.js';

/** Every file reachable from `entries` through static (not dynamic) imports. */
function staticClosure(...entries: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = [...entries];
  while (todo.length) {
    const rel = todo.pop()!;
    if (seen.has(rel)) continue;
    const text = fs.readFileSync(path.join(repoRoot, rel), 'utf8');
    const refs = importsOf({ path: rel, text }).filter((r) => !r.typeOnly && !new RegExp(`import\\(\\s*['"]${r.spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"]`).test(text.split('\n')[r.line - 1] ?? ''));
    seen.set(rel, refs.map((r) => r.spec));
    for (const r of refs) {
      if (!r.target) continue;
      const ts = r.target.replace(/\.js$/, '.ts');
      const tsx = r.target.replace(/\.js$/, '.tsx');
      if (fs.existsSync(path.join(repoRoot, ts))) todo.push(ts);
      else if (fs.existsSync(path.join(repoRoot, tsx))) todo.push(tsx);
    }
  }
  return seen;
}

describe('lazy queue', () => {
  it('nothing src/cli/main.ts or a command module it loads imports statically reaches bullmq or ioredis', () => {
    // main.ts loads one command's module (`import('./run.js')`): each is an entry of its own.
    const main = fs.readFileSync(path.join(repoRoot, 'src/cli/main.ts'), 'utf8');
    const commands = [...main.matchAll(/import\('\.\/([\w-]+)\.js'\)/g)].map((m) => `src/cli/${m[1]}.ts`);
    expect(commands).toContain('src/cli/run.ts');
    const closure = staticClosure('src/cli/main.ts', ...commands);
    expect(closure.size).toBeGreaterThan(20);
    expect(closure.has('src/cli/queue-options.ts')).toBe(true);
    const offenders = [...closure].filter(([, specs]) => specs.some((s) => s === 'bullmq' || s === 'ioredis'));
    expect(offenders.map(([f]) => f)).toEqual([]);
    expect([...closure.keys()].filter((f) => f === 'src/queue/dispatch.ts' || f === 'src/queue/worker.ts' || f === 'src/queue/connection.ts')).toEqual([]);
  });
});
