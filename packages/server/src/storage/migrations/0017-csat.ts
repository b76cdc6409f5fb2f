import type { Kysely } from 'kysely';

/**
 * Customer satisfaction (docs/api.md#customer-satisfaction-csat): one rating per closed inquiry,
 * with the agent who held it at the close, so statistics count it per agent without a join that
 * the inquiry's later life could change.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('csat_ratings')
    .addColumn('inquiry_id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('submitted_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // Statistics read a shop's ratings of a range, newest first.
  await db.schema.createIndex('csat_ratings_shop_time').on('csat_ratings').columns(['shop_id', 'submitted_at']).execute();
}

