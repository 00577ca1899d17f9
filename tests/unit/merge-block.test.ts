import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockFailureLine, mergeBlockRecord, recordedMergeBlock } from '../../src/cli/custom-merge.js';
import type { SessionWorktree } from '../../src/git/session-worktree.js';
import { mergeVariables } from '../../src/workflow/merge-block.js';
import { errorOf, std } from '../helpers/parse-workflow.js';

describe('the merge: block', () => {
  it('reads the list form and the {commands, timeout} form, without a warning', () => {
    const list = std(`commands:
  - shell: make
merge:
  - shell: "git -C \${merge.repo_path} merge \${merge.source_branch}"
  - claude: "/prodigy-merge-worktree \${merge.source_branch} \${merge.target_branch}"
`);
    expect(list.workflow.merge?.commands.map((c) => [c.kind, c.line])).toEqual([
      ['shell', 4],
      ['claude', 5],
    ]);
    expect(list.workflow.merge?.timeout).toBeUndefined();
    expect(list.warnings).toEqual([]);
    const full = std(`commands:
  - shell: make
merge:
  commands:
    - shell: cargo test
  timeout: 600
`);
    expect(full.workflow.merge).toMatchObject({ timeout: 600, commands: [{ kind: 'shell', text: 'cargo test' }] });
    expect(std('commands:\n  - shell: make\n').workflow.merge).toBeUndefined();
  });

  it('refuses a block without steps, a bad timeout and a step of no kind, each with its position', () => {
    expect(errorOf('commands:\n  - shell: make\nmerge: []\n')).toBe('wf.yml:3:8: merge is empty');
    expect(errorOf('commands:\n  - shell: make\nmerge:\n  timeout: 5\n')).toBe('wf.yml:4:3: merge: needs commands: (a list of steps)');
    expect(errorOf('commands:\n  - shell: make\nmerge:\n  commands:\n    - shell: x\n  timeout: soon\n')).toMatch(/^wf\.yml:6:12: merge\.timeout/);
    expect(errorOf('commands:\n  - shell: make\nmerge:\n  - nothing: x\n')).toMatch(/^wf\.yml:4:5: /);
    const warned = std('commands:\n  - shell: make\nmerge:\n  commands:\n    - shell: x\n  strategy: squash\n');
    expect(warned.warnings.map((w) => `${w.line}:${w.message}`)).toEqual(['6:key "merge.strategy" is ignored: merge: takes commands and timeout']);
  });

  it("gives Prodigy's ${merge.*} names, lists one per line", () => {
    const v = mergeVariables({
      worktree: 'session-1',
      worktreePath: '/h/worktrees/r/session-1',
      repoPath: '/src/r',
      sourceBranch: 'prodigy-session-1',
      targetBranch: 'main',
      sessionId: 'session-1',
      commitIds: ['a1', 'b2'],
      modifiedFiles: ['x.txt', 'dir/y.txt'],
    });
    expect(v).toMatchObject({
      'merge.worktree': 'session-1',
      'merge.source_branch': 'prodigy-session-1',
      'merge.target_branch': 'main',
      'merge.session_id': 'session-1',
      'merge.commit_count': '2',
      'merge.commit_ids': 'a1\nb2',
      'merge.modified_files': 'x.txt\ndir/y.txt',
      'merge.file_count': '2',
      'merge.repo_path': '/src/r',
    });
  });

  it('round-trips through session metadata, and anything else recorded there is refused as corrupt', () => {
    const block = std('commands:\n  - shell: make\nmerge:\n  commands:\n    - shell: x\n  timeout: 9\n').workflow.merge!;
    expect(recordedMergeBlock(mergeBlockRecord(block))).toEqual(JSON.parse(JSON.stringify(block)));
    expect(recordedMergeBlock(mergeBlockRecord(undefined))).toBeNull();
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = recordedMergeBlock({ merge_block: v as never });
        // Whatever the file holds, the answer is a block with steps, nothing, or 'corrupt': never a throw.
        expect(r === null || r === 'corrupt' || (Array.isArray(r.commands) && r.commands.length > 0)).toBe(true);
      }),
    );
    expect(recordedMergeBlock({ merge_block: { commands: [{ kind: 'shell' }] } })).toBe('corrupt');
    expect(recordedMergeBlock({ merge_block: { commands: [{ kind: 'shell', text: 'x' }], timeout: -1 } })).toBe('corrupt');
  });

  it('says in one line why a block stopped, where the worktree is and how to try again', () => {
    const wt: SessionWorktree = { repoTop: '/r', path: '/h/wt', branch: 'prodigy-s', baseBranch: 'main', baseCommit: 'c' };
    const failed = blockFailureLine({ status: 'failed', step: 2, summary: 'shell: cargo test', outcome: { status: 'failed', output: '', exitCode: 3, error: 'exit code 3', command: 'cargo test' } }, wt, 's');
    expect(failed).toBe("not merged: the workflow's merge: block stopped, step 2 (shell: cargo test) failed: exit code 3. Worktree kept at /h/wt; to try again: prodigy worktree merge s");
    expect(blockFailureLine({ status: 'timeout', seconds: 5 }, wt, 's')).toContain('it ran past its timeout of 5s');
    expect(blockFailureLine({ status: 'interrupted' }, wt, 's')).not.toContain('\n');
  });
});
