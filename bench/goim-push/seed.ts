/**
 * Seeds the goim push bench's database before the server starts: one shop, `count` identified
 * customers (external ids 1…count, goim's mids) with a session each, written straight into the
 * tables; customers have no presence, so 10,000 of them coming online sends nothing to anyone.
 */
import { createDomain, openConfiguredStorage } from '../../packages/server/src/app.ts';
import type { Config } from '../../packages/server/src/config/config.ts';
import { newId } from '../../packages/server/src/domain/ids.ts';
import { newToken, tokenHash } from '../../packages/server/src/domain/secrets.ts';
import { migrateToLatest } from '../../packages/server/src/storage/migrate.ts';
import { createStore } from '../../packages/server/src/storage/store.ts';

const CHUNK = 500;

export async function seedCustomers(config: Config, count: number): Promise<{ shopId: string; ownerToken: string; tokens: string[] }> {
  const storage = openConfiguredStorage(config);
  try {
    await migrateToLatest(storage);
    const services = createDomain(config, createStore(storage.db, storage.engine, storage.sqlite));
    const shop = await services.shops.create('goim push bench');
    const owner = await services.staff.createInShop(shop.id, { email: 'owner@bench.test', name: 'Owner', role: 'owner', password: 'bench password, long enough' });
    const ownerToken = newToken('fds');
    const now = Date.now();
    await storage.db.insertInto('sessions').values({ token_hash: tokenHash(ownerToken), user_kind: 'staff', user_id: owner.staff.id, shop_id: shop.id, created_at: now, expires_at: now + 86_400_000 }).execute();
    const ids = Array.from({ length: count }, () => newId());
    const tokens = ids.map(() => newToken('fdc'));
    for (let i = 0; i < count; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      await storage.db
        .insertInto('customers')
        .values(chunk.map((id, j) => ({ id, shop_id: shop.id, kind: 'shop', identity_key: `s:${shop.id}:${i + j + 1}`, external_id: String(i + j + 1), name: null, email: null, visitor_token_hash: null, attributes: null, created_at: now, updated_at: now })))
        .execute();
      await storage.db
        .insertInto('sessions')
        .values(chunk.map((id, j) => ({ token_hash: tokenHash(tokens[i + j]!), user_kind: 'customer', user_id: id, shop_id: shop.id, created_at: now, expires_at: now + 86_400_000 })))
        .execute();
    }
    return { shopId: shop.id, ownerToken, tokens };
  } finally {
    await storage.close();
  }
}
