/**
 * Pure: stored text made safe to print on a terminal. Names, errors, log and DLQ lines come from files
 * and from commands' output — untrusted — and a raw ESC, BEL or OSC sequence in them would retitle,
 * clear or recolour the user's terminal (or hide text). Every print site of stored text goes through
 * `safeLine` (one line: tables, titles, error lines) or `safeText` (several lines: logs).
 *
 * Rules: a whole escape sequence (CSI, OSC, DCS/APC/PM/SOS strings, two-byte ESC) is removed — its
 * parameters would otherwise show as noise like "[2J"; tab and line breaks become one space (safeLine)
 * or stay line breaks (safeText); any other control character (C0, DEL, C1, Unicode bidi overrides and
 * isolates, line/paragraph separators) becomes U+FFFD "�", so the reader sees that something was there.
 * The result never grows (in UTF-16 units) and sanitising twice changes nothing.
 */

/** ESC- or C1-introduced sequences: CSI, string commands ended by BEL/ST (or the end), two-byte ESC. */
const SEQUENCE = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[ -~]?/g;

/** What is left after the sequences: C0 but tab/LF/CR, DEL, C1, bidi embeddings/overrides/isolates, U+2028/9. */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\u061c\u200e\u200f]/g;

const UNSAFE = new RegExp(CONTROL.source);

/** Anything safeLine would change; most lines have none, and Line.tsx calls it on every render. */
const LINE_NEEDS_WORK = new RegExp(`[\\x1b\\x9b\\t\\n\\r]|${CONTROL.source}`);

/** Several lines: line breaks kept (CRLF and a lone CR read as one line break), tabs as a space. */
export function safeText(s: string): string {
  return s.replace(SEQUENCE, '').replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(CONTROL, '\uFFFD');
}

/** One line: every line break and tab is a space. */
export function safeLine(s: string): string {
  if (!LINE_NEEDS_WORK.test(s)) return s;
  return s.replace(SEQUENCE, '').replace(/[\t\n\r]/g, ' ').replace(CONTROL, '\uFFFD');
}

/** True when `s` holds nothing a terminal would act on (what the sanitisers guarantee). */
export function isPrintSafe(s: string, multiline = false): boolean {
  return !/[\x1b\x9b\t\r]/.test(s) && !UNSAFE.test(s) && (multiline || !s.includes('\n'));
}
