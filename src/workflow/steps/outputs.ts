/** `outputs: {name: {file_pattern}}`: the files under the working directory matching a glob. */
import fs from 'node:fs';
import path from 'node:path';

/** Pure: a glob (`*`, `**`, `?`) as a RegExp over '/'-separated relative paths. */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern without a slash matches a file name at any depth, as `*.md` does in Prodigy's examples.
  return new RegExp(glob.includes('/') ? `^${re}$` : `^(?:.*/)?${re}$`);
}

const SKIP = new Set(['.git', 'node_modules']);
const LIMIT = 10_000;

export function matchingFiles(cwd: string, glob: string): string[] {
  const re = globRegExp(glob);
  const out: string[] = [];
  let seen = 0;
  const walk = (dir: string, rel: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      if (++seen > LIMIT) return;
      if (SKIP.has(d.name)) continue;
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) walk(path.join(dir, d.name), r);
      else if (re.test(r)) out.push(r);
    }
  };
  walk(cwd, '');
  return out.sort();
}
