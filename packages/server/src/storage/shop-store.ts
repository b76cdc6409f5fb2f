import type { Kysely } from 'kysely';
import type { ShopStore } from '../domain/ports.ts';
import type { ShopRecord } from '../domain/records.ts';
import { toShop, toShopSettings } from './rows.ts';
import type { Database } from './schema.ts';

/** A backstop only: a change clears the copy on every node that hears of it (ShopStore.findCached). */
const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;

export function shopStore(db: Kysely<Database>, clock: () => number = Date.now): ShopStore {
  const cache = new Map<string, { at: number; shop: Promise<ShopRecord | undefined> }>();
  const find = async (id: string) => {
    const row = await db.selectFrom('shops').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toShop(row);
  };
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
    find,
    findCached(id) {
      const hit = cache.get(id);
      if (hit !== undefined && clock() - hit.at < CACHE_MS) return hit.shop;
      if (hit === undefined && cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
      const shop = find(id);
      cache.set(id, { at: clock(), shop });
      shop.catch(() => cache.delete(id));
      return shop;
    },
    forget(id) {
      cache.delete(id);
    },
    async update(id, patch, now) {
      cache.delete(id);
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
      cache.delete(id);
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
