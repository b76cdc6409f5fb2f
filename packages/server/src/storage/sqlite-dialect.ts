import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { DEFAULT_WAL_RESTART_MB, startCheckpointer } from './sqlite-checkpointer.ts';
import type { WriterLock } from './writer-lock.ts';
import type { SqliteWriter } from './sqlite-writer.ts';
import {
  CompiledQuery,
  SelectQueryNode,
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
 * How long queries may run in one turn of the event loop before the next one waits for the turn
 * after. node:sqlite answers synchronously, so a chain of awaited queries (the routing sweep going
 * through 200 shops) never lets the loop read a socket: it ran 50–100 ms at a time, every 5 s, and
 * was most of the open-loop p99 (docs/benchmarks.md, "The writer thread and the routing sweep").
 */
const TURN_BUDGET_MS = 4;

/**
 * The one connection, lent to one caller at a time, first-in first-out. Kysely would serialise it
 * itself, but its mutex wakes every waiter on each release (quadratic under load: thousands of
 * concurrent requests spent a third of the CPU there), so the driver queues here instead and tells
 * Kysely it needs no mutex of its own. Past TURN_BUDGET_MS in one turn, the connection is lent
 * only on the next (a transaction is lent once, so it is never cut in two).
 */
class ConnectionQueue {
  #waiting: Array<() => void> = [];
  #busy = false;
  #turnStartedAt = -1;

  async acquire(): Promise<void> {
    // Handed over by release(), which keeps it busy.
    if (this.#busy) return new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#busy = true;
    if (this.#spent()) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#busy = false;
    else if (this.#spent()) setImmediate(next);
    else next();
  }

  /** Whether this turn of the event loop has used its budget since its first query. */
  #spent(): boolean {
    const now = performance.now();
    if (this.#turnStartedAt < 0) {
      this.#turnStartedAt = now;
      setImmediate(() => (this.#turnStartedAt = -1));
      return false;
    }
    return now - this.#turnStartedAt > TURN_BUDGET_MS;
  }
}

/**
 * Direct use of the connection, bypassing the query builder, for the hot send path: `fn` runs
 * synchronously while no Kysely query or transaction holds the connection.
 */
export interface SqliteDirect {
  exclusive<T>(fn: (db: DatabaseSync) => T): Promise<T>;
  /** The send path's writer thread (storage/sqlite-writer.ts); none for a database in memory. */
  readonly writer?: SqliteWriter | null;
}

export interface SqliteOptions {
  /** Shared with the other thread of this node that writes to the file: each takes it around every use of its connection. */
  readonly lock?: WriterLock;
  /** Whether this connection keeps the WAL in check (the main thread's: it checkpoints in the background and on close). */
  readonly checkpoints?: boolean;
  /**
   * Page cache in MiB (SQLite's default is 2). The lists read a few hundred pages scattered over
   * the conversations, customers and members of a large database: at 10M messages a 64 MiB cache
   * takes their p99 from ~2.5 ms to ~1 ms (docs/benchmarks.md). It fills only as pages are read.
   */
  readonly cacheMb?: number;
  /** The WAL's size at which the checkpointer restarts it (default 256 MiB; tests make it small). */
  readonly walRestartMb?: number;
}

/**
 * A connection as every thread of a node opens it: WAL (readers never wait for the writer), commits
 * durable against a crash of the process, foreign keys on, and no automatic checkpoint inside a
 * commit (the checkpointer thread does it, storage/sqlite-checkpointer.ts).
 */
export function openSqlite(filename: string, cacheMb?: number): DatabaseSync {
  const raw = new DatabaseSync(filename);
  raw.exec('PRAGMA journal_mode = WAL');
  raw.exec('PRAGMA synchronous = NORMAL');
  raw.exec('PRAGMA foreign_keys = ON');
  raw.exec('PRAGMA busy_timeout = 5000');
  if (cacheMb !== undefined) raw.exec(`PRAGMA cache_size = -${Math.round(cacheMb * 1024)}`);
  if (filename !== ':memory:') raw.exec('PRAGMA wal_autocheckpoint = 0');
  // When the WAL starts again, a file grown past twice the checkpointer's restart size is cut back to
  // it instead of keeping its largest size for good. Not to less: cutting a file costs the commit
  // that restarts the WAL tens of milliseconds on this file system (docs/benchmarks.md).
  raw.exec(`PRAGMA journal_size_limit = ${2 * DEFAULT_WAL_RESTART_MB * 1024 * 1024}`);
  return raw;
}

/** Kysely over Node's built-in `node:sqlite` (no native addon to compile). */
export function nodeSqliteDialect(
  filename: string,
  options: SqliteOptions = {},
): { dialect: SqliteDialect; direct: SqliteDirect; /** Stops the background checkpoints: before closing, so the closing checkpoint has the WAL to itself. */ stopCheckpoints(): Promise<void> } {
  const checkpoints = options.checkpoints ?? true;
  const raw = openSqlite(filename, options.cacheMb);
  const checkpointer = checkpoints && filename !== ':memory:' ? startCheckpointer(filename, options.lock ?? null, { ...(options.walRestartMb !== undefined && { restartMb: options.walRestartMb }) }) : null;
  const config = { database: new CachedStatements(raw, checkpoints, () => void checkpointer?.stop()) };
  const queue = new ConnectionQueue();
  const lock = options.lock ?? null;
  const direct: SqliteDirect = {
    async exclusive(fn) {
      await queue.acquire();
      try {
        await lock?.acquire();
        try {
          return fn(raw);
        } finally {
          lock?.release();
        }
      } finally {
        queue.release();
      }
    },
  };
  return { dialect: new QueuedSqliteDialect(config, queue, lock), direct, stopCheckpoints: async () => checkpointer?.stop() };
}

class QueuedSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #queue: ConnectionQueue;
  readonly #lock: WriterLock | null;

  constructor(config: SqliteDialectConfig, queue: ConnectionQueue, lock: WriterLock | null) {
    super(config);
    this.#config = config;
    this.#queue = queue;
    this.#lock = lock;
  }

  override createDriver(): Driver {
    return new QueuedSqliteDriver(this.#config, this.#queue, this.#lock);
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

/**
 * With a writer lock (a second thread writes to the file): a transaction holds it from begin to end,
 * a statement outside one that may write holds it while it runs, and a read outside one needs none
 * (WAL: readers never wait for the writer).
 */
class QueuedSqliteDriver extends SqliteDriver {
  readonly #queue: ConnectionQueue;
  readonly #lock: WriterLock | null;
  #inTransaction = false;

  constructor(config: SqliteDialectConfig, queue: ConnectionQueue, lock: WriterLock | null) {
    super(config);
    this.#queue = queue;
    this.#lock = lock;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.#queue.acquire();
    const connection = await super.acquireConnection();
    const lock = this.#lock;
    if (!lock) return connection;
    return {
      executeQuery: async (query) => {
        if (this.#inTransaction || SelectQueryNode.is(query.query)) return connection.executeQuery(query);
        await lock.acquire();
        try {
          return await connection.executeQuery(query);
        } finally {
          lock.release();
        }
      },
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
      [UNLOCKED]: connection,
    } as DatabaseConnection;
  }

  override async releaseConnection(): Promise<void> {
    this.#queue.release();
  }

  // IMMEDIATE takes the write lock up front: with another process on the same file (the CLI), a
  // transaction waits for it (busy_timeout) instead of failing half way with SQLITE_BUSY.
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#lock?.acquire();
    try {
      await unlocked(connection).executeQuery(CompiledQuery.raw('begin immediate'));
      this.#inTransaction = true;
    } catch (error) {
      this.#lock?.release();
      throw error;
    }
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#end(connection, 'commit');
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#end(connection, 'rollback');
  }

  async #end(connection: DatabaseConnection, how: 'commit' | 'rollback'): Promise<void> {
    try {
      await unlocked(connection).executeQuery(CompiledQuery.raw(how));
    } finally {
      if (this.#inTransaction) {
        this.#inTransaction = false;
        this.#lock?.release();
      }
    }
  }
}

const UNLOCKED = Symbol('unlocked');
const unlocked = (connection: DatabaseConnection): DatabaseConnection => (connection as { [UNLOCKED]?: DatabaseConnection })[UNLOCKED] ?? connection;

/** Adapts node:sqlite to the better-sqlite3-shaped interface Kysely expects, reusing statements. */
class CachedStatements implements SqliteDatabase {
  #db: DatabaseSync;
  #cache = new Map<string, SqliteStatement>();
  readonly #checkpoints: boolean;
  #onClose: () => void;

  constructor(db: DatabaseSync, checkpoints: boolean, onClose: () => void) {
    this.#db = db;
    this.#checkpoints = checkpoints;
    this.#onClose = onClose;
  }

  close(): void {
    this.#cache.clear();
    this.#onClose();
    if (!this.#db.isOpen) return;
    if (!this.#checkpoints) return this.#db.close();
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
  const names = statement.columns().map((c) => c.name);
  const toRow = rowMaker(names);
  statement.setReturnArrays(true);
  return {
    reader: names.length > 0,
    all: (parameters) => (statement.all(...bind(parameters)) as unknown as unknown[][]).map(toRow),
    run: (parameters) => statement.run(...bind(parameters)),
    *iterate(parameters) {
      for (const values of statement.iterate(...bind(parameters)) as unknown as Iterable<unknown[]>) yield toRow(values);
    },
  };
}

/**
 * Rows as plain objects of one shape per statement. node:sqlite builds each row object property by
 * property on a null prototype, which V8 keeps in dictionary mode: making and reading them cost
 * about 3× what an object literal does (a page of 51 conversations: ~250 µs against ~80 µs). So
 * statements return arrays and one literal, compiled once per statement from its column names,
 * makes each row (a repeated name keeps the last value, as node:sqlite does).
 */
function rowMaker(names: readonly string[]): (values: readonly unknown[]) => Record<string, unknown> {
  // A computed key for "__proto__", which a literal would take for the prototype.
  const key = (name: string) => (name === '__proto__' ? `[${JSON.stringify(name)}]` : JSON.stringify(name));
  const body = `return {${names.map((name, i) => `${key(name)}: v[${i}]`).join(', ')}};`;
  return new Function('v', body) as (values: readonly unknown[]) => Record<string, unknown>;
}

function toBindable(value: unknown): Bindable {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value as Bindable;
}
