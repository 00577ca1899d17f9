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
import { statSync } from 'node:fs';
import path from 'node:path';
import type { UnifiedSession } from '../session/types.js';
import { LISTING_BATCH, readIfExistsRetrying, readListedFile, yieldToLoop } from './bounded-read.js';
import { JsonlAppender } from './jsonl.js';
import { checkShape, parseJsonText } from './schema-check.js';
import { SessionFileSchema } from './schemas.js';
import { acceptSessionQuickly } from './session-shape.js';
import type { z } from 'zod';
import { SESSION_JOURNAL_SUFFIX, type StorePaths, isValidSessionId, storePaths } from './paths.js';
import { replayJournal } from './session-journal.js';
import { SnapshotFile } from './snapshot-file.js';
import { CorruptFileError } from './store-file.js';

export class CorruptSessionFileError extends CorruptFileError {}

export interface FileProblem {
  file: string;
  reason: string;
}

export interface SessionListing {
  sessions: UnifiedSession[];
  problems: FileProblem[];
}

/** A session as read: snapshot + journal tail, and where the journal ended (its owner appends after). */
export interface ReadSession {
  session: UnifiedSession;
  seq: number;
}

/**
 * Checks the shape we rely on (schemas.ts) and fills fields Prodigy may omit; unknown fields stay. The
 * common, plainly valid file passes a quick check that copies nothing (session-shape.ts); any other goes
 * through zod, whose verdict and message stand.
 */
export function parseSession(text: string, file: string): UnifiedSession {
  const raw = parseJsonText(text, file, CorruptSessionFileError);
  const s = acceptSessionQuickly(raw) ? (raw as z.output<typeof SessionFileSchema>) : checkShape(SessionFileSchema, raw, file, CorruptSessionFileError);
  s.updated_at ??= s.started_at;
  s.completed_at ??= null;
  s.error ??= null;
  s.workflow_data ??= null;
  s.mapreduce_data ??= null;
  return s as unknown as UnifiedSession;
}

/** A journal that is gone (its session finished meanwhile) reads as empty. */
function orEmptyIfMissing(err: unknown): string {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
  throw err;
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

  /**
   * Snapshot + journal tail; null when there is no such file; throws CorruptSessionFileError when the
   * snapshot does not parse (journal lines that do not parse are skipped: a torn last line is normal).
   */
  async read(id: string): Promise<UnifiedSession | null> {
    return (await this.readWithSeq(id))?.session ?? null;
  }

  async readWithSeq(id: string): Promise<ReadSession | null> {
    const file = this.fileOf(id);
    // The journal first: its owner writes the snapshot before it empties the journal (session-journal.ts).
    const journal = (await readIfExistsRetrying(this.paths.sessionJournal(id))) ?? '';
    const text = await readIfExistsRetrying(file);
    if (text === null) return null;
    const { session, seq } = replayJournal(parseSession(text, file), journal);
    return { session, seq };
  }

  /** The owner's appender on the session's journal (a torn last line is cut first). */
  openJournal(id: string): JsonlAppender {
    return new JsonlAppender(this.paths.sessionJournal(id), { repair: true });
  }

  async deleteJournal(id: string): Promise<void> {
    await fs.rm(this.paths.sessionJournal(id), { force: true });
  }

  /** Size of the session file on disk (0 when missing): what compaction weighs the journal against. */
  snapshotBytes(id: string): number {
    try {
      return statSync(this.fileOf(id)).size;
    } catch {
      return 0;
    }
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
    await this.deleteJournal(id);
  }

  /** The session files' names (`<id>.json`) and which sessions have a journal: one readdir. */
  async names(): Promise<{ files: string[]; journals: Set<string> }> {
    let names: string[];
    try {
      names = await fs.readdir(this.paths.sessionsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], journals: new Set() };
      throw err;
    }
    const journals = new Set(names.filter((n) => n.endsWith(SESSION_JOURNAL_SUFFIX)).map((n) => n.slice(0, -SESSION_JOURNAL_SUFFIX.length)));
    return { files: names.filter((n) => n.endsWith('.json') && !n.startsWith('.')), journals };
  }

  /**
   * `names()` ordered for a first screen: sessions with a journal (running: their progress lands there)
   * first, then the rest by their file's mtime, newest first. One readdir and one stat per file (stat
   * costs ~3 µs a file, reading and parsing one ~0.2 ms), so the first screen waits for O(screen) reads.
   */
  async namesNewestFirst(): Promise<{ files: string[]; journals: Set<string> }> {
    const { files, journals } = await this.names();
    // 20,000 files: the keys are computed once into flat arrays and indices sorted, since a comparator
    // doing Map lookups and slices ran ~300,000 times; the paths are concatenated (path.join normalises
    // each one) and a missing file is reported by undefined, not an exception.
    const dir = `${this.paths.sessionsDir}${path.sep}`;
    const n = files.length;
    const mtime = new Float64Array(n);
    const live = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const f = files[i]!;
      let ms = 0; // gone or unreadable: read (and reported) last
      try {
        ms = statSync(dir + f, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      } catch {
        // EACCES and the like: as above
      }
      mtime[i] = ms;
      live[i] = journals.has(f.slice(0, -'.json'.length)) ? 1 : 0;
    }
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => live[b]! - live[a]! || mtime[b]! - mtime[a]! || (files[a]! < files[b]! ? -1 : 1));
    return { files: order.map((i) => files[i]!), journals };
  }

  /**
   * The named session files (from `names()`), one at a time, synchronously, yielding to the event loop
   * every LISTING_BATCH files (readListedFile: a synchronous read of a small file costs a quarter of an
   * async one, and one descriptor at a time never meets EMFILE); transient errors are retried. Files that
   * do not parse or cannot be read are listed in `problems`, untouched.
   */
  async readFiles(files: readonly string[], journals: Set<string>): Promise<SessionListing> {
    const sessions: UnifiedSession[] = [];
    const problems: FileProblem[] = [];
    for (let i = 0; i < files.length; i++) {
      if (i > 0 && i % LISTING_BATCH === 0) await yieldToLoop();
      const name = files[i]!;
      const file = path.join(this.paths.sessionsDir, name);
      const id = name.slice(0, -'.json'.length);
      try {
        const journal = journals.has(id) ? await readListedFile(this.paths.sessionJournal(id)).catch(orEmptyIfMissing) : '';
        const snapshot = parseSession(await readListedFile(file), file);
        sessions.push(journal ? replayJournal(snapshot, journal).session : snapshot);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted while listing
        const reason = err instanceof CorruptFileError ? err.reason : `could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
        problems.push({ file, reason });
      }
    }
    return { sessions, problems };
  }

  /** Every session file; files that do not parse are listed in `problems`, untouched. */
  async list(): Promise<SessionListing> {
    const { files, journals } = await this.names();
    return this.readFiles(files, journals);
  }
}
