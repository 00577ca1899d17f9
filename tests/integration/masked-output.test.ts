/** runCommand's output masked as a stream, with real processes and real pipe reads (src/exec/command.ts). */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/exec/command.js';
import { makeMask } from '../../src/workflow/mask.js';
import { tempDir } from '../helpers/home.js';

const SECRET = 'sk-stream-4711-zz';
const mask = makeMask({ K: SECRET });

async function run(text: string, o: { signal?: AbortSignal; onChunk?: () => void } = {}) {
  const chunks: string[] = [];
  const onOutput = (t: string) => {
    chunks.push(t);
    o.onChunk?.();
  };
  const r = await runCommand({ kind: 'shell', text, cwd: tempDir('prodigy-mask-'), env: { ...process.env, K: SECRET }, onOutput, mask, signal: o.signal });
  return { r, chunks };
}

describe('runCommand masks its output as a stream', () => {
  it('a secret written in two pieces with a pause, on stdout and on stderr, is masked whole; variables get the real value', async () => {
    const { r, chunks } = await run('printf "out sk-str"; sleep 0.4; printf "eam-4711-zz\\n"; printf "err sk-stream-47" >&2; sleep 0.4; printf "11-zz\\n" >&2');
    expect(r.success).toBe(true);
    expect(r.output).toBe(`out ${SECRET}\n`);
    expect(r.stderr).toBe(`err ${SECRET}\n`);
    for (const c of chunks) expect(c).not.toContain('sk-str');
    expect(chunks.join('')).toContain('out ***\n');
    expect(chunks.join('')).toContain('err ***\n');
  });

  it('what was held back reaches onOutput when the command is stopped (the path a timeout takes too)', async () => {
    const ac = new AbortController();
    // Stopped once its first words are out: the part that may be a secret's start is still held then.
    const { r, chunks } = await run('printf "stopping sk-st"; sleep 30', { signal: ac.signal, onChunk: () => ac.abort() });
    expect(r.aborted).toBe(true);
    expect(chunks).toEqual(['stopping ', 'sk-st']);
  });

  it('a character whose bytes two reads split is decoded whole', async () => {
    const { r, chunks } = await run("printf 'caf\\303'; sleep 0.3; printf '\\251\\n'");
    expect(r.output).toBe('café\n');
    expect(chunks.join('')).toBe('café\n');
    // Half a character at the very end is still shown (as U+FFFD), not dropped.
    expect((await run("printf 'end\\303'")).r.output).toBe('end\uFFFD');
  });
});
