import { sql, type Kysely, type Transaction } from 'kysely';
import type { ContactStore, ImportLine } from '../domain/contacts/ports.ts';
import type { Database } from './schema.ts';

/**
 * The writes of a contact import (domain/contacts/contact-import.ts decided them): per line, the
 * shop customer (identity `s:<shop>:<external id>`, as a shop-signed identity makes them), then the
 * shop's contact row without a conversation, its opt-out and its labels. All of it can run again:
 * a line imported twice changes nothing the second time.
 */
export function contactImports(db: Kysely<Database>): Pick<ContactStore, 'importLines'> {
  return {
    async importLines(shopId, lines, newId, now) {
      return db.transaction().execute(async (tx) => {
        const created: boolean[] = [];
        for (const line of lines) created.push(await importLine(tx, shopId, line, newId, now));
        return created;
      });
    },
  };
}

async function importLine(tx: Transaction<Database>, shopId: string, line: ImportLine, newId: () => string, now: number): Promise<boolean> {
  const identityKey = `s:${shopId}:${line.externalId}`;
  const hasAttributes = Object.keys(line.attributes).length > 0;
  await tx
    .insertInto('customers')
    .values({
      id: newId(),
      shop_id: shopId,
      kind: 'shop',
      identity_key: identityKey,
      external_id: line.externalId,
      name: line.name ?? null,
      email: line.email ?? null,
      visitor_token_hash: null,
      attributes: hasAttributes ? JSON.stringify(line.attributes) : null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('identity_key').doNothing())
    .execute();
  const customer = await tx.selectFrom('customers').select(['id', 'name', 'email', 'attributes']).where('identity_key', '=', identityKey).executeTakeFirstOrThrow();
  const attributes = { ...(customer.attributes === null ? {} : JSON.parse(customer.attributes)), ...line.attributes };
  const json = Object.keys(attributes).length === 0 ? null : JSON.stringify(attributes);
  const name = line.name ?? customer.name;
  const email = line.email ?? customer.email;
  if (name !== customer.name || email !== customer.email || json !== customer.attributes) {
    await tx.updateTable('customers').set({ name, email, attributes: json, updated_at: now }).where('id', '=', customer.id).execute();
  }

  const inserted = await tx
    .insertInto('contacts')
    .values({ shop_id: shopId, customer_id: customer.id, last_seen_at: null, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['shop_id', 'customer_id']).doNothing())
    .executeTakeFirst();
  if (line.optedOut !== undefined) {
    await tx
      .updateTable('contacts')
      .set({ opted_out_at: line.optedOut ? sql`coalesce(opted_out_at, ${now})` : null })
      .where('shop_id', '=', shopId)
      .where('customer_id', '=', customer.id)
      .where('opted_out_at', line.optedOut ? 'is' : 'is not', null)
      .execute();
  }
  if (line.labelIds.length > 0) {
    await tx
      .insertInto('contact_labels')
      .values(line.labelIds.map((label_id) => ({ shop_id: shopId, label_id, customer_id: customer.id, created_at: now })))
      .onConflict((oc) => oc.columns(['shop_id', 'label_id', 'customer_id']).doNothing())
      .execute();
  }
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
}
