import type { Kysely } from 'kysely';

/**
 * When a WeChat fan unfollowed the shop's official account (the `unsubscribe` event): WeChat
 * delivers nothing to them until they follow again (43004), which the console says instead of
 * letting agents write into the void. Null while they follow.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('channel_cursors').addColumn('unfollowed_at', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('channel_cursors').dropColumn('unfollowed_at').execute();
}
