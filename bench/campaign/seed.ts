/**
 * Seeds the campaign bench's database before the server starts, straight into the tables: a shop
 * with an owner and agents (session tokens made as the server makes them, domain/secrets.ts), its
 * contacts (customers identified by the shop), customer sessions for those who will be online, and
 * `pairs` customers with a service conversation for the live-chat phase.
 */
import { createDomain, openConfiguredStorage } from '../../packages/server/src/app.ts';
import type { Config } from '../../packages/server/src/config/config.ts';
import { newId } from '../../packages/server/src/domain/ids.ts';
import { newToken, tokenHash } from '../../packages/server/src/domain/secrets.ts';
import { migrateToLatest } from '../../packages/server/src/storage/migrate.ts';
import { createStore } from '../../packages/server/src/storage/store.ts';

export interface SeededShop {
  readonly shopId: string;
  readonly ownerId: string;
  readonly ownerToken: string;
  /** Customers with a session each: the first `online` contacts. */
  readonly onlineTokens: string[];
  /** Live chat: customer token, agent token, their conversation. */
  readonly pairs: Array<{ customerToken: string; agentToken: string; conversationId: string }>;
}

const CHUNK = 500;

export async function seed(config: Config, shops: ReadonlyArray<{ contacts: number; online: number; pairs: number }>): Promise<SeededShop[]> {
  const storage = openConfiguredStorage(config);
  try {
    await migrateToLatest(storage);
    const store = createStore(storage.db, storage.engine, storage.sqlite);
    const services = createDomain(config, store);
    const now = Date.now();
    const session = (userKind: 'staff' | 'customer', userId: string, shopId: string) => {
      const token = newToken(userKind === 'staff' ? 'fds' : 'fdc');
      return { token, row: { token_hash: tokenHash(token), user_kind: userKind, user_id: userId, shop_id: shopId, created_at: now, expires_at: now + 86_400_000 } };
    };
    const out: SeededShop[] = [];
    for (const [s, wanted] of shops.entries()) {
      const shop = await services.shops.create(`Campaign bench ${s}`);
      const staff = Array.from({ length: 1 + wanted.pairs }, (_, i) => ({ id: newId(), role: i === 0 ? 'owner' : 'agent' }));
      await storage.db
        .insertInto('staff')
        .values(staff.map((m, i) => ({ id: m.id, shop_id: shop.id, email: `bench-${s}-${i}-${m.id.slice(-6)}@bench.test`, name: `Staff ${i}`, role: m.role, password_hash: 'bench: no password', capacity: null, disabled_at: null, created_at: now, updated_at: now })))
        .execute();
      const staffSessions = staff.map((m) => session('staff', m.id, shop.id));
      await storage.db.insertInto('sessions').values(staffSessions.map((x) => x.row)).execute();

      const customers = Array.from({ length: wanted.contacts + wanted.pairs }, () => newId());
      for (let i = 0; i < customers.length; i += CHUNK) {
        const ids = customers.slice(i, i + CHUNK);
        await storage.db
          .insertInto('customers')
          .values(ids.map((id, j) => ({ id, shop_id: shop.id, kind: 'shop', identity_key: `s:${shop.id}:c-${i + j}`, external_id: `c-${i + j}`, name: `Customer ${i + j}`, email: null, visitor_token_hash: null, attributes: null, created_at: now, updated_at: now })))
          .execute();
      }
      // The campaign's audience: the first `contacts` customers; the live-chat pairs are not among them.
      for (let i = 0; i < wanted.contacts; i += CHUNK) {
        const ids = customers.slice(i, Math.min(i + CHUNK, wanted.contacts));
        await storage.db.insertInto('contacts').values(ids.map((id) => ({ shop_id: shop.id, customer_id: id, last_seen_at: null, opted_out_at: null, created_at: now, updated_at: now }))).execute();
      }
      const online = customers.slice(0, wanted.online).map((id) => session('customer', id, shop.id));
      for (let i = 0; i < online.length; i += CHUNK) await storage.db.insertInto('sessions').values(online.slice(i, i + CHUNK).map((x) => x.row)).execute();
      const pairs = [];
      for (let p = 0; p < wanted.pairs; p++) {
        const customerId = customers[wanted.contacts + p]!;
        const conversation = await store.conversations.ensureService(shop.id, customerId, newId(), now);
        const customer = session('customer', customerId, shop.id);
        await storage.db.insertInto('sessions').values(customer.row).execute();
        pairs.push({ customerToken: customer.token, agentToken: staffSessions[1 + p]!.token, conversationId: conversation.id });
      }
      out.push({ shopId: shop.id, ownerId: staff[0]!.id, ownerToken: staffSessions[0]!.token, onlineTokens: online.map((x) => x.token), pairs });
    }
    return out;
  } finally {
    await storage.close();
  }
}
