import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * SQLite: the outbox as one B-tree keyed by its id (WITHOUT ROWID) instead of a table and an index
 * on its text key, so that the row the send path writes for a subscribed message costs one insert,
 * not two (bench/webhooks). PostgreSQL keeps its table as it is.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await sql`CREATE TABLE outbox_compact (
    id TEXT PRIMARY KEY NOT NULL, shop_id TEXT NOT NULL, type TEXT NOT NULL, subject_id TEXT NOT NULL, data TEXT, created_at BIGINT NOT NULL
  ) WITHOUT ROWID`.execute(db);
  await sql`INSERT INTO outbox_compact SELECT id, shop_id, type, subject_id, data, created_at FROM outbox`.execute(db);
  await sql`DROP TABLE outbox`.execute(db);
  await sql`ALTER TABLE outbox_compact RENAME TO outbox`.execute(db);
}

export async function down(): Promise<void> {
  // The layout only; nothing to undo that a migration down would need.
}
