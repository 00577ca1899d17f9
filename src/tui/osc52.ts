/**
 * Pure: the OSC 52 "set clipboard" sequence. The terminal itself puts the text on the clipboard, so copy
 * works over ssh. Inside tmux the plain sequence reaches tmux (kept in a paste buffer, and passed out
 * with `set-clipboard on`); the same sequence wrapped in tmux's passthrough (DCS tmux; … ST, each ESC
 * doubled) follows it for tmux set up with `allow-passthrough on`. A terminal ignores what it does not use.
 */
export function osc52(text: string, env: { TMUX?: string | undefined } = {}): string {
  const seq = `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
  if (!env.TMUX) return seq;
  return `${seq}\x1bPtmux;${seq.replace(/\x1b/g, '\x1b\x1b')}\x1b\\`;
}
