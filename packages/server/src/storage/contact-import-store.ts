import { sql, type Kysely, type Transaction } from 'kysely';
import type { ContactStore, ImportLine } from '../domain/contacts/ports.ts';
import type { Database } from './schema.ts';

type Tx = Transaction<Database>;

/**
 * The writes of a contact import (domain/contacts/contact-import.ts decided them), set by set for a
 * batch of lines, so that a batch costs a handful of statements and not a few per line (PostgreSQL
 * pays a round trip for each): the shop customers (identity `s:<shop>:<external id>`, as a
 * shop-signed identity makes them), the shop's contact rows without a conversation, opt-outs and
 * labels. All of it can run again: a line imported twice changes nothing the second time.
 */
export function contactImports(db: Kysely<Database>): Pick<ContactStore, 'importLines'> {
  return {
    async importLines(shopId, lines, newId, now) {
      if (lines.length === 0) return [];
      return db.transaction().execute((tx) => importBatch(tx, shopId, lines, newId, now));
    },
  };
}

async function importBatch(tx: Tx, shopId: string, lines: readonly ImportLine[], newId: () => string, now: number): Promise<boolean[]> {
  // One line per external id (the domain merged repeats).
  const byExternal = new Map(lines.map((line) => [line.externalId, line]));
  const key = (externalId: string) => `s:${shopId}:${externalId}`;
  const attributesJson = (attributes: ImportLine['attributes']) => (Object.keys(attributes).length === 0 ? null : JSON.stringify(attributes));

  await tx
    .insertInto('customers')
    .values(
      [...byExternal.values()].map((line) => ({
        id: newId(),
        shop_id: shopId,
        kind: 'shop',
        identity_key: key(line.externalId),
        external_id: line.externalId,
        name: line.name ?? null,
        email: line.email ?? null,
        visitor_token_hash: null,
        attributes: attributesJson(line.attributes),
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.column('identity_key').doNothing())
    .execute();
  const customers = await tx
    .selectFrom('customers')
    .select(['id', 'external_id', 'name', 'email', 'attributes'])
    .where('identity_key', 'in', [...byExternal.keys()].map(key))
    .execute();
  const idOf = new Map<string, string>();
  for (const customer of customers) {
    const line = byExternal.get(customer.external_id!)!;
    idOf.set(line.externalId, customer.id);
    // Customers known before: what the line names is set on top of what they have.
    const attributes = attributesJson({ ...(customer.attributes === null ? {} : JSON.parse(customer.attributes)), ...line.attributes });
    const name = line.name ?? customer.name;
    const email = line.email ?? customer.email;
    if (name !== customer.name || email !== customer.email || attributes !== customer.attributes) {
      await tx.updateTable('customers').set({ name, email, attributes, updated_at: now }).where('id', '=', customer.id).execute();
    }
  }

  const ids = [...idOf.values()];
  const known = new Set((await tx.selectFrom('contacts').select('customer_id').where('shop_id', '=', shopId).where('customer_id', 'in', ids).execute()).map((c) => c.customer_id));
  const fresh = ids.filter((id) => !known.has(id));
  if (fresh.length > 0) {
    await tx
      .insertInto('contacts')
      .values(fresh.map((customer_id) => ({ shop_id: shopId, customer_id, last_seen_at: null, created_at: now, updated_at: now })))
      .onConflict((oc) => oc.columns(['shop_id', 'customer_id']).doNothing())
      .execute();
  }
  for (const optedOut of [true, false]) {
    const those = [...byExternal.values()].filter((l) => l.optedOut === optedOut).map((l) => idOf.get(l.externalId)!);
    if (those.length === 0) continue;
    await tx
      .updateTable('contacts')
      .set({ opted_out_at: optedOut ? sql`coalesce(opted_out_at, ${now})` : null, updated_at: now })
      .where('shop_id', '=', shopId)
      .where('customer_id', 'in', those)
      .where('opted_out_at', optedOut ? 'is' : 'is not', null)
      .execute();
  }
  const labels = [...byExternal.values()].flatMap((l) => l.labelIds.map((label_id) => ({ shop_id: shopId, label_id, customer_id: idOf.get(l.externalId)!, created_at: now })));
  // In slices: 500 lines of 50 labels each would pass both engines' bound on parameters.
  for (let i = 0; i < labels.length; i += 2_000) {
    await tx.insertInto('contact_labels').values(labels.slice(i, i + 2_000)).onConflict((oc) => oc.columns(['shop_id', 'label_id', 'customer_id']).doNothing()).execute();
  }

  return lines.map((line) => !known.has(idOf.get(line.externalId)!));
}
