import type { Kysely } from 'kysely';

// The agent console (docs/api.md, "The agent console"): canned responses and customer attributes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('canned_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
    .addColumn('shortcut', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // One shortcut per shop, enforced on every node; the list is sorted by shortcut, so this index
  // is also the one the listing reads.
  await db.schema.createIndex('canned_responses_shortcut').on('canned_responses').columns(['shop_id', 'shortcut']).unique().execute();

  // What the shop's site tells about the customer (JSON object); null = nothing told.
  await db.schema.alterTable('customers').addColumn('attributes', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('customers').dropColumn('attributes').execute();
  await db.schema.dropTable('canned_responses').execute();
}
