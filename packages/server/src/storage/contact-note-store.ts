import type { Kysely } from 'kysely';
import type { ContactStore, NoteRecord } from '../domain/contacts/ports.ts';
import type { Database } from './schema.ts';

/** Staff notes on a contact: one shop's alone, never shown to the customer or another shop. */
export function contactNotes(db: Kysely<Database>): Pick<ContactStore, 'notes' | 'findNote' | 'addNote' | 'updateNote' | 'deleteNote'> {
  const select = (shopId: string, customerId: string) =>
    db
      .selectFrom('contact_notes as n')
      .leftJoin('staff as s', 's.id', 'n.author_id')
      .select(['n.id', 'n.shop_id', 'n.customer_id', 'n.author_id', 's.name as author_name', 'n.text', 'n.created_at', 'n.updated_at'])
      .where('n.shop_id', '=', shopId)
      .where('n.customer_id', '=', customerId);
  const toNote = (row: Awaited<ReturnType<ReturnType<typeof select>['execute']>>[number]): NoteRecord => ({
    id: row.id,
    shopId: row.shop_id,
    customerId: row.customer_id,
    authorId: row.author_id,
    authorName: row.author_name ?? '',
    text: row.text,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  });
  return {
    async notes(shopId, customerId) {
      const rows = await select(shopId, customerId).orderBy('n.created_at', 'desc').orderBy('n.id', 'desc').execute();
      return rows.map(toNote);
    },
    async findNote(shopId, customerId, noteId) {
      const row = await select(shopId, customerId).where('n.id', '=', noteId).executeTakeFirst();
      return row && toNote(row);
    },
    async addNote(note) {
      await db
        .insertInto('contact_notes')
        .values({ id: note.id, shop_id: note.shopId, customer_id: note.customerId, author_id: note.authorId, text: note.text, created_at: note.createdAt, updated_at: note.updatedAt })
        .execute();
    },
    async updateNote(shopId, noteId, text, now) {
      await db.updateTable('contact_notes').set({ text, updated_at: now }).where('shop_id', '=', shopId).where('id', '=', noteId).execute();
    },
    async deleteNote(shopId, noteId) {
      await db.deleteFrom('contact_notes').where('shop_id', '=', shopId).where('id', '=', noteId).execute();
    },
  };
}
