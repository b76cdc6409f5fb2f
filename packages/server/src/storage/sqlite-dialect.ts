import { DatabaseSync, type StatementSync } from 'node:sqlite';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
} from 'kysely';

/**
 * Kysely over Node's built-in `node:sqlite` (no native addon to compile). Kysely serialises use of
 * the single connection itself (its adapter says it has one); we only adapt the driver's API and
 * start transactions IMMEDIATE.
 */
export function nodeSqliteDialect(filename: string): { dialect: SqliteDialect; raw: DatabaseSync } {
  const raw = new DatabaseSync(filename);
  raw.exec('PRAGMA journal_mode = WAL');
  raw.exec('PRAGMA synchronous = NORMAL');
  raw.exec('PRAGMA foreign_keys = ON');
  raw.exec('PRAGMA busy_timeout = 5000');
  const config = { database: new CachedStatements(raw) };
  return { dialect: new ImmediateSqliteDialect(config), raw };
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
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

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  close(): void {
    this.#cache.clear();
    if (this.#db.isOpen) this.#db.close();
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
