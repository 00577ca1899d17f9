// Bundles the CLI with esbuild. Why a bundle and not tsc output: Ink + React unbundled take ~0.6 s to
// import, which alone would break the dashboard's first-frame target; a production bundle with the TUI in
// its own lazily loaded chunk keeps `prodigy sessions list --json` free of Ink and draws the dashboard's
// first frame in a fraction of that.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// Chunk names carry content hashes: without a clean start, every build would leave the old ones behind.
rmSync(path.join(root, 'dist'), { recursive: true, force: true });

/**
 * Ink keeps the styled characters and widths of each line it draws (tokenize + styledCharsFromTokens:
 * most of a frame's cost) in caches that live in one Output, i.e. one frame, so every frame of the
 * MapReduce view re-tokenized the 30 lines it had just drawn. This shares them across frames, starting
 * afresh when one holds more than OUTPUT_CACHE_LINES entries (lines with a changing count are new text
 * each frame). The cached characters are only read (placed into the frame's grid), never changed.
 */
const OUTPUT_CACHE_LINES = 5000;
const inkOutputCaches = {
  name: 'ink-output-caches',
  setup(b) {
    b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]output\.js$/ }, (args) => {
      const from = 'caches = new OutputCaches();';
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(from)) throw new Error(`${args.path}: no "${from}" (Ink changed: update scripts/build.mjs)`);
      const shared = `
let sharedCaches;
function sharedOutputCaches() {
  const c = sharedCaches;
  if (c === undefined || c.styledChars.size > ${OUTPUT_CACHE_LINES} || c.widths.size > ${OUTPUT_CACHE_LINES} || c.blockWidths.size > ${OUTPUT_CACHE_LINES}) sharedCaches = new OutputCaches();
  return sharedCaches;
}
`;
      return { contents: text.replace(from, 'caches = sharedOutputCaches();') + shared, loader: 'js' };
    });
  },
};

await build({
  absWorkingDir: root,
  // command-word: bin/prodigy.js reads the command word before the CLI loads (to pick V8 flags).
  entryPoints: { cli: 'src/cli/main.ts', 'command-word': 'src/cli/command-word.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [inkOutputCaches],
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
