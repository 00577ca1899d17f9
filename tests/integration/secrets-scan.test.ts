/**
 * The secrets acceptance scan, end to end: real runs (sequential with a merge: block merged later by
 * `prodigy worktree merge`, a sequential run that fails, MapReduce with setup capture, a DLQ item and a
 * merge: block) print a `secrets:` value every way a command can — whole, split across two writes with a
 * pause between them (two pipe reads), on stderr, through a capture reused later, in a failure message,
 * in the merge block — and then every file under PRODIGY_HOME and every byte every command printed
 * (`events`, `dlq list`, `sessions show/list --json`, `tui --plain`, `tui --once`, `worktree ls`) is
 * searched for the secret and for each of its two halves. Files the commands write outside the store
 * prove the real value reached them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prodigy } from '../helpers/cli.js';
import { gitEnv, logOf, makeRepo } from '../helpers/git-repo.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { allTextUnder, sessionsIn } from './workflow-helpers.js';

const SECRET = 'sk-scan-9q7wz-vmk2x';
/** What split.sh writes first and, after a pause, second. */
const HALVES = [SECRET.slice(0, 9), SECRET.slice(9)];

/** `split.sh LABEL`: "LABEL <first half>", a pause (the reader gets it as two reads), "<second half>\n". */
const SPLIT_SH = `v=$API_KEY
first=$(printf %s "$v" | cut -c1-9)
rest=$(printf %s "$v" | cut -c10-)
printf '%s %s' "$1" "$first"
sleep 0.6
printf '%s\\n' "$rest"
`;

const ENVIRONMENT = `env:
  PROJECT_NAME: scanproj
secrets:
  API_KEY: "\${env:MY_TOKEN}"
`;

const SEQUENTIAL = `name: scan-seq
${ENVIRONMENT}commands:
  - shell: 'echo whole-\${API_KEY}; printf "%s" "$API_KEY" > $OUT/proof-seq'
  - shell: 'sh $OUT/split.sh split-out; sh $OUT/split.sh split-err >&2; echo err-whole-$API_KEY >&2'
  - shell: 'echo cap-\${API_KEY}'
    capture: COPY
  - shell: 'echo again-\${COPY}; printf "%s" "\${COPY}" > $OUT/proof-capture'
  - shell: 'echo failing-\${API_KEY}; exit 3'
    on_failure:
      shell: 'echo handler-saw-\${shell.output}'
  - validate:
      shell: 'echo "{\\"completion_percentage\\": 100, \\"status\\": \\"complete\\", \\"gaps\\": [\\"gap-$API_KEY\\"]}" > v.json'
      result_file: v.json
  - shell: 'rm v.json && echo change > notes.txt && git add notes.txt && git commit -qm "scan change"'
merge:
  - shell: 'echo merge-\${API_KEY}-$PROJECT_NAME; sh $OUT/split.sh merge-split; printf "%s %s" "$API_KEY" "\${PROJECT_NAME}" > $OUT/proof-merge'
  - shell: "git -C '\${merge.repo_path}' merge --no-ff -q -m 'scan merge' \${merge.source_branch}"
`;

const FAILING = `name: scan-fail
${ENVIRONMENT}commands:
  - shell: 'echo before-fail-\${API_KEY}'
  - validate:
      shell: 'echo checking-\${API_KEY}'
      result_file: 'missing-\${API_KEY}.json'
`;

const MAPREDUCE = `name: scan-mr
mode: mapreduce
${ENVIRONMENT}setup:
  - shell: 'echo setup-\${API_KEY}; echo s > setup.txt && git add setup.txt && git commit -qm setup'
  - shell: 'echo seen-\${API_KEY}'
    capture: SEEN
map:
  input: "printf 'one\\\\ntwo\\\\nbad\\\\n'"
  max_parallel: 2
  agent_template:
    - shell: 'echo item-\${item}-\${API_KEY}; sh $OUT/split.sh item-split; sh $OUT/split.sh item-split-err >&2; test \${item} != bad || { echo dying-\${API_KEY} >&2; exit 4; }'
reduce:
  - shell: 'echo reduce-\${SEEN}; printf "%s" "\${SEEN}" > $OUT/proof-reduce'
merge:
  - shell: 'echo mr-merge-\${API_KEY}-$PROJECT_NAME; sh $OUT/split.sh mr-merge-split; printf "%s %s" "$API_KEY" "$PROJECT_NAME" > $OUT/proof-mr-merge'
  - shell: "git -C '\${merge.repo_path}' merge --no-ff -q -m 'mr merge' \${merge.source_branch}"
`;

describe('secrets never appear in PRODIGY_HOME or any output', () => {
  it('sequential, failing and MapReduce runs with merge: blocks print the secret every way; the scan finds it nowhere', () => {
    const home = tempHome();
    const out = tempDir('prodigy-scan-out-');
    fs.writeFileSync(path.join(out, 'split.sh'), SPLIT_SH);
    const wfDir = tempDir('prodigy-scan-wf-');
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(wfDir, name), text);
      return path.join(wfDir, name);
    };
    const env = { ...gitEnv, OUT: out, MY_TOKEN: SECRET };
    const printed: string[] = [];
    const cli = (args: string[], cwd: string) => {
      const r = prodigy(args, { home, cwd, env, warnings: true });
      printed.push(r.stdout, r.stderr);
      return r;
    };
    const proof = (name: string) => fs.readFileSync(path.join(out, name), 'utf8');

    // Sequential, in its worktree, not merged at the end (no terminal, no -y): merged later by id.
    const repo = makeRepo({ 'README.md': 'hello\n', 'notes.txt': 'one\n' });
    const seq = cli(['run', file('seq.yml', SEQUENTIAL), '-v'], repo);
    expect(seq.code, seq.stderr).toBe(0);
    const seqId = /^Session (\S+)/m.exec(seq.stdout)![1]!;
    expect(seq.stdout).toContain(`to merge them: prodigy worktree merge ${seqId}`);
    expect(seq.stdout).toContain('whole-***');
    expect(seq.stdout).toContain('split-out ***');
    expect(seq.stdout).toContain('split-err ***');
    expect(seq.stdout).toContain('handler-saw-failing-***');
    expect(proof('proof-seq')).toBe(SECRET);
    expect(proof('proof-capture')).toBe(`cap-${SECRET}`);
    // A fresh process runs the frozen block: the workflow's env and secrets resolved again, output masked.
    const merged = cli(['worktree', 'merge', seqId], repo);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toContain('merge-***-scanproj');
    expect(merged.stdout).toContain('merge-split ***');
    expect(proof('proof-merge')).toBe(`${SECRET} scanproj`);
    expect(logOf(repo)[0]).toBe('scan merge');

    // Sequential, in place, failing with the secret in its failure message.
    const plain = tempDir('prodigy-scan-plain-');
    const failed = cli(['run', file('fail.yml', FAILING), '--no-worktree', '-v'], plain);
    expect(failed.code).toBe(1);
    expect(failed.stderr + failed.stdout).toContain('validation result missing-***.json: no such file');

    // MapReduce in its worktree, merged at the end by its own merge: block.
    const mrRepo = makeRepo({ 'README.md': 'hello\n' });
    const mr = cli(['run', file('mr.yml', MAPREDUCE), '-v', '-y'], mrRepo);
    expect(mr.code, mr.stderr).toBe(0);
    const jobId = /^Job (\S+)/m.exec(mr.stdout)![1]!;
    expect(mr.stdout).toContain('1 failed');
    expect(mr.stdout).toContain('mr-merge-***-scanproj');
    expect(proof('proof-reduce')).toBe(`seen-${SECRET}`);
    expect(proof('proof-mr-merge')).toBe(`${SECRET} scanproj`);
    expect(logOf(mrRepo)[0]).toBe('mr merge');

    // Everything a user can ask the store for.
    const dlq = cli(['dlq', 'list', jobId, '--json'], mrRepo);
    expect(dlq.stdout).toContain('dying-***');
    cli(['events', jobId], mrRepo);
    cli(['events', jobId, '--json'], mrRepo);
    for (const s of sessionsIn(home)) cli(['sessions', 'show', s.id, '--json'], repo);
    cli(['sessions', 'list', '--json'], repo);
    cli(['tui', '--plain', '--all'], repo);
    cli(['tui', '--once', '--all'], repo);
    cli(['worktree', 'ls'], repo);
    cli(['worktree', 'ls', '--json'], mrRepo);
    expect(sessionsIn(home)).toHaveLength(3);

    const stored = allTextUnder(home);
    // The item logs and the run logs are there, with the masked lines.
    expect(stored).toContain('item-split ***');
    expect(stored).toContain('split-err ***');
    expect(stored).toContain('again-cap-***');
    const everything = [stored, ...printed].join('\n');
    for (const s of [SECRET, ...HALVES]) expect(everything).not.toContain(s);
  }, 180_000);
});
