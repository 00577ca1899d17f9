// string-width for the bundle (esbuild alias, scripts/build.mjs): Ink calls it on every line of every
// frame, mostly with the same lines. Narrow text is measured by its length (src/view/narrow-text.ts),
// the rest by the real string-width, each result kept per line text (bounded: cleared when full).
import realWidth from '../node_modules/string-width/index.js';
import { narrowWidth } from '../src/view/narrow-text.ts';

const MAX_CACHED = 20_000;
const cache = new Map();

export default function stringWidth(text, options) {
  if (options !== undefined || typeof text !== 'string') return realWidth(text, options);
  const fast = narrowWidth(text);
  if (fast !== undefined) return fast;
  let width = cache.get(text);
  if (width === undefined) {
    width = realWidth(text);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(text, width);
  }
  return width;
}
