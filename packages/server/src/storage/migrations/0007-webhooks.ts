import { sql, type Kysely } from 'kysely';

/**
 * Webhooks (docs/webhooks.md): a shop's endpoints and the log of what was sent to them. The outbox
 * (0006) holds facts until the delivery job fans each one out into one delivery per subscribed
 * endpoint; a delivery is retried until it succeeds or its window (`retry_until`) closes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    /** JSON array of event types. */
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('include_internal', 'integer', (c) => c.notNull().defaultTo(0))
    /** AES-256-GCM under the deployment's `webhook-secrets` server key (integrations/webhooks/secret-box.ts). */
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .addColumn('disabled_reason', 'text')
    /**
     * Since when the endpoint has taken nothing: the creation of the oldest event it failed in the
     * current run, but not before its last success; null after a success. Too long a run disables it.
     */
    .addColumn('failing_since', 'bigint')
    .addColumn('succeeded_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_endpoints_shop').on('webhook_endpoints').columns(['shop_id', 'id']).execute();

  await db.schema
    .createTable('webhook_deliveries')
    // UUIDv7, sent as X-Frontdesk-Delivery: the same on every retry.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    /** The outbox row's id: the event's id in the payload. */
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    /** The JSON body, built once at fan-out: every attempt sends the same bytes. */
    .addColumn('payload', 'text', (c) => c.notNull())
    /** 'pending', 'delivered' or 'failed' (given up). */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    /** When the next attempt is due; null once delivered or given up. */
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('retry_until', 'bigint', (c) => c.notNull())
    /** A node sending it holds it until then (a lease: a crashed node's sends are retried after it). */
    .addColumn('locked_until', 'bigint')
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('response_status', 'integer')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  // One delivery per event per endpoint, whatever happens to the fan-out.
  await db.schema.createIndex('webhook_deliveries_event').on('webhook_deliveries').columns(['endpoint_id', 'event_id']).unique().execute();
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .column('next_attempt_at')
    .where(sql.ref('next_attempt_at'), 'is not', null)
    .execute();
  await db.schema.createIndex('webhook_deliveries_log').on('webhook_deliveries').columns(['endpoint_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhook_endpoints').execute();
}
