/**
 * Session files on disk: one lowdb JSONFile per session under $PRODIGY_HOME/sessions.
 *
 * - Writes go through lowdb (snapshot-file.ts; steno underneath: temp file + rename), so a reader never
 *   sees half a file. Exactly one snapshot per file per process (two would share steno's temp file).
 * - Reads are plain read + parse: readers never lock and treat files as snapshots.
 * - A file that does not parse, or is not a session, is reported with its path and reason and is never
 *   written or deleted by this module.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { UnifiedSession } from '../session/types.js';
import { checkShape, parseJsonText } from './schema-check.js';
import { SessionFileSchema } from './schemas.js';
import { type StorePaths, isValidSessionId, storePaths } from './paths.js';
import { SnapshotFile } from './snapshot-file.js';
import { CorruptFileError, readIfExists } from './store-file.js';

export class CorruptSessionFileError extends CorruptFileError {}

export interface FileProblem {
  file: string;
  reason: string;
}

export interface SessionListing {
  sessions: UnifiedSession[];
  problems: FileProblem[];
}

/** Checks the shape we rely on (schemas.ts) and fills fields Prodigy may omit; unknown fields stay. */
export function parseSession(text: string, file: string): UnifiedSession {
  const s = checkShape(SessionFileSchema, parseJsonText(text, file, CorruptSessionFileError), file, CorruptSessionFileError);
  s.updated_at ??= s.started_at;
  s.completed_at ??= null;
  s.error ??= null;
  s.workflow_data ??= null;
  s.mapreduce_data ??= null;
  return s as unknown as UnifiedSession;
}

export class SessionStore {
  readonly paths: StorePaths;
  private readonly dbs = new Map<string, SnapshotFile<UnifiedSession>>();

  constructor(readonly home: string) {
    this.paths = storePaths(home);
  }

  async ensureDirs(): Promise<void> {
    await fs.mkdir(this.paths.sessionsDir, { recursive: true });
  }

  fileOf(id: string): string {
    if (!isValidSessionId(id)) throw new Error(`invalid session id ${JSON.stringify(id)}`);
    return this.paths.sessionFile(id);
  }

  /** null when there is no such file; throws CorruptSessionFileError when it does not parse. */
  async read(id: string): Promise<UnifiedSession | null> {
    const file = this.fileOf(id);
    const text = await readIfExists(file);
    return text === null ? null : parseSession(text, file);
  }

  async exists(id: string): Promise<boolean> {
    try {
      await fs.access(this.fileOf(id));
      return true;
    } catch {
      return false;
    }
  }

  /** Atomic write of the whole session (the caller must hold the session's lock). */
  async write(session: UnifiedSession): Promise<void> {
    const file = this.fileOf(session.id);
    let db = this.dbs.get(file);
    if (!db) {
      await this.ensureDirs();
      db = new SnapshotFile<UnifiedSession>(file, session);
      this.dbs.set(file, db);
    }
    db.data = session;
    await db.write();
  }

  async delete(id: string): Promise<void> {
    const file = this.fileOf(id);
    this.dbs.delete(file);
    await fs.rm(file, { force: true });
  }

  /** Every session file; files that do not parse are listed in `problems`, untouched. */
  async list(): Promise<SessionListing> {
    let names: string[];
    try {
      names = await fs.readdir(this.paths.sessionsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { sessions: [], problems: [] };
      throw err;
    }
    const files = names.filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    const sessions: UnifiedSession[] = [];
    const problems: FileProblem[] = [];
    await Promise.all(
      files.map(async (name) => {
        const file = path.join(this.paths.sessionsDir, name);
        try {
          const text = await readIfExists(file);
          if (text === null) return; // deleted while listing
          sessions.push(parseSession(text, file));
        } catch (err) {
          problems.push({ file, reason: err instanceof CorruptFileError ? err.reason : 'unreadable' });
        }
      }),
    );
    return { sessions, problems };
  }
}
