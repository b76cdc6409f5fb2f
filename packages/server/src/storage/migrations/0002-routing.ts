import type { Kysely } from 'kysely';

// Routing (docs/routing.md): who is online, how loaded, and what the queue holds.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per staff member who ever connected: their presence and their open inquiries, the
  // counter every assignment moves with a conditional update (capacity holds on every node).
  await db.schema
    .createTable('agents')
    .addColumn('staff_id', 'text', (c) => c.primaryKey().references('staff.id'))
    .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
    .addColumn('presence', 'text', (c) => c.notNull())
    .addColumn('open_inquiries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_assigned_at', 'bigint')
    // Set when the last device went away: still online until then (the grace period).
    .addColumn('offline_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agents_shop').on('agents').columns(['shop_id', 'presence']).execute();

  // The connected devices (sockets) of staff, on every node; refreshed by their node.
  await db.schema
    .createTable('agent_devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('away', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agent_devices_staff').on('agent_devices').columns(['staff_id']).execute();
  await db.schema.createIndex('agent_devices_seen').on('agent_devices').columns(['seen_at']).execute();

  // The agent an inquiry must not go back to (auto-reassign after no answer).
  await db.schema.alterTable('inquiries').addColumn('skip_agent_id', 'text').execute();
  // The queue, oldest first; an agent's open inquiries; statistics by agent and time.
  await db.schema.createIndex('inquiries_queue').on('inquiries').columns(['shop_id', 'status', 'created_at', 'id']).execute();
  await db.schema.createIndex('inquiries_assignee').on('inquiries').columns(['assignee_id', 'status', 'assigned_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('inquiries_assignee').execute();
  await db.schema.dropIndex('inquiries_queue').execute();
  await db.schema.alterTable('inquiries').dropColumn('skip_agent_id').execute();
  await db.schema.dropTable('agent_devices').execute();
  await db.schema.dropTable('agents').execute();
}
