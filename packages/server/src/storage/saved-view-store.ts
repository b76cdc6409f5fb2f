import type { Kysely } from 'kysely';
import type { SavedViewRecord, SavedViewStore } from '../domain/contacts/ports.ts';
import type { Database } from './schema.ts';

const toView = (row: { id: string; shop_id: string; staff_id: string; name: string; filters: string; created_at: number }): SavedViewRecord => ({
  id: row.id,
  shopId: row.shop_id,
  staffId: row.staff_id,
  name: row.name,
  filters: JSON.parse(row.filters),
  createdAt: Number(row.created_at),
});

/** An agent's saved inbox filters: every statement names the staff member, so only the owner reaches a view. */
export function savedViewStore(db: Kysely<Database>): SavedViewStore {
  const own = (shopId: string, staffId: string) => db.selectFrom('saved_views').selectAll().where('shop_id', '=', shopId).where('staff_id', '=', staffId);
  return {
    async list(shopId, staffId) {
      return (await own(shopId, staffId).orderBy('created_at').orderBy('id').execute()).map(toView);
    },
    async count(shopId, staffId) {
      const row = await db.selectFrom('saved_views').select((eb) => eb.fn.countAll<number>().as('n')).where('shop_id', '=', shopId).where('staff_id', '=', staffId).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async find(shopId, staffId, id) {
      const row = await own(shopId, staffId).where('id', '=', id).executeTakeFirst();
      return row && toView(row);
    },
    async create(view) {
      await db
        .insertInto('saved_views')
        .values({ id: view.id, shop_id: view.shopId, staff_id: view.staffId, name: view.name, filters: JSON.stringify(view.filters), created_at: view.createdAt, updated_at: view.createdAt })
        .execute();
    },
    async update(shopId, staffId, id, patch, now) {
      const result = await db
        .updateTable('saved_views')
        .set({ ...(patch.name !== undefined && { name: patch.name }), ...(patch.filters !== undefined && { filters: JSON.stringify(patch.filters) }), updated_at: now })
        .where('shop_id', '=', shopId)
        .where('staff_id', '=', staffId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async delete(shopId, staffId, id) {
      const result = await db.deleteFrom('saved_views').where('shop_id', '=', shopId).where('staff_id', '=', staffId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
