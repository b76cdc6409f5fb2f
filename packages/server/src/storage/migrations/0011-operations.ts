import { sql, type Kysely } from 'kysely';

/**
 * The operations dashboard and alerts (docs/monitoring.md):
 * - messages by (shop, time): a shop's messages per minute and today are index range scans over
 *   that period, never a scan of the shop's whole history;
 * - queued inquiries by age over every shop, for the queue-wait alert (a partial index: it holds
 *   only the inquiries waiting now);
 * - the history of the alert rules' changes (fired, resolved).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('messages_shop_created').on('messages').columns(['shop_id', 'created_at']).execute();
  await db.schema.createIndex('inquiries_waiting').on('inquiries').column('created_at').where(sql.ref('status'), '=', 'queued').execute();
  await db.schema
    .createTable('alert_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('threshold', 'double precision', (c) => c.notNull())
    .addColumn('node', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_events_at').on('alert_events').columns(['at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('alert_events').execute();
  await db.schema.dropIndex('inquiries_waiting').execute();
  await db.schema.dropIndex('messages_shop_created').execute();
}
