/**
 * The dashboard's terminal goes raw the moment we know we will draw, not when Ink gets round to it: Ink
 * enables raw mode in an effect after its first frame, and under load a key pressed in that gap is
 * handled by the terminal's cooked mode — echoed over the frame, Enter turned into "\n" (which Ink does
 * not read as Return) and so lost. Keys pressed while raw wait in the terminal until Ink reads them.
 */
export function holdKeys(stdin: NodeJS.ReadStream): () => void {
  if (!stdin.isTTY || stdin.isRaw) return () => {};
  stdin.setRawMode(true);
  // Ink hands the mode back itself when it exits; this covers a failure before it ever started.
  return () => {
    if (stdin.isRaw) stdin.setRawMode(false);
  };
}
