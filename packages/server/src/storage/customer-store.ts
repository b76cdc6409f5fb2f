import type { Kysely } from 'kysely';
import type { CustomerStore } from '../domain/ports.ts';
import { toCustomer } from './rows.ts';
import type { Database } from './schema.ts';

export function customerStore(db: Kysely<Database>): CustomerStore {
  return {
    async upsert(customer, now) {
      await db
        .insertInto('customers')
        .values({
          id: customer.id,
          shop_id: customer.shopId,
          kind: customer.kind,
          identity_key: customer.identityKey,
          external_id: customer.externalId,
          name: customer.name,
          email: customer.email,
          visitor_token_hash: customer.visitorTokenHash,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('identity_key').doNothing())
        .execute();
      const row = await db
        .selectFrom('customers')
        .selectAll()
        .where('identity_key', '=', customer.identityKey)
        .executeTakeFirstOrThrow();
      return toCustomer(row);
    },
    async findByVisitorToken(shopId, tokenHash) {
      const row = await db
        .selectFrom('customers')
        .selectAll()
        .where('visitor_token_hash', '=', tokenHash)
        .where('shop_id', '=', shopId)
        .executeTakeFirst();
      return row && toCustomer(row);
    },
    async find(id) {
      const row = await db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toCustomer(row);
    },
    async updateProfile(id, profile, now) {
      await db
        .updateTable('customers')
        .set({
          ...(profile.name !== undefined && { name: profile.name }),
          ...(profile.email !== undefined && { email: profile.email }),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
    },
  };
}
