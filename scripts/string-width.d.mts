// Types of the bundle's string-width (string-width.mjs), for its test.
export default function stringWidth(text: string, options?: { ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean }): number;
