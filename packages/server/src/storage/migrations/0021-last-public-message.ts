import { sql, type Kysely } from 'kysely';

/**
 * The seq of a conversation's last public message: what a customer's `lastSeq` is. The preview
 * (`last_message_*`) stopped following system lines in issue 22, so it can no longer say how far the
 * customer's side of a conversation goes ("Agent closed the conversation." is public and has a seq).
 * Filled from each conversation's newest public message, walking its (conversation_id, seq) index
 * backwards.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('last_public_message_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update conversations set last_public_message_seq = coalesce((
      select m.seq from messages m
      where m.conversation_id = conversations.id and m.visibility = 'public'
      order by m.seq desc limit 1
    ), 0)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('last_public_message_seq').execute();
}
