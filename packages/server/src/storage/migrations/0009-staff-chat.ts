import type { Kysely } from 'kysely';

/**
 * Staff chat (docs/staff-chat.md). Messages gain mentions, a system notice as data and an edit
 * time; a member's mute becomes a time (muted until); broadcasts are stored once (read diffusion)
 * with their targets (the staff and groups listed, never the recipients they reach) and one read
 * row per recipient who read them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  /** JSON array of staff ids or "all"; null when none. */
  await db.schema.alterTable('messages').addColumn('mentions', 'text').execute();
  /** JSON of a staff-chat notice (protocol NoticeSchema); null for other messages. */
  await db.schema.alterTable('messages').addColumn('notice', 'text').execute();
  await db.schema.alterTable('messages').addColumn('edited_at', 'bigint').execute();
  /** Muted until this time (epoch ms); null when not muted. */
  await db.schema.alterTable('members').addColumn('muted_until', 'bigint').execute();

  await db.schema
    .createTable('broadcasts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('sender_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('to_all', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('broadcasts_shop').on('broadcasts').columns(['shop_id', 'created_at']).execute();
  await db.schema
    .createTable('broadcast_targets')
    .addColumn('broadcast_id', 'text', (c) => c.notNull().references('broadcasts.id'))
    /** 'staff' or 'group'. */
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('broadcast_targets_pk', ['broadcast_id', 'target_kind', 'target_id'])
    .execute();
  await db.schema.createIndex('broadcast_targets_target').on('broadcast_targets').columns(['target_id', 'broadcast_id']).execute();
  await db.schema
    .createTable('broadcast_reads')
    .addColumn('broadcast_id', 'text', (c) => c.notNull().references('broadcasts.id'))
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('read_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('broadcast_reads_pk', ['staff_id', 'broadcast_id'])
    .execute();
}
