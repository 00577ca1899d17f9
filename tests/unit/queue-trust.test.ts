/** Pure parts of the queue: URLs, signing, the trust rule. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCancel, sealCancel } from '../../src/queue/cancel.js';
import { open, seal } from '../../src/queue/sign.js';
import { queueTrust } from '../../src/queue/trust.js';
import { isLoopback, parseQueueUrl } from '../../src/queue/url.js';

const SECRET = 'a-secret-of-enough-length';

describe('queue URLs', () => {
  it('reads host, port, db, password and TLS; never prints the password', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6380/2')).toMatchObject({ host: '127.0.0.1', port: 6380, db: 2, tls: false });
    const t = parseQueueUrl('rediss://:s3cret@redis.example.com/1');
    expect(t).toMatchObject({ host: 'redis.example.com', port: 6379, db: 1, password: 's3cret', tls: true });
    expect(t.display).not.toContain('s3cret');
    expect(parseQueueUrl('redis://[::1]:7000').host).toBe('::1');
  });
  it('refuses what is not a Redis URL with one line', () => {
    expect(() => parseQueueUrl('localhost:6379')).toThrow(/only redis:\/\/ and rediss:\/\//);
    expect(() => parseQueueUrl('not a url')).toThrow(/not a URL/);
    expect(() => parseQueueUrl('redis://h:1/abc')).toThrow(/database number/);
  });
  it('knows loopback hosts', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1']) expect(isLoopback(h)).toBe(true);
    for (const h of ['10.0.0.1', 'redis.example.com', '128.0.0.1']) expect(isLoopback(h)).toBe(false);
  });
});

describe('signed envelopes', () => {
  it('round-trips any JSON value under the same id and secret', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ minLength: 1 }), (v, id) => {
        const r = open(seal(v, id, SECRET), id, SECRET);
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.value).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
  it('refuses unsigned, mis-signed, changed and replayed envelopes when a secret is set', () => {
    const e = seal({ cmd: 'echo hi' }, 'prodigy:j:item-1', SECRET);
    expect(open({ v: 1, body: e.body }, 'prodigy:j:item-1', SECRET)).toMatchObject({ ok: false, reason: expect.stringMatching(/^unsigned/) });
    expect(open(seal({ cmd: 'echo hi' }, 'prodigy:j:item-1', 'another-secret-value'), 'prodigy:j:item-1', SECRET)).toMatchObject({ ok: false, reason: expect.stringMatching(/^bad signature/) });
    expect(open({ ...e, body: e.body.replace('hi', 'rm') }, 'prodigy:j:item-1', SECRET).ok).toBe(false);
    expect(open(e, 'prodigy:j:item-2', SECRET).ok).toBe(false);
    expect(open({ v: 1, body: e.body, sig: 'zz' }, 'prodigy:j:item-1', SECRET).ok).toBe(false);
    expect(open('text', 'x', SECRET).ok).toBe(false);
  });
  it('without a secret (--insecure) accepts unsigned envelopes', () => {
    expect(open(seal([1, 2], 'x', null), 'x', null)).toEqual({ ok: true, value: [1, 2] });
  });
});

describe('cancel messages', () => {
  const m = { job_id: 'mapreduce-1', run: 'run-a' };
  it('are signed like jobs and open with the same secret', () => {
    expect(openCancel(sealCancel(m, SECRET), SECRET)).toEqual({ ok: true, value: m });
    expect(openCancel(sealCancel(m, null), null)).toEqual({ ok: true, value: m });
  });
  it('unsigned, mis-signed, changed, the old bare form or malformed: refused with a reason', () => {
    const signed = JSON.parse(sealCancel(m, SECRET)) as { body: string };
    expect(openCancel(sealCancel(m, null), SECRET)).toMatchObject({ ok: false, reason: expect.stringMatching(/^unsigned/) });
    expect(openCancel(sealCancel(m, 'another-secret-value'), SECRET)).toMatchObject({ ok: false, reason: expect.stringMatching(/^bad signature/) });
    expect(openCancel(JSON.stringify({ ...signed, body: signed.body.replace('run-a', 'run-b') }), SECRET).ok).toBe(false);
    // A job's signature does not make a cancel: the channel's name is signed in.
    expect(openCancel(JSON.stringify(seal(m, 'prodigy:j:item-1', SECRET)), SECRET).ok).toBe(false);
    expect(openCancel(JSON.stringify(m), SECRET)).toMatchObject({ ok: false, reason: expect.stringMatching(/no envelope/) });
    expect(openCancel('{', SECRET)).toEqual({ ok: false, reason: 'not JSON' });
    expect(openCancel(sealCancel({ job_id: 'j' } as never, SECRET), SECRET)).toEqual({ ok: false, reason: 'no job_id and run in it' });
  });
});

describe('queue trust', () => {
  const local = parseQueueUrl('redis://127.0.0.1:6379');
  const remote = parseQueueUrl('redis://10.1.2.3:6379');
  it('signs with PRODIGY_QUEUE_SECRET', () => {
    expect(queueTrust(remote, { PRODIGY_QUEUE_SECRET: SECRET }, false)).toEqual({ ok: true, secret: SECRET });
    expect(queueTrust(remote, { PRODIGY_QUEUE_SECRET: 'short' }, false).ok).toBe(false);
  });
  it('needs --insecure without a secret, and allows it only on loopback', () => {
    expect(queueTrust(local, {}, false)).toMatchObject({ ok: false, error: expect.stringMatching(/PRODIGY_QUEUE_SECRET is not set/) });
    expect(queueTrust(local, {}, true)).toEqual({ ok: true, secret: null });
    expect(queueTrust(remote, {}, true)).toMatchObject({ ok: false, error: expect.stringMatching(/only allowed with a Redis on this machine/) });
  });
});
