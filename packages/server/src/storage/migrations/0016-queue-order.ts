import { sql, type Kysely } from 'kysely';

/**
 * The queue in the order inquiries (last) entered it (issue 22: a waiting customer's position only
 * goes down as those ahead are served): `queued_at` is the opening time for a new inquiry and the
 * time of the move for one handed back, so a hand-back joins the end instead of jumping ahead of
 * everyone who was waiting. Existing inquiries entered when they were opened.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('inquiries').addColumn('queued_at', 'bigint').execute();
  await db.updateTable('inquiries').set({ queued_at: sql`created_at` }).execute();
  await db.schema.createIndex('inquiries_queue_order').on('inquiries').columns(['shop_id', 'status', 'queued_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('inquiries_queue_order').execute();
  await db.schema.alterTable('inquiries').dropColumn('queued_at').execute();
}
