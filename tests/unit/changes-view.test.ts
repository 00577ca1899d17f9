/** The pure parts of `d`: git log/numstat parsing, which range a session or item names, diffstat lines, diff colours. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOG_FORMAT, parseLog, parseNumstat, statTotals } from '../../src/git/log-parse.js';
import type { WorkItemState } from '../../src/mapreduce/job-types.js';
import type { UnifiedSession } from '../../src/session/types.js';
import { changesSummary, commitCells, diffLineKind, itemRange, sessionRange, statLines } from '../../src/tui/changes-view.js';
import { displayWidth } from '../../src/view/text.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

function record(sha: string, parents: string, subject: string, numstat: string): string {
  return `${LOG_FORMAT.replace('%H', sha).replace('%h', sha.slice(0, 7)).replace('%an', 'Ann').replace('%aI', '2026-12-01T10:00:00+00:00').replace('%P', parents).replace('%s', subject)}\n\n${numstat}`;
}

describe('git log --numstat parsing', () => {
  it('reads commits with their files, binary files as null, merges marked', () => {
    const out = record(A, B, 'grow x', '3\t1\tx.txt\n-\t-\tlogo.png\n') + record(C, `${A} ${B}`, 'Merge it', '');
    const commits = parseLog(out);
    expect(commits).toEqual([
      { sha: A, short: 'aaaaaaa', author: 'Ann', date: '2026-12-01T10:00:00+00:00', subject: 'grow x', merge: false, files: [{ path: 'x.txt', added: 3, deleted: 1 }, { path: 'logo.png', added: null, deleted: null }] },
      { sha: C, short: 'ccccccc', author: 'Ann', date: '2026-12-01T10:00:00+00:00', subject: 'Merge it', merge: true, files: [] },
    ]);
    expect(statTotals(commits[0]!.files)).toEqual({ files: 2, added: 3, deleted: 1 });
  });

  it('skips what is not a record, and a subject keeps any text', () => {
    expect(parseLog('')).toEqual([]);
    expect(parseLog('garbage\nmore')).toEqual([]);
    expect(parseLog(record(A, '', 'tab\there | pipes', ''))[0]!.subject).toBe('tab\there | pipes');
    expect(parseNumstat('1\t2\ta b.txt\nnot a line\n0\t5\tgone.txt')).toEqual([
      { path: 'a b.txt', added: 1, deleted: 2 },
      { path: 'gone.txt', added: 0, deleted: 5 },
    ]);
  });
});

function session(metadata: Record<string, string>): UnifiedSession {
  return { id: 's1', session_type: 'Workflow', status: 'Completed', started_at: '', updated_at: '', completed_at: null, metadata, checkpoints: [], timings: {}, error: null, workflow_data: null, mapreduce_data: null };
}

const WT = { worktree_repo: '/repo', worktree_branch: 'prodigy-s1', base_commit: A, base_branch: 'main' };

describe('which commits d shows', () => {
  it('a run: base..its branch, or ..the head recorded when it merged; in place: why not', () => {
    expect(sessionRange(session(WT))).toEqual({ kind: 'range', range: { cwd: '/repo', base: A, head: 'refs/heads/prodigy-s1', label: 'prodigy-s1' } });
    expect(sessionRange(session({ ...WT, worktree_merged_head: B }))).toEqual({ kind: 'range', range: { cwd: '/repo', base: A, head: B, label: 'prodigy-s1, merged into main' } });
    expect(sessionRange(session({ repo_path: '/repo' }))).toMatchObject({ kind: 'none', why: expect.stringContaining('ran in place') });
  });

  it('an item: base..head once merged, ..its branch while it works; none without a worktree or before it ran', () => {
    const it0 = { id: 'item-0', status: 'completed', attempts: 1, branch: 'prodigy-agent-j-item-0', base_commit: A, head_commit: B, merge: 'merged' } as WorkItemState;
    const s = session(WT);
    expect(itemRange(s, it0, 'item-0')).toEqual({ kind: 'range', range: { cwd: '/repo', base: A, head: B, label: 'prodigy-agent-j-item-0, merged' } });
    expect(itemRange(s, { ...it0, head_commit: null, merge: null, status: 'running' }, 'item-0')).toMatchObject({ kind: 'range', range: { head: 'refs/heads/prodigy-agent-j-item-0' } });
    expect(itemRange(s, { ...it0, branch: null }, 'item-0')).toMatchObject({ kind: 'none', why: expect.stringContaining('without a worktree') });
    expect(itemRange(s, { ...it0, branch: null, status: 'pending', attempts: 0 }, 'item-0')).toMatchObject({ kind: 'none', why: 'item-0 has not run yet' });
    expect(itemRange(s, undefined, 'item-9')).toMatchObject({ kind: 'none' });
  });
});

describe('the changes view text', () => {
  it('summary, commit cells and git-like diffstat lines', () => {
    const files = [
      { path: 'src/x.ts', added: 10, deleted: 2 },
      { path: 'logo.png', added: null, deleted: null },
    ];
    expect(changesSummary(2, false, files)).toBe('2 commits · 2 files +10 −2');
    expect(changesSummary(1, true, files.slice(0, 1))).toBe('the newest 1 commit · 1 file +10 −2');
    const cells = commitCells({ sha: A, short: 'aaaaaaa', author: 'Ann', date: new Date(0).toISOString(), subject: 's', merge: false, files }, 60_000);
    expect(cells).toEqual(['aaaaaaa', 's', 'Ann', expect.any(String), '2', '+10 −2']);
    expect(statLines(files, 80)).toEqual([' src/x.ts |  12 ++++++++++--', ' logo.png | Bin']);
  });

  it('every diffstat line fits its width, and a changed file always shows a sign', () => {
    const file = fc.record({ path: fc.string({ minLength: 1, maxLength: 120 }).filter((p) => !p.includes('\n')), added: fc.option(fc.nat(100_000)), deleted: fc.option(fc.nat(100_000)) });
    fc.assert(
      fc.property(fc.array(file, { minLength: 1, maxLength: 30 }), fc.integer({ min: 20, max: 200 }), (raw, width) => {
        const files = raw.map((f) => ({ path: f.path, added: f.added, deleted: f.added === null ? null : (f.deleted ?? 0) }));
        const lines = statLines(files, width);
        expect(lines).toHaveLength(files.length);
        for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(width);
        files.forEach((f, i) => {
          if (f.added !== null && f.added + (f.deleted ?? 0) > 0 && width >= 60) expect(lines[i]).toMatch(/\| +\d+ [+-]/);
        });
      }),
    );
  });

  it('diff lines are told apart by their first characters', () => {
    expect(['commit ' + A, 'diff --git a/x b/x', '--- a/x', '+++ b/x', '@@ -1 +1 @@', '+new', '-old', ' same', 'Author: A', '---'].map(diffLineKind)).toEqual([
      'commit',
      'file',
      'file',
      'file',
      'hunk',
      'add',
      'del',
      'plain',
      'plain',
      'plain',
    ]);
  });
});
