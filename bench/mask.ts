/**
 * Secret masking: 16 MB of command output with five secrets, masked as a stream in 4 KiB and 64 KiB
 * pipe-sized pieces (what `runCommand` does to every command's output) against the floor measured in
 * the same run: each piece masked alone (what was done before, which a split secret escaped). The text
 * masked whole in one call is printed beside it. Target: what the stream adds to the floor is <= 10 µs
 * per 4 KiB piece (Node's own cost of one pipe read and its 'data' event is of that order).
 */
import { makeMask, streamMask } from '../src/workflow/mask.js';
import { median, nowMs, round } from './harness.js';

const SECRETS = { A: 'sk-live-0123456789abcdef', B: 'ghp_bench_token_42', C: 'hunter2-but-longer', D: 'xoxb-1234-5678', E: 'AKIAEXAMPLE0000' };
const MB = 16;

function text(): string {
  const line = 'building module 42: ok (3 warnings) sk-live- partial ghp_ and xox prefixes but no secret\n';
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < MB * 1024 * 1024; i++) {
    const l = i % 50 === 0 ? `token ${SECRETS.A} and ${SECRETS.E}\n` : line;
    parts.push(l);
    n += l.length;
  }
  return parts.join('');
}

function piecewise(t: string, chunk: number, mask: ReturnType<typeof makeMask>): number {
  const start = nowMs();
  let out = 0;
  for (let i = 0; i < t.length; i += chunk) out += mask(t.slice(i, i + chunk)).length;
  if (out === 0) throw new Error('nothing masked');
  return nowMs() - start;
}

function streamed(t: string, chunk: number, mask: ReturnType<typeof makeMask>): number {
  const m = streamMask(mask);
  const start = nowMs();
  let out = 0;
  for (let i = 0; i < t.length; i += chunk) out += m.push(t.slice(i, i + chunk)).length;
  out += m.flush().length;
  if (out === 0) throw new Error('nothing masked');
  return nowMs() - start;
}

export async function benchMask(): Promise<Record<string, number>> {
  const t = text();
  const mask = makeMask(SECRETS);
  const whole: number[] = [];
  const fig: Record<string, number[]> = { p4: [], p64: [], s4: [], s64: [] };
  for (let r = 0; r < 9; r++) {
    const s = nowMs();
    if (mask(t).length === 0) throw new Error('nothing masked');
    whole.push(nowMs() - s);
    fig.p4!.push(piecewise(t, 4096, mask));
    fig.s4!.push(streamed(t, 4096, mask));
    fig.p64!.push(piecewise(t, 65536, mask));
    fig.s64!.push(streamed(t, 65536, mask));
  }
  const m = (k: string) => median(fig[k]!);
  return {
    mask_whole_ms_16mb: round(median(whole)),
    mask_pieces_4k_ms_16mb_floor: round(m('p4')),
    mask_stream_4k_ms_16mb: round(m('s4')),
    mask_stream_4k_ratio: round(m('s4') / m('p4')),
    mask_pieces_64k_ms_16mb_floor: round(m('p64')),
    mask_stream_64k_ms_16mb: round(m('s64')),
    mask_stream_64k_ratio: round(m('s64') / m('p64')),
    mask_stream_4k_us_per_piece_over_floor: round(((m('s4') - m('p4')) * 1000) / Math.ceil(t.length / 4096)),
    mask_stream_4k_us_per_piece_target: 10,
  };
}
