import { sql, type Kysely } from 'kysely';

/**
 * Campaigns (docs/campaigns.md): one message to many customers. A one-off campaign's audience is
 * fixed when it starts, as one recipient row per customer; the row's key (campaign, customer) is
 * the idempotency key of its delivery, and the message's (conversation, sender, client_msg_id =
 * `campaign:<id>`) a second one. One node at a time sends a campaign: it holds the lease
 * (lease_owner until lease_until), taken and renewed by conditional updates.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sender_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    /** JSON (protocol CampaignAudienceSchema); one-off campaigns. */
    .addColumn('audience', 'text')
    /** JSON (protocol OngoingTriggerSchema); ongoing campaigns. */
    .addColumn('trigger', 'text')
    .addColumn('throttle_per_second', 'integer')
    .addColumn('scheduled_at', 'bigint')
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    /** When campaign.progressed was last recorded (the webhook is throttled to about one a second). */
    .addColumn('progressed_at', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('campaigns_shop_created').on('campaigns').columns(['shop_id', 'created_at', 'id']).execute();
  // The sender's question: which campaigns are running or due.
  await db.schema.createIndex('campaigns_status').on('campaigns').columns(['status', 'scheduled_at']).execute();

  await db.schema
    .createTable('campaign_recipients')
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    /** pending, sent, failed, skipped (opted out before their turn). */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text')
    .addColumn('message_id', 'text')
    .addColumn('error', 'text')
    .addColumn('sent_at', 'bigint')
    .addPrimaryKeyConstraint('campaign_recipients_pk', ['campaign_id', 'customer_id'])
    .execute();
  // The sender's batches: pending ones in key order. Partial, so marking one sent only drops its entry.
  await db.schema
    .createIndex('campaign_recipients_pending')
    .on('campaign_recipients')
    .columns(['campaign_id', 'customer_id'])
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
}
