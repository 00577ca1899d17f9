/**
 * `prodigy sessions list | head` closes the pipe early: that is the reader being done, not an error, so a
 * listing ends quietly with 0 (as `ls | head` does) instead of printing a write error's stack.
 */
export function endOnClosedOutput(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
