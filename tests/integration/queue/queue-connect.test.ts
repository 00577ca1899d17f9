/**
 * Connecting to the queue. rediss:// against a real redis-server speaking only TLS, with a throwaway CA and server certificate
 * made by openssl in the test's temp dir: a worker and a coordinator trust the CA through
 * PRODIGY_QUEUE_CA and run a job; without it, each refuses the untrusted certificate with one line.
 * A Redis nobody listens for: the coordinator gives up with one line (a worker waits for it).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { prodigy, withoutUntrustedWarnings } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/home.js';
import { type RedisTls, startRedis, type TestRedis } from '../../helpers/redis.js';
import { startProdigy } from '../workflow-helpers.js';
import { committingWorkflow, jobOf, type QueueWorld, queueWorld } from './queue-fixture.js';

let world: QueueWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** A CA and a server certificate it signed, for 127.0.0.1 and localhost (valid one day). */
function makeCertificates(dir: string): RedisTls {
  const f = (n: string) => path.join(dir, n);
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '1', '-subj', '/CN=prodigy test CA']);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  fs.writeFileSync(f('san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '1', '-extfile', f('san.cnf')]);
  return { cert: f('server.crt'), key: f('server.key'), ca: f('ca.crt') };
}

/** The server, or null (and why) when this redis-server was built without TLS. */
async function tlsRedis(tls: RedisTls): Promise<{ redis: TestRedis } | { missing: string }> {
  try {
    return { redis: await startRedis(tls) };
  } catch (err) {
    const text = (err as Error).message;
    if (/tls/i.test(text) && /(unrecognized|not supported|bad directive|unknown)/i.test(text)) return { missing: text.split('\n').find((l) => /tls/i.test(l)) ?? text };
    throw err;
  }
}

describe('rediss:// (TLS)', () => {
  it('a worker and a coordinator run a job over TLS, trusting PRODIGY_QUEUE_CA; without it each refuses with one line', async () => {
    const tls = makeCertificates(tempDir('prodigy-tls-'));
    const started = await tlsRedis(tls);
    // Debian's redis-server (installed by .ci/run) is built with TLS; a build without it fails here, saying so.
    if ('missing' in started) throw new Error(`redis-server has no TLS support: ${started.missing}`);
    world = await queueWorld(undefined, { redis: started.redis });
    const w = world;
    expect(w.redis.url).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+$/);
    const trusting = { ...w.env, PRODIGY_QUEUE_CA: tls.ca };

    // Not trusting the CA: one line naming the URL and what to do, at once (not retried forever).
    const refusal = `prodigy: TLS with ${w.redis.url} failed: self-signed certificate in certificate chain (PRODIGY_QUEUE_CA names the CA certificate to trust)`;
    const noCa = prodigy(['worker', '--queue', w.redis.url, '--repo', w.repo], { home: w.home, env: w.env });
    expect(noCa.code).toBe(1);
    expect(noCa.stderr.trim()).toBe(refusal);
    const listNoCa = prodigy(['workers', '--queue', w.redis.url], { home: w.home, env: w.env });
    expect(listNoCa.code).toBe(1);
    expect(listNoCa.stderr.trim()).toBe(`prodigy: cannot read the queue at ${w.redis.url}: ${refusal.slice('prodigy: '.length)}`);
    const wf = w.workflow(committingWorkflow(4));
    const runNoCa = prodigy(['run', wf, '-y', '--queue', w.redis.url], { home: w.home, cwd: w.repo, env: w.env });
    expect(runNoCa.code).toBe(1);
    expect(withoutUntrustedWarnings(runNoCa.stderr).trim()).toBe(refusal);
    const notPem = path.join(tempDir('prodigy-tls-'), 'ca.txt');
    fs.writeFileSync(notPem, 'hello\n');
    const bad = prodigy(['workers', '--queue', w.redis.url], { home: w.home, env: { ...w.env, PRODIGY_QUEUE_CA: notPem } });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(`prodigy: PRODIGY_QUEUE_CA ${notPem}: not a PEM certificate file (no BEGIN CERTIFICATE line)`);

    const worker = await w.startWorker({ concurrency: 2, env: { PRODIGY_QUEUE_CA: tls.ca } });
    const run = startProdigy(['run', wf, '-y', '--queue', w.redis.url], { home: w.home, cwd: w.repo, env: trusting });
    const { code } = await run.exit;
    expect(withoutUntrustedWarnings(run.stderr())).toBe('');
    expect(code).toBe(0);
    expect(run.stdout()).toContain('4 successful, 0 failed, 4 total');
    const job = await jobOf(w.home);
    expect(job.items.every((i) => i.status === 'completed' && i.merge === 'merged' && i.worker?.endsWith(`:${worker.child.pid}`))).toBe(true);
    const listed = prodigy(['workers', '--json', '--queue', w.redis.url], { home: w.home, env: trusting });
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { workers: { worker: string }[] }).workers.map((x) => x.worker)).toEqual([expect.stringMatching(new RegExp(`:${worker.child.pid}$`))]);
  }, 180_000);

  it('no Redis on the port: the coordinator gives up after PRODIGY_QUEUE_CONNECT_MS with one line, exit 1, nothing started', async () => {
    // A port that was free a moment ago, and is closed now.
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const home = tempDir('prodigy-home-');
    const dir = tempDir('prodigy-wf-');
    fs.writeFileSync(path.join(dir, 'wf.yml'), 'name: q\nmode: mapreduce\nmap:\n  input: items.json\n  agent_template:\n    - shell: "true"\n');
    fs.writeFileSync(path.join(dir, 'items.json'), '[1]');
    const r = prodigy(['run', path.join(dir, 'wf.yml'), '-y', '--no-worktree', '--queue', `redis://127.0.0.1:${port}`], { home, cwd: dir, env: { PRODIGY_QUEUE_SECRET: 'a-secret-of-enough-length', PRODIGY_QUEUE_CONNECT_MS: '1000' } });
    expect(r.stderr.trim()).toBe(`prodigy: cannot reach Redis at redis://127.0.0.1:${port} (waited 1 s)`);
    expect(r.code).toBe(1);
    expect(fs.existsSync(path.join(home, 'sessions')) ? fs.readdirSync(path.join(home, 'sessions')) : []).toEqual([]);
  }, 60_000);
});
