/** The command word of `argv` (process.argv): the first word after the script that is not an option or `--home`'s value. */
export function commandWordOf(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((a, i, words) => !a.startsWith('-') && words[i - 1] !== '--home');
}
