import fs from 'node:fs';
import path from 'node:path';
import { Kysely } from 'kysely';
import pg from 'pg';
import { SchemaPostgresDialect } from './pg-introspector.ts';
import type { Database } from './schema.ts';
import { nodeSqliteDialect, type SqliteDirect } from './sqlite-dialect.ts';
import { MAIN, WEBHOOKS, WriterLock } from './writer-lock.ts';
import { sqliteWriter } from './sqlite-writer.ts';

export type Engine = 'sqlite' | 'postgres';

export interface Storage {
  readonly engine: Engine;
  readonly db: Kysely<Database>;
  /** PostgreSQL schema the tables live in; null on SQLite. */
  readonly schema: string | null;
  /** SQLite: the connection without the query builder, for the send path; null on PostgreSQL. */
  readonly sqlite: SqliteDirect | null;
  /** How it was opened, and (SQLite) the lock a second thread of this process must share to open it too: see `openStorageInThread`. */
  readonly opened: { readonly options: StorageOptions; readonly writerLock: SharedArrayBuffer | null };
  /** PostgreSQL: the pool, for its use in the metrics; null on SQLite. */
  readonly pool: { readonly totalCount: number; readonly idleCount: number; readonly waitingCount: number } | null;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** postgres://… or null for SQLite. */
  readonly databaseUrl: string | null;
  /** SQLite file; ':memory:' works for throwaway databases. */
  readonly sqliteFile: string;
  /** SQLite: the serving connection's page cache in MiB (default 64). */
  readonly sqliteCacheMb?: number;
  /** SQLite: the WAL's size in MiB at which the checkpointer restarts it (default 256; tests make it small). */
  readonly sqliteWalRestartMb?: number;
  /** PostgreSQL schema to use (tests give each suite its own). */
  readonly pgSchema?: string;
  readonly pgPoolSize?: number;
  /** PostgreSQL: bounds on every transaction (lock waits, statements, pauses inside one). */
  readonly pgTimeouts?: { readonly lockMs: number; readonly statementMs: number; readonly idleInTransactionMs: number };
  /** PostgreSQL: shown in pg_stat_activity, so an operator can tell the nodes' sessions apart. */
  readonly applicationName?: string;
}

const CONNECT_TIMEOUT_MS = 5_000;

/** SQLite's page cache per connection, MiB, unless SQLITE_CACHE_MB says otherwise (docs/operations.md). */
export const DEFAULT_SQLITE_CACHE_MB = 64;

// int8 (counts, epoch-ms timestamps) as a JS number: every value we store fits in 2^53.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
} as unknown as pg.CustomTypesConfig;

export function openStorage(options: StorageOptions, thread: { writerLock: SharedArrayBuffer } | null = null): Storage {
  if (options.databaseUrl !== null) {
    const settings = [
      ...(options.pgSchema ? [`search_path=${options.pgSchema}`] : []),
      ...(options.pgTimeouts
        ? [
            `lock_timeout=${options.pgTimeouts.lockMs}`,
            `statement_timeout=${options.pgTimeouts.statementMs}`,
            `idle_in_transaction_session_timeout=${options.pgTimeouts.idleInTransactionMs}`,
          ]
        : []),
    ];
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.pgPoolSize ?? 10,
      types: pgTypes,
      // While the database is away, a request fails after this long instead of queueing for ever.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      ...(options.applicationName !== undefined && { application_name: options.applicationName }),
      ...(settings.length > 0 && { options: settings.map((setting) => `-c ${setting}`).join(' ') }),
    });
    // A connection lost must never crash the process: the query on it fails (and is answered as
    // STORAGE_UNAVAILABLE), the pool replaces it. An idle client reports on the pool; one checked
    // out (inside a transaction) reports on itself, and an unheard 'error' event would be fatal.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const schema = options.pgSchema ?? 'public';
    const db = new Kysely<Database>({ dialect: new SchemaPostgresDialect({ pool }, schema) });
    return { engine: 'postgres', db, schema, sqlite: null, opened: { options, writerLock: null }, pool, close: once(() => db.destroy()) };
  }
  if (options.sqliteFile !== ':memory:') fs.mkdirSync(path.dirname(options.sqliteFile), { recursive: true });
  // The main thread makes the lock and keeps the WAL in check; the webhook thread shares the lock.
  const lock = thread ? new WriterLock(WEBHOOKS, thread.writerLock) : new WriterLock(MAIN);
  const cacheMb = thread === null ? (options.sqliteCacheMb ?? DEFAULT_SQLITE_CACHE_MB) : undefined;
  const { dialect, direct, stopCheckpoints } = nodeSqliteDialect(options.sqliteFile, {
    lock,
    checkpoints: thread === null,
    ...(cacheMb !== undefined && { cacheMb }),
    ...(options.sqliteWalRestartMb !== undefined && { walRestartMb: options.sqliteWalRestartMb }),
  });
  const db = new Kysely<Database>({ dialect });
  // The main thread's sends are written by a thread of their own (a file is needed to share).
  const writer = thread === null && options.sqliteFile !== ':memory:' ? sqliteWriter({ filename: options.sqliteFile, lock: lock.buffer, cacheMb }) : null;
  const close = once(async () => {
    await writer?.stop();
    await stopCheckpoints();
    await db.destroy();
  });
  return { engine: 'sqlite', db, schema: null, sqlite: { ...direct, writer }, opened: { options, writerLock: lock.buffer }, pool: null, close };
}

/** Closing twice (the app, then a test dropping its database) closes once. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => (closing ??= close());
}

/**
 * The same database opened again in a worker thread of this process (the webhook thread), from
 * what `Storage.opened` says: on SQLite a second connection to the file, taking turns with the
 * main thread's through the shared lock; on PostgreSQL a small pool of its own.
 */
export function openStorageInThread(opened: Storage['opened'], name: string): Storage {
  if (opened.options.databaseUrl !== null) return openStorage({ ...opened.options, pgPoolSize: 2, applicationName: name });
  if (opened.writerLock === null || opened.options.sqliteFile === ':memory:') throw new Error('this SQLite database cannot be opened from another thread');
  return openStorage(opened.options, { writerLock: opened.writerLock });
}

/** Unique-key violations look different on each engine; callers only need to know it was one. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown };
  if (e.code === '23505') return true;
  return typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed');
}
