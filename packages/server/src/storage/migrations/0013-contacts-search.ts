import { sql, type Kysely } from 'kysely';

/**
 * The contact list's "last seen" order (storage/contact-store.ts): a contact never seen (imported)
 * counts as seen at 0, so the sort key is never null and one keyset works on both engines, whose
 * NULL orders differ. This index walks a shop's contacts in that order without sorting them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index contacts_shop_seen_key on contacts (shop_id, (coalesce(last_seen_at, 0)), customer_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('contacts_shop_seen_key').execute();
}
