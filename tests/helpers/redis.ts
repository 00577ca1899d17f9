/**
 * A real `redis-server` of the test's own: a free loopback port, its data in a temp dir (removed with
 * the test file), append-only file fsync'd on every write so a killed server comes back with its jobs.
 * `stop()` ends it (afterEach/afterAll); `kill()` SIGKILLs it and `restart()` starts it again on the same
 * port and dir (the "Redis restarted mid-job" fault).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { tracked } from './children.js';
import { tempDir } from './home.js';

export const REDIS_BIN = process.env.PRODIGY_TEST_REDIS_BIN ?? 'redis-server';

export interface TestRedis {
  port: number;
  url: string;
  dir: string;
  /** The server's pid (changes on restart). */
  pid(): number;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Certificates for a TLS server: file paths. */
export interface RedisTls {
  cert: string;
  key: string;
  ca: string;
}

/** Starts the server and resolves once it accepts connections; rejects with its output if it exits first. */
function launch(port: number, dir: string, tls?: RedisTls): Promise<ChildProcess> {
  // With TLS the plain port is off: only TLS clients get in (no client certificates asked for).
  const ports = tls ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no'] : ['--port', String(port)];
  const child = tracked(
    spawn(REDIS_BIN, [...ports, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'no', '--daemonize', 'no', '--logfile', ''], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    { group: false },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (/Ready to accept connections/.test(out)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    child.once('exit', (code, sig) => reject(new Error(`redis-server exited (${code ?? sig}) before it was ready:\n${out}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** `tls`: the server speaks only TLS on its port and `url` is rediss://. */
export async function startRedis(tls?: RedisTls): Promise<TestRedis> {
  const dir = tempDir('prodigy-redis-');
  let port = 0;
  let child: ChildProcess | undefined;
  // Another process may take the free port between the probe and the bind: try a few.
  for (let i = 0; i < 5 && !child; i++) {
    port = await freePort();
    child = await launch(port, dir, tls).catch((err: Error) => {
      if (i === 4) throw err;
      return undefined;
    });
  }
  let current = child!;
  return {
    port,
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    dir,
    pid: () => current.pid!,
    async kill() {
      current.kill('SIGKILL');
      await exited(current);
    },
    async restart() {
      await exited(current);
      current = await launch(port, dir, tls);
    },
    async stop() {
      current.kill('SIGTERM');
      await exited(current);
    },
  };
}
