// Bundles the CLI with esbuild. Why a bundle and not tsc output: Ink + React unbundled take ~0.6 s to
// import, which alone would break the dashboard's first-frame target; a production bundle with the TUI in
// its own lazily loaded chunk keeps `prodigy sessions list --json` free of Ink and draws the dashboard's
// first frame in a fraction of that.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// Chunk names carry content hashes: without a clean start, every build would leave the old ones behind.
rmSync(path.join(root, 'dist'), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // React's CJS entry picks its production build from this at bundle time.
  define: { 'process.env.NODE_ENV': '"production"' },
  // Ink imports react-devtools-core only when DEV=true; the stub keeps the optional package out.
  // string-width: measured by length where that is exact, and cached per line (scripts/string-width.mjs);
  // wrap-ansi's own copy (7.x) is replaced by the same 8.x too.
  alias: { 'react-devtools-core': './scripts/devtools-stub.mjs', 'string-width': './scripts/string-width.mjs' },
  // The queue's libraries load from node_modules, only for --queue / worker (src/queue/connection.ts).
  external: ['bullmq', 'ioredis'],
  // CJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: { js: "import { createRequire as __prodigyCreateRequire } from 'node:module'; const require = __prodigyCreateRequire(import.meta.url);" },
});
