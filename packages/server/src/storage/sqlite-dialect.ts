import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { startCheckpointer } from './sqlite-checkpointer.ts';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
} from 'kysely';

/**
 * The one connection, lent to one caller at a time, first-in first-out. Kysely would serialise it
 * itself, but its mutex wakes every waiter on each release (quadratic under load: thousands of
 * concurrent requests spent a third of the CPU there), so the driver queues here instead and tells
 * Kysely it needs no mutex of its own.
 */
class ConnectionQueue {
  #waiting: Array<() => void> = [];
  #busy = false;

  async acquire(): Promise<void> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#busy = true;
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy = false;
  }
}

/**
 * Direct use of the connection, bypassing the query builder, for the hot send path: `fn` runs
 * synchronously while no Kysely query or transaction holds the connection.
 */
export interface SqliteDirect {
  exclusive<T>(fn: (db: DatabaseSync) => T): Promise<T>;
}

/** Kysely over Node's built-in `node:sqlite` (no native addon to compile). */
export function nodeSqliteDialect(filename: string): { dialect: SqliteDialect; direct: SqliteDirect } {
  const raw = new DatabaseSync(filename);
  raw.exec('PRAGMA journal_mode = WAL');
  raw.exec('PRAGMA synchronous = NORMAL');
  raw.exec('PRAGMA foreign_keys = ON');
  raw.exec('PRAGMA busy_timeout = 5000');
  let checkpointer: ReturnType<typeof startCheckpointer> | null = null;
  if (filename !== ':memory:') {
    raw.exec('PRAGMA wal_autocheckpoint = 0');
    checkpointer = startCheckpointer(filename);
  }
  const config = { database: new CachedStatements(raw, () => checkpointer?.stop()) };
  const queue = new ConnectionQueue();
  const direct: SqliteDirect = {
    async exclusive(fn) {
      await queue.acquire();
      try {
        return fn(raw);
      } finally {
        queue.release();
      }
    },
  };
  return { dialect: new QueuedSqliteDialect(config, queue), direct };
}

class QueuedSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #queue: ConnectionQueue;

  constructor(config: SqliteDialectConfig, queue: ConnectionQueue) {
    super(config);
    this.#config = config;
    this.#queue = queue;
  }

  override createDriver(): Driver {
    return new QueuedSqliteDriver(this.#config, this.#queue);
  }

  override createAdapter(): DialectAdapter {
    return new QueuedSqliteAdapter();
  }
}

class QueuedSqliteAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

class QueuedSqliteDriver extends SqliteDriver {
  readonly #queue: ConnectionQueue;

  constructor(config: SqliteDialectConfig, queue: ConnectionQueue) {
    super(config);
    this.#queue = queue;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.#queue.acquire();
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    this.#queue.release();
  }

  // IMMEDIATE takes the write lock up front: with another process on the same file (the CLI), a
  // transaction waits for it (busy_timeout) instead of failing half way with SQLITE_BUSY.
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Adapts node:sqlite to the better-sqlite3-shaped interface Kysely expects, reusing statements. */
class CachedStatements implements SqliteDatabase {
  #db: DatabaseSync;
  #cache = new Map<string, SqliteStatement>();
  #onClose: () => void;

  constructor(db: DatabaseSync, onClose: () => void) {
    this.#db = db;
    this.#onClose = onClose;
  }

  close(): void {
    this.#cache.clear();
    this.#onClose();
    if (!this.#db.isOpen) return;
    // The last connection out folds the WAL back into the database file.
    try {
      this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } catch {
      // another process still reads: it will checkpoint later
    }
    this.#db.close();
  }

  prepare(sql: string): SqliteStatement {
    let statement = this.#cache.get(sql);
    if (statement === undefined) {
      statement = adapt(this.#db.prepare(sql));
      if (this.#cache.size >= 500) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(sql, statement);
    }
    return statement;
  }
}

type Bindable = null | number | bigint | string | Uint8Array;

function adapt(statement: StatementSync): SqliteStatement {
  const bind = (parameters: ReadonlyArray<unknown>): Bindable[] => parameters.map(toBindable);
  return {
    reader: statement.columns().length > 0,
    all: (parameters) => statement.all(...bind(parameters)),
    run: (parameters) => statement.run(...bind(parameters)),
    iterate: (parameters) => statement.iterate(...bind(parameters)) as IterableIterator<unknown>,
  };
}

function toBindable(value: unknown): Bindable {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value as Bindable;
}
