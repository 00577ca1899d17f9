import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/home.js';
import { type SourceFile, importsOf, layeringViolations } from '../helpers/layering.js';

function sources(dir: string): SourceFile[] {
  return fs
    .readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter((n) => /\.tsx?$/.test(n))
    .map((n) => {
      const rel = path.posix.join(dir, n.split(path.sep).join('/'));
      return { path: rel, text: fs.readFileSync(path.join(repoRoot, rel), 'utf8') };
    });
}

describe('the floors of the house (DESIGN.md)', () => {
  it('holds for the code as it is', () => {
    const files = sources('src');
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => f.path.startsWith('src/storage/'))).toBe(true);
    expect(layeringViolations(files)).toEqual([]);
  });

  it('refuses src/ (but src/cli/) reaching up into store/ or components/, in every import form', () => {
    const files: SourceFile[] = [
      { path: 'src/session/manager.ts', text: "import { x } from '../../store/dashboard.js';\n" },
      { path: 'src/control/a.ts', text: "const m = await import('../../components/Dashboard.js');\n" },
      { path: 'src/tui/b.ts', text: "export { y } from '../../store/watch.js';\n" },
      { path: 'src/view/c.ts', text: "import type { Z } from '../../store/dashboard-types.js';\n" },
      { path: 'src/cli/tui-app.tsx', text: "import { createDashboardStore } from '../../store/dashboard.js';\n" },
      { path: 'store/dashboard.ts', text: "import { m } from '../src/session/manager.js';\n" },
    ];
    expect(layeringViolations(files)).toEqual([
      'src/session/manager.ts:1 imports ../../store/dashboard.js: only src/cli/ may import store/ or components/',
      'src/control/a.ts:1 imports ../../components/Dashboard.js: only src/cli/ may import store/ or components/',
      'src/tui/b.ts:1 imports ../../store/watch.js: only src/cli/ may import store/ or components/',
      'src/view/c.ts:1 imports ../../store/dashboard-types.js: only src/cli/ may import store/ or components/',
    ]);
  });

  it('lets src/storage/ import only types from the floors above it', () => {
    const files: SourceFile[] = [
      {
        path: 'src/storage/session-store.ts',
        text: [
          "import type { UnifiedSession } from '../session/types.js';",
          "import { type A, type B } from '../mapreduce/job-types.js';",
          "import { SESSION_STATUSES } from '../session/types.js';",
          "import { type C, d } from '../exec/process.js';",
          "import { storePaths } from './paths.js';",
          "import fs from 'node:fs';",
        ].join('\n'),
      },
    ];
    expect(layeringViolations(files)).toEqual([
      'src/storage/session-store.ts:3 imports ../session/types.js: src/storage/ may import only types from above it',
      'src/storage/session-store.ts:4 imports ../exec/process.js: src/storage/ may import only types from above it',
    ]);
  });

  it('reads multi-line import clauses', () => {
    const refs = importsOf({ path: 'src/a/b.ts', text: "import {\n  one,\n  two,\n} from '../../store/x.js';\n" });
    expect(refs).toEqual([{ spec: '../../store/x.js', target: 'store/x.js', typeOnly: false, line: 1 }]);
  });
});
