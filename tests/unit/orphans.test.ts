import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupBelongsToSession } from '../../src/exec/orphans.js';
import { tempDir } from '../helpers/home.js';

/** A /proc-shaped folder: pid -> [stat line, environment]. */
function fakeProc(procs: Record<number, [string, string[]]>): string {
  const dir = tempDir('fake-proc-');
  fs.mkdirSync(path.join(dir, 'self'));
  for (const [pid, [stat, env]] of Object.entries(procs)) {
    fs.mkdirSync(path.join(dir, pid));
    fs.writeFileSync(path.join(dir, pid, 'stat'), stat);
    fs.writeFileSync(path.join(dir, pid, 'environ'), `${env.join('\0')}\0`);
  }
  return dir;
}

describe('groupBelongsToSession', () => {
  const proc = fakeProc({
    100: ['100 (sh) S 1 100 100 0 -1', ['PATH=/bin', 'PRODIGY_SESSION_ID=session-a']],
    101: ['101 (my (odd) name) S 100 100 100 0 -1', ['PRODIGY_SESSION_ID=session-a']],
    200: ['200 (sleep) S 1 200 200 0 -1', ['PRODIGY_SESSION_ID=session-b']],
    300: ['300 (sh) Z 1 300 300 0 -1', ['PRODIGY_SESSION_ID=session-c']],
    400: ['400 (vim) S 1 400 400 0 -1', ['PATH=/bin']],
  });

  it('recognises a group with a member of the session', () => {
    expect(groupBelongsToSession(100, 'session-a', proc)).toBe(true);
    expect(groupBelongsToSession(200, 'session-b', proc)).toBe(true);
  });

  it('refuses a reused group id, a zombie-only group, an unknown group or a missing /proc', () => {
    expect(groupBelongsToSession(200, 'session-a', proc)).toBe(false);
    expect(groupBelongsToSession(400, 'session-a', proc)).toBe(false);
    expect(groupBelongsToSession(300, 'session-c', proc)).toBe(false);
    expect(groupBelongsToSession(999, 'session-a', proc)).toBe(false);
    expect(groupBelongsToSession(100, 'session-a', '/nonexistent-proc')).toBe(false);
  });

  it('matches the whole variable, not a prefix of another session id', () => {
    expect(groupBelongsToSession(100, 'session-', proc)).toBe(false);
  });
});
