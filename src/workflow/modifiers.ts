/**
 * `${name:modifier}`: the one extension point for value transformations (e.g. a quoting form such as
 * `${name:sh}`). A modifier is a pure function of the resolved text; register it here by name. A
 * `${name:word}` whose word is not registered is not a modifier: it is left as text (or, strict, an
 * unknown variable), never silently transformed.
 */
import { shellQuote } from './shell-quote.js';

export type Modifier = (value: string) => string;

export const MODIFIERS: Readonly<Record<string, Modifier>> = {
  /** `${name:sh}`: the value as one shell-quoted word (README "Running untrusted data"). */
  sh: shellQuote,
};
