import type { Kysely } from 'kysely';

/**
 * Working the inbox (issue 22, docs/console.md):
 * - conversations.priority: 0 none, 1 low, 2 medium, 3 high, 4 urgent (a number, so the inbox sorts by it);
 * - conversations.snoozed_until: the conversation is out of the open lists until then (or until its
 *   customer writes); the index serves the wake-up job's "due" query and the Snoozed view.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('conversations').addColumn('snoozed_until', 'bigint').execute();
  await db.schema.createIndex('conversations_snoozed').on('conversations').columns(['snoozed_until', 'shop_id']).execute();
}
