import type { Kysely } from 'kysely';

/**
 * The language a contact's widget spoke when last seen (en or zh-CN): what the shop's e-mails to
 * them are written in (channels/email/compose.ts) and what the console's customer panel shows.
 * Null until a widget says; e-mails are then in English.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('contacts').addColumn('locale', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('contacts').dropColumn('locale').execute();
}
