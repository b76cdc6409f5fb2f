import type { Kysely } from 'kysely';
import type { ShopStore } from '../domain/ports.ts';
import { toShop, toShopSettings } from './rows.ts';
import type { Database } from './schema.ts';

export function shopStore(db: Kysely<Database>): ShopStore {
  return {
    async create(shop) {
      await db
        .insertInto('shops')
        .values({
          id: shop.id,
          name: shop.name,
          identity_secret: shop.identitySecret,
          settings: JSON.stringify(shop.settings),
          created_at: shop.createdAt,
          updated_at: shop.createdAt,
        })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom('shops').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toShop(row);
    },
    async update(id, patch, now) {
      await db
        .updateTable('shops')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.settings !== undefined && { settings: JSON.stringify(patch.settings) }),
          ...(patch.identitySecret !== undefined && { identity_secret: patch.identitySecret }),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
    },
    async widgetOrigins() {
      const rows = await db.selectFrom('shops').select('settings').execute();
      const origins = new Set<string>();
      for (const row of rows) for (const origin of toShopSettings(row.settings).widgetOrigins) origins.add(origin);
      return [...origins];
    },
    async firstId() {
      const row = await db.selectFrom('shops').select('id').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
      return row?.id;
    },
    async count() {
      const row = await db.selectFrom('shops').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
