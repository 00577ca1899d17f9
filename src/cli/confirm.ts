/** One yes/no question on the terminal; commands that change or delete things ask through it. */
import readline from 'node:readline/promises';

/**
 * Asks `question [y/N]` when a person is there (stdin and stdout are terminals): true for y/yes. Returns
 * null when nobody can answer, so the caller can refuse rather than guess.
 */
export async function confirmOnTerminal(question: string): Promise<boolean | null> {
  const answer = await askOnTerminal(`${question} [y/N] `);
  return answer === null ? null : /^y(es)?$/i.test(answer);
}

/** One line typed at the terminal, or null when stdin/stdout are not terminals. */
async function askOnTerminal(prompt: string): Promise<string | null> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return null;
  // After the live view, Ink has left stdin raw-mode off but unref'd: without ref() the process would
  // exit with the question unanswered.
  process.stdin.ref();
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(prompt)).trim();
  } finally {
    rl.close();
  }
}

/** Asks `question [Y/n]` on a terminal: false only for n/no. null when nobody can answer. */
export async function confirmYesOnTerminal(question: string): Promise<boolean | null> {
  const answer = await askOnTerminal(`${question} [Y/n] `);
  return answer === null ? null : !/^n(o)?$/i.test(answer);
}
