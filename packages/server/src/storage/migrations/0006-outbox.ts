import type { Kysely } from 'kysely';

/**
 * The durable outbox (DESIGN.md §9): a fact that a subscriber must not lose (webhooks, outbound
 * channels) is recorded in the same transaction as the fact itself, so a crash between the commit
 * and the delivery loses nothing. Only facts someone subscribed to are recorded: the write is a
 * conditional insert against `webhook_subscriptions`, which holds one row per event type per
 * endpoint that is active (kept by the webhooks module), so a shop without webhooks writes nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_subscriptions_pk', ['endpoint_id', 'event'])
    .execute();
  await db.schema.createIndex('webhook_subscriptions_shop_event').on('webhook_subscriptions').columns(['shop_id', 'event']).execute();

  await db.schema
    .createTable('outbox')
    // UUIDv7: ids order the outbox by time.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    /** What the event is about (a message, a conversation, a staff member…): its payload is read from it. */
    .addColumn('subject_id', 'text', (c) => c.notNull())
    /** What the subject no longer tells (an inquiry's move), as JSON; null when the subject says it all. */
    .addColumn('data', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox').execute();
  await db.schema.dropTable('webhook_subscriptions').execute();
}
