import type { Kysely } from 'kysely';

/**
 * Staff sync without a shop-wide row (docs/protocol.md, "Sync"). A message's place in its shop's
 * stream was a counter on the shop row, locked by every send of the shop: one frozen node held it
 * for every node, and it capped a busy shop at what one row lock allows. The place is now
 * (stream_tx, stream_pos): the writing transaction (PostgreSQL's transaction id; on SQLite, whose
 * writers take turns, the shop's last one plus one) and the message's rank inside it. Rows written
 * before keep stream_tx 0 and their old positions, so old places still order before new ones.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('stream_tx', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.dropIndex('messages_shop_stream').execute();
  // Staff sync: "every message of my shop after place P", one range scan.
  await db.schema.createIndex('messages_shop_stream_tx').on('messages').columns(['shop_id', 'stream_tx', 'stream_pos']).execute();
  await db.schema.alterTable('shops').dropColumn('stream_pos').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('shops').addColumn('stream_pos', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.dropIndex('messages_shop_stream_tx').execute();
  await db.schema.createIndex('messages_shop_stream').on('messages').columns(['shop_id', 'stream_pos']).execute();
  await db.schema.alterTable('messages').dropColumn('stream_tx').execute();
}
