/**
 * The floors of ../shared/DESIGN.md as a checkable rule. Pure: given files (repo-relative path and
 * text), it returns every import that reaches up a floor.
 *   - nothing under src/ but src/cli/ (the composition root) imports store/ or components/;
 *   - src/storage/ (the ground floor) imports from the rest of src/ only plain types.
 */
import path from 'node:path';

export interface SourceFile {
  path: string;
  text: string;
}

export interface ImportRef {
  spec: string;
  /** Repo-relative target, for relative specifiers; null for packages and node: modules. */
  target: string | null;
  typeOnly: boolean;
  line: number;
}

const STATIC = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm;
const SIDE_EFFECT = /^\s*import\s+['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
}

/** `{ type A, type B }` imports nothing at run time either. */
function allSpecifiersTyped(clause: string): boolean {
  const m = /^\{([^}]*)\}$/.exec(clause.trim());
  if (!m) return false;
  const names = m[1]!.split(',').map((n) => n.trim()).filter(Boolean);
  return names.length > 0 && names.every((n) => n.startsWith('type '));
}

export function importsOf(file: SourceFile): ImportRef[] {
  const out: ImportRef[] = [];
  for (const m of file.text.matchAll(STATIC)) {
    const spec = m[4]!;
    out.push({ spec, target: resolve(file.path, spec), typeOnly: Boolean(m[2]) || allSpecifiersTyped(m[3]!), line: lineOf(file.text, m.index) });
  }
  for (const m of file.text.matchAll(SIDE_EFFECT)) {
    out.push({ spec: m[1]!, target: resolve(file.path, m[1]!), typeOnly: false, line: lineOf(file.text, m.index) });
  }
  for (const m of file.text.matchAll(DYNAMIC)) {
    out.push({ spec: m[1]!, target: resolve(file.path, m[1]!), typeOnly: false, line: lineOf(file.text, m.index) });
  }
  return out;
}

const ABOVE_STORAGE = /^src\/(session|workflow|mapreduce|queue|exec|git|tui|view|control|cli)\//;

export function layeringViolations(files: SourceFile[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    if (!file.path.startsWith('src/')) continue;
    for (const ref of importsOf(file)) {
      if (!ref.target) continue;
      const where = `${file.path}:${ref.line} imports ${ref.spec}`;
      if (!file.path.startsWith('src/cli/') && /^(store|components)\//.test(ref.target)) {
        found.push(`${where}: only src/cli/ may import store/ or components/`);
      }
      if (file.path.startsWith('src/storage/') && ABOVE_STORAGE.test(ref.target) && !ref.typeOnly) {
        found.push(`${where}: src/storage/ may import only types from above it`);
      }
    }
  }
  return found;
}
