import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnifiedSessionManager } from '../../src/session/manager.js';
import { findMapping } from '../../src/storage/job-mapping.js';
import { listDlqItems } from '../../src/mapreduce/dlq.js';
import { tempDir, tempHome } from '../helpers/home.js';
import { prodigy } from '../helpers/cli.js';

const good = {
  id: 'hostile',
  session_type: 'Workflow',
  status: 'Paused',
  started_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  metadata: {},
  checkpoints: [],
  timings: {},
  error: null,
  workflow_data: null,
  mapreduce_data: null,
};

function put(home: string, name: string, text: string): string {
  const file = path.join(home, 'sessions', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('hostile files in the store', () => {
  it('wrong types in each field: reported with path and field, never resumed, left byte for byte', async () => {
    const cases: [string, unknown][] = [
      ['checkpoints', 'x'],
      ['status', 42],
      ['metadata', []],
      ['timings', { a: 'slow' }],
      ['id', '../../etc/passwd'],
      ['started_at', null],
      ['mapreduce_data', { job_id: '../../evjob' }],
    ];
    for (const [field, value] of cases) {
      const home = tempHome();
      const text = JSON.stringify({ ...good, [field]: value });
      const file = put(home, 'hostile.json', text);
      const r = prodigy(['resume', 'hostile', '-y'], { home });
      expect(r.code, field).not.toBe(0);
      expect(r.stderr, field).toMatch(new RegExp(`^prodigy: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: field ${field}`));
      expect(r.stderr.split('\n').filter(Boolean), field).toHaveLength(1);
      expect(fs.readFileSync(file, 'utf8'), field).toBe(text);
      expect((await new UnifiedSessionManager(home).listResumable()).map((s) => s.id), field).toEqual([]);
    }
  });

  it('null, a folder and a symlink as session files: one line each, no raw JS error, no quoted target bytes', () => {
    const home = tempHome();
    put(home, 'nul.json', 'null');
    fs.mkdirSync(path.join(home, 'sessions', 'dir.json'));
    const secret = path.join(tempDir('outside-'), 'secret.txt');
    fs.writeFileSync(secret, 'TOPSECRET-BYTES');
    fs.symlinkSync(secret, path.join(home, 'sessions', 'link.json'));
    for (const id of ['nul', 'dir', 'link']) {
      const r = prodigy(['sessions', 'show', id], { home });
      expect(r.code, id).not.toBe(0);
      expect(r.stderr, id).not.toMatch(/TypeError|EISDIR|at .*\.js|TOPSECRET/);
      expect(r.stderr.trim().split('\n'), id).toHaveLength(1);
    }
    const list = prodigy(['sessions', 'list', '--json'], { home });
    expect(list.stderr).not.toContain('TOPSECRET');
    expect(list.stderr).toContain('is a symbolic link');
    expect(list.stderr).toContain('is a folder');
  });

  it('a mapping whose job_id leaves $PRODIGY_HOME is reported, not followed; so is a DLQ item with a bad id', async () => {
    const home = tempHome();
    const dir = path.join(home, 'state', 'repo', 'mappings');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'job-x.json');
    fs.writeFileSync(file, JSON.stringify({ session_id: 's', job_id: '../../evjob', repo: 'repo', workflow_name: 'w', created_at: '' }));
    await expect(findMapping(home, 'job-x')).rejects.toThrow(`${file}: field job_id`);
    const r = prodigy(['dlq', 'list', 'job-x'], { home });
    expect(r.stdout + r.stderr).not.toMatch(/TypeError|at .*\.js/);
    expect(fs.existsSync(path.join(home, '..', 'evjob'))).toBe(false);

    const dlq = tempDir('dlq-');
    fs.writeFileSync(path.join(dlq, 'item-1.json'), JSON.stringify({ item_id: '../../x', item: 1, error: 'e', attempts: 1, output_tail: [], failed_at: '' }));
    const listing = await listDlqItems(dlq);
    expect(listing.items).toEqual([]);
    expect(listing.problems[0]!.reason).toMatch(/^field item_id/);
  });
});
