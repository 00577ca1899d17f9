/** One yes/no question on the terminal; commands that change or delete things ask through it. */
import readline from 'node:readline/promises';

/**
 * Asks `question [y/N]` when a person is there (stdin and stdout are terminals): true for y/yes. Returns
 * null when nobody can answer, so the caller can refuse rather than guess.
 */
export async function confirmOnTerminal(question: string): Promise<boolean | null> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return null;
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
