/**
 * Pure: `--queue redis://[:password@]host:port[/db]` (or `rediss://` for TLS) -> ioredis options, and
 * whether the server is on this machine (the only place `--insecure` is allowed).
 */
export interface QueueTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** rediss:// only: PEM text of the CA certificates the server's must chain to (PRODIGY_QUEUE_CA); absent, Node's own list. */
  ca?: string;
  /** The URL with any password replaced by `***`: what we print. */
  display: string;
}

export class QueueUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueUrlError';
  }
}

export function parseQueueUrl(text: string): QueueTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new QueueUrlError(`--queue ${text}: not a URL (expected redis://[:password@]host:port[/db] or rediss://...)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new QueueUrlError(`--queue ${mask(u)}: only redis:// and rediss:// URLs are supported`);
  if (!u.hostname) throw new QueueUrlError(`--queue ${mask(u)}: no host`);
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,2}$/.test(dbText)) throw new QueueUrlError(`--queue ${mask(u)}: the path must be a database number (/0 .. /15), not "/${dbText}"`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    db: dbText === '' ? 0 : Number(dbText),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    tls: u.protocol === 'rediss:',
    display: mask(u),
  };
}

function mask(u: URL): string {
  if (!u.password) return u.toString();
  const c = new URL(u.toString());
  c.password = '***';
  return c.toString();
}

/** Loopback only: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
