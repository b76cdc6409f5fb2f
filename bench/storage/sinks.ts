/** Where the fill's rows go: a raw node:sqlite connection (fast) or Kysely (either engine). */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { ControlledTransaction, Kysely } from 'kysely';
import type { Database } from '../../packages/server/src/storage/schema.ts';

export type Value = string | number | null;
export type Row = Value[];

export interface Sink {
  begin(): Promise<void>;
  commit(): Promise<void>;
  insert(table: string, columns: readonly string[], rows: readonly Row[]): Promise<void>;
  update(table: string, keyColumn: string, key: string, columns: readonly string[], values: Row): Promise<void>;
}

/** A second connection to the SQLite file, with durability off: the fill is throwaway data. */
export function rawSqliteSink(file: string): Sink & { close(): void } {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = OFF');
  db.exec('PRAGMA cache_size = -524288'); // 512 MiB: the unique indexes take random inserts
  db.exec('PRAGMA temp_store = MEMORY');
  db.exec('PRAGMA foreign_keys = ON');
  const statements = new Map<string, StatementSync>();
  return {
    async begin() {
      db.exec('BEGIN');
    },
    async commit() {
      db.exec('COMMIT');
    },
    async insert(table, columns, rows) {
      if (rows.length === 0) return;
      const key = `${table}:${rows.length}`;
      let statement = statements.get(key);
      if (statement === undefined) {
        const tuple = `(${columns.map(() => '?').join(',')})`;
        statement = db.prepare(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${rows.map(() => tuple).join(',')}`);
        statements.set(key, statement);
      }
      statement.run(...rows.flat());
    },
    async update(table, keyColumn, key, columns, values) {
      const sqlKey = `update:${table}:${columns.join(',')}`;
      let statement = statements.get(sqlKey);
      if (statement === undefined) {
        statement = db.prepare(`UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE ${keyColumn} = ?`);
        statements.set(sqlKey, statement);
      }
      statement.run(...values, key);
    },
    close() {
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

/** Through Kysely, as the application writes: works on both engines. */
export function kyselySink(database: Kysely<Database>): Sink {
  const db = database as unknown as Kysely<any>;
  let trx: ControlledTransaction<any> | null = null;
  const q = (): Kysely<any> => trx ?? db;
  return {
    async begin() {
      trx = await db.startTransaction().execute();
    },
    async commit() {
      await trx?.commit().execute();
      trx = null;
    },
    async insert(table, columns, rows) {
      if (rows.length === 0) return;
      const objects = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
      await q().insertInto(table).values(objects).execute();
    },
    async update(table, keyColumn, key, columns, values) {
      const set = Object.fromEntries(columns.map((c, i) => [c, values[i]]));
      await q().updateTable(table).set(set).where(keyColumn, '=', key).execute();
    },
  };
}

/** Collects rows into multi-row INSERTs. */
export class Batch {
  readonly #sink: Sink;
  readonly #table: string;
  readonly #columns: readonly string[];
  readonly #size: number;
  #rows: Row[] = [];
  written = 0;

  constructor(sink: Sink, table: string, columns: readonly string[], size: number) {
    this.#sink = sink;
    this.#table = table;
    this.#columns = columns;
    this.#size = size;
  }

  async add(row: Row): Promise<void> {
    this.#rows.push(row);
    if (this.#rows.length >= this.#size) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#rows.length === 0) return;
    const rows = this.#rows;
    this.#rows = [];
    await this.#sink.insert(this.#table, this.#columns, rows);
    this.written += rows.length;
  }
}
