/**
 * Seeds the staff-chat bench's database before the server starts: shops with thousands of staff
 * and a signed-in session each, written straight into the tables. `staff create` would hash a
 * password per person with scrypt (minutes for 10,000); nobody logs in here, every client holds a
 * session token made the way the server makes them (domain/secrets.ts).
 */
import { createDomain, openConfiguredStorage } from '../../packages/server/src/app.ts';
import type { Config } from '../../packages/server/src/config/config.ts';
import { newId } from '../../packages/server/src/domain/ids.ts';
import { newToken, tokenHash } from '../../packages/server/src/domain/secrets.ts';
import { migrateToLatest } from '../../packages/server/src/storage/migrate.ts';
import { createStore } from '../../packages/server/src/storage/store.ts';

export interface SeededShop {
  readonly shopId: string;
  /** Staff ids in creation order; the first is the shop's owner. */
  readonly staffIds: string[];
  /** Each staff member's session token, same order. */
  readonly tokens: string[];
  /** The group of the first `groupSize` staff, if asked. */
  readonly groupId: string | null;
}

const CHUNK = 500;

export async function seed(config: Config, shops: ReadonlyArray<{ staff: number; groupSize?: number }>): Promise<SeededShop[]> {
  const storage = openConfiguredStorage(config);
  try {
    await migrateToLatest(storage);
    const store = createStore(storage.db, storage.engine, storage.sqlite);
    const services = createDomain(config, store);
    const out: SeededShop[] = [];
    const now = Date.now();
    for (const [s, wanted] of shops.entries()) {
      const shop = await services.shops.create(`Staff chat bench ${s}`);
      const staffIds = Array.from({ length: wanted.staff }, () => newId());
      const tokens = staffIds.map(() => newToken('fds'));
      for (let i = 0; i < staffIds.length; i += CHUNK) {
        const ids = staffIds.slice(i, i + CHUNK);
        await storage.db
          .insertInto('staff')
          .values(
            ids.map((id, j) => ({
              id,
              shop_id: shop.id,
              email: `bench-${s}-${i + j}-${id.slice(-6)}@bench.test`,
              name: `Colleague ${i + j}`,
              role: i + j === 0 ? 'owner' : 'agent',
              password_hash: 'bench: no password',
              capacity: null,
              disabled_at: null,
              created_at: now,
              updated_at: now,
            })),
          )
          .execute();
        await storage.db
          .insertInto('sessions')
          .values(ids.map((id, j) => ({ token_hash: tokenHash(tokens[i + j]!), user_kind: 'staff', user_id: id, shop_id: shop.id, created_at: now, expires_at: now + 86_400_000 })))
          .execute();
      }
      let groupId: string | null = null;
      if (wanted.groupSize !== undefined) {
        groupId = newId();
        const [ownerId, ...memberIds] = staffIds.slice(0, wanted.groupSize);
        await store.staffChat.createGroup({ id: groupId, shopId: shop.id, title: 'Everyone on shift', ownerId: ownerId!, memberIds }, now);
      }
      out.push({ shopId: shop.id, staffIds, tokens, groupId });
    }
    return out;
  } finally {
    await storage.close();
  }
}
