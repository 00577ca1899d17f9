/**
 * Pure: `d`, what a run or an agent changed. Which commits those are (a range in which repository, from
 * what the session and the item recorded), and the text of the view: commit rows, diffstat lines with
 * their +/- bars, the title's totals, and how each diff line is coloured.
 */
import type { CommitInfo, FileStat } from '../git/log-parse.js';
import { statTotals } from '../git/log-parse.js';
import type { WorkItemState } from '../mapreduce/job-types.js';
import { META, type UnifiedSession } from '../session/types.js';
import { formatRelative } from '../view/format.js';
import { displayWidth, truncate } from '../view/text.js';

export type ChangeSource = { kind: 'session'; sessionId: string } | { kind: 'item'; sessionId: string; jobId: string; itemId: string };

/** The commits base..head, read in the repository at `cwd`. */
export interface ChangeRange {
  cwd: string;
  base: string;
  head: string;
  /** Where head comes from, for the title: a branch name, or "merged". */
  label: string;
}

export type RangeOrWhyNot = { kind: 'range'; range: ChangeRange } | { kind: 'none'; why: string };

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** The repository a session's commits live in (every worktree of it shares its objects). */
function repoOf(s: UnifiedSession): string | null {
  return str(s.metadata.worktree_repo) ?? str(s.metadata[META.repoPath]) ?? str(s.working_directory);
}

/** A run's own commits: base_commit..its branch, or ..the head it had when it was merged back. */
export function sessionRange(s: UnifiedSession): RangeOrWhyNot {
  const base = str(s.metadata[META.baseCommit]);
  const branch = str(s.metadata[META.worktreeBranch]);
  const cwd = repoOf(s);
  if (!base || !branch || !cwd) return { kind: 'none', why: 'this session ran in place (no worktree of its own): it has no commits of its own to list' };
  const merged = str(s.metadata[META.worktreeMergedHead]);
  if (merged) return { kind: 'range', range: { cwd, base, head: merged, label: `${branch}, merged into ${str(s.metadata[META.baseBranch]) ?? 'its base'}` } };
  return { kind: 'range', range: { cwd, base, head: `refs/heads/${branch}`, label: branch } };
}

/** An agent's commits: base_commit..head_commit once merged, ..its branch while it exists. */
export function itemRange(s: UnifiedSession, it: WorkItemState | undefined, itemId: string): RangeOrWhyNot {
  const cwd = repoOf(s);
  if (!it) return { kind: 'none', why: `${itemId} is not in the job file (yet)` };
  if (!it.branch) {
    if (it.status === 'pending' && it.attempts === 0) return { kind: 'none', why: `${itemId} has not run yet` };
    return { kind: 'none', why: `${itemId} ran without a worktree of its own (no agent worktrees in this job): its commits are the session's (d in the list)` };
  }
  if (!it.base_commit || !cwd) return { kind: 'none', why: `${itemId} recorded no starting commit (a job from before commit ranges were kept)` };
  if (it.head_commit) return { kind: 'range', range: { cwd, base: it.base_commit, head: it.head_commit, label: `${it.branch}, ${it.merge ?? 'merged'}` } };
  return { kind: 'range', range: { cwd, base: it.base_commit, head: `refs/heads/${it.branch}`, label: it.branch } };
}

/** "2 commits · 3 files +10 −2" */
export function changesSummary(commits: number, more: boolean, files: readonly FileStat[]): string {
  const t = statTotals(files);
  const c = `${more ? 'the newest ' : ''}${commits} commit${commits === 1 ? '' : 's'}`;
  return `${c} · ${t.files} file${t.files === 1 ? '' : 's'} +${t.added} −${t.deleted}`;
}

/** One commit row's cells: short id, subject (merges marked), author, when, its files and lines. */
export function commitCells(c: CommitInfo, now: number): string[] {
  const t = statTotals(c.files);
  return [c.short, c.merge ? `(merge) ${c.subject}` : c.subject, c.author, formatRelative(c.date, now), c.merge ? '' : String(t.files), c.merge ? '' : `+${t.added} −${t.deleted}`];
}

/**
 * git's diffstat: ` path | 12 ++++++----`, the bars scaled to the largest change so every line fits
 * `width`; a path too long keeps its end (the file name). Binary files read `Bin`.
 */
export function statLines(files: readonly FileStat[], width: number): string[] {
  if (files.length === 0) return [];
  const counts = files.map((f) => (f.added === null ? 'Bin' : String(f.added + (f.deleted ?? 0))));
  const countW = Math.max(...counts.map((c) => c.length));
  const most = Math.max(1, ...files.map((f) => (f.added ?? 0) + (f.deleted ?? 0)));
  const pathW = Math.min(Math.max(...files.map((f) => displayWidth(f.path))), Math.max(8, Math.floor(width * 0.6)));
  const barRoom = Math.max(0, width - 1 - pathW - 3 - countW - 1);
  return files.map((f, i) => {
    const shown = displayWidth(f.path) <= pathW ? f.path : `…${[...f.path].slice(-(pathW - 1)).join('')}`;
    const pad = ' '.repeat(Math.max(0, pathW - displayWidth(shown)));
    const total = (f.added ?? 0) + (f.deleted ?? 0);
    const scale = most > barRoom ? barRoom / most : 1;
    const plus = f.added === null ? 0 : Math.round((f.added ?? 0) * scale);
    const minus = f.added === null ? 0 : Math.min(barRoom - plus, Math.round((f.deleted ?? 0) * scale));
    // A change too small to earn a bar character at this scale still gets one.
    const bar = total > 0 && plus + minus === 0 && barRoom > 0 ? ((f.added ?? 0) >= (f.deleted ?? 0) ? '+' : '-') : '+'.repeat(plus) + '-'.repeat(minus);
    return truncate(` ${shown}${pad} | ${counts[i]!.padStart(countW)} ${bar}`.trimEnd(), width);
  });
}

export type DiffLineKind = 'add' | 'del' | 'hunk' | 'file' | 'commit' | 'plain';

/** How a line of `git show` output is coloured (the words and signs say it without colour too). */
export function diffLineKind(line: string): DiffLineKind {
  if (line.startsWith('+++ ') || line.startsWith('--- ')) return 'file';
  // `git show` puts a bare "---" between the message and the stat: not a deleted line.
  if (line === '---') return 'plain';
  if (line.startsWith('diff --git ')) return 'file';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  if (/^commit [0-9a-f]{7,64}/.test(line)) return 'commit';
  return 'plain';
}
