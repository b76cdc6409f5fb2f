import type { Kysely, Transaction } from 'kysely';
import type { CustomerStore } from '../domain/ports.ts';
import { recordOutbox } from './outbox.ts';
import { toCustomer, toInquiry } from './rows.ts';
import type { Database } from './schema.ts';

/** The unique key of a shop's service conversation with a customer (schema.ts): an index lookup. */
const serviceKey = (shopId: string, customerId: string) => `service:${shopId}:${customerId}`;

/** customer.updated for the shop, if it knows the customer already (else its customer.created is still to come). */
async function recordUpdated(tx: Transaction<Database>, shopId: string, id: string, now: number): Promise<void> {
  const known = await tx.selectFrom('conversations').select('id').where('unique_key', '=', serviceKey(shopId, id)).executeTakeFirst();
  if (known) await recordOutbox(tx, [{ shopId, type: 'customer.updated', subjectId: id, createdAt: now }]);
}

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
    async idsOfShopCustomers(shopId, externalIds) {
      if (externalIds.length === 0) return [];
      const rows = await db
        .selectFrom('customers')
        .select('id')
        .where('identity_key', 'in', externalIds.map((externalId) => `s:${shopId}:${externalId}`))
        .execute();
      return rows.map((row) => row.id);
    },
    async updateProfile(shopId, id, profile, now) {
      const { name, email } = profile;
      if (name === undefined && email === undefined) return false;
      return db.transaction().execute(async (tx) => {
        const changed = await tx
          .updateTable('customers')
          .set({ ...(name !== undefined && { name }), ...(email !== undefined && { email }), updated_at: now })
          .where('id', '=', id)
          .where((eb) => eb.or([...(name !== undefined ? [eb('name', 'is distinct from', name)] : []), ...(email !== undefined ? [eb('email', 'is distinct from', email)] : [])]))
          .executeTakeFirst();
        if (Number(changed.numUpdatedRows) === 0) return false;
        await recordUpdated(tx, shopId, id, now);
        return true;
      });
    },
    async setAttributes(shopId, id, attributes, now) {
      const json = JSON.stringify(attributes);
      return db.transaction().execute(async (tx) => {
        const changed = await tx
          .updateTable('customers')
          .set({ attributes: json, updated_at: now })
          .where('id', '=', id)
          .where('attributes', 'is distinct from', json)
          .executeTakeFirst();
        if (Number(changed.numUpdatedRows) === 0) return false;
        await recordUpdated(tx, shopId, id, now);
        return true;
      });
    },
    async findInShop(shopId, id) {
      const row = await db
        .selectFrom('customers')
        .selectAll()
        .where('id', '=', id)
        // A shop knows a customer iff it has a contact row for them (docs/contacts.md).
        .where((eb) => eb.exists(eb.selectFrom('contacts as ct').select('ct.customer_id').where('ct.shop_id', '=', shopId).where('ct.customer_id', '=', id)))
        .executeTakeFirst();
      return row && { customer: toCustomer(row), attributes: row.attributes === null ? {} : JSON.parse(row.attributes) };
    },
    // A customer's inquiries in a shop are those of their one service conversation there.
    async inquiries(shopId, customerId, limit) {
      const rows = await db
        .selectFrom('inquiries as i')
        .innerJoin('conversations as c', 'c.id', 'i.conversation_id')
        .selectAll('i')
        .where('c.unique_key', '=', serviceKey(shopId, customerId))
        .where('i.shop_id', '=', shopId)
        .orderBy('i.created_at', 'desc')
        .orderBy('i.id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toInquiry);
    },
  };
}
