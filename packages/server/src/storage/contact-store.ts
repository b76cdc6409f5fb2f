import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Channel, CustomerKind } from '@frontdesk/protocol';
import type { ContactFilter, ContactOrder, ContactPosition, ContactRecord, ContactStore } from '../domain/contacts/ports.ts';
import type { Engine } from './connect.ts';
import { containsIgnoringCase } from './contains.ts';
import { contactImports } from './contact-import-store.ts';
import { contactNotes } from './contact-note-store.ts';
import { toLocale } from './rows.ts';
import type { Database } from './schema.ts';

/** A contact's channel and last visit move at most this often (a reconnect storm writes once). */
const SEEN_EVERY_MS = 60_000;
/** Bound on the rows of one multi-row insert, well under both engines' parameter limits. */
const ROWS_PER_INSERT = 2_000;

/**
 * The sort keys, each matched by an index of `contacts` (migrations 0012 and 0013): last seen counts
 * a contact never seen as 0, so that the key is never null and the keyset compares alike on both
 * engines. The name is the customer's, lower-cased by the database (the cursor carries its value).
 */
const sortKey: Record<ContactOrder['sort'], RawBuilder<number | string>> = {
  created: sql`ct.created_at`,
  lastSeen: sql`coalesce(ct.last_seen_at, 0)`,
  name: sql`lower(coalesce(cu.name, ''))`,
};

export const serviceKey = (shopId: string, customerId: string) => `service:${shopId}:${customerId}`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function contactStore(db: Kysely<Database>, engine: Engine): ContactStore {
  const select = (shopId: string, order: ContactOrder = { sort: 'created', order: 'asc' }) =>
    db
      .selectFrom('contacts as ct')
      .innerJoin('customers as cu', 'cu.id', 'ct.customer_id')
      .select([
        'ct.customer_id',
        'ct.channel',
        'ct.last_seen_at',
        'ct.opted_out_at',
        'ct.locale',
        'ct.created_at',
        'cu.shop_id as cu_shop_id',
        'cu.kind',
        'cu.external_id',
        'cu.name',
        'cu.email',
        'cu.attributes',
        'cu.created_at as cu_created_at',
      ])
      .select(sortKey[order.sort].as('sort_key'))
      .where('ct.shop_id', '=', shopId);
  type Row = Awaited<ReturnType<ReturnType<typeof select>['execute']>>[number];

  /** The page's conversations and labels: one query each for the page. */
  async function complete(shopId: string, rows: readonly Row[]): Promise<ContactRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.customer_id);
    const [conversations, labels] = await Promise.all([
      db.selectFrom('conversations').select(['id', 'customer_id']).where('unique_key', 'in', ids.map((id) => serviceKey(shopId, id))).execute(),
      db.selectFrom('contact_labels').select(['customer_id', 'label_id']).where('shop_id', '=', shopId).where('customer_id', 'in', ids).orderBy('label_id').execute(),
    ]);
    const conversationOf = new Map(conversations.map((c) => [c.customer_id, c.id]));
    const labelsOf = new Map<string, string[]>();
    for (const l of labels) labelsOf.set(l.customer_id, [...(labelsOf.get(l.customer_id) ?? []), l.label_id]);
    return rows.map((r) => ({
      shopId,
      customer: {
        id: r.customer_id,
        shopId: r.cu_shop_id,
        kind: r.kind as CustomerKind,
        externalId: r.external_id,
        name: r.name,
        email: r.email,
        createdAt: Number(r.cu_created_at),
      },
      attributes: r.attributes === null ? {} : JSON.parse(r.attributes),
      labelIds: labelsOf.get(r.customer_id) ?? [],
      channel: r.channel as Channel,
      lastSeenAt: r.last_seen_at === null ? null : Number(r.last_seen_at),
      optedOutAt: r.opted_out_at === null ? null : Number(r.opted_out_at),
      locale: toLocale(r.locale),
      conversationId: conversationOf.get(r.customer_id) ?? null,
      createdAt: Number(r.created_at),
    }));
  }

  /** Equality with the attribute's JSON value, as each engine renders one element of a JSON text. */
  const attributeIs = (key: string, json: string) =>
    engine === 'postgres'
      ? sql<SqlBool>`(cu.attributes::jsonb -> ${key})::text = ${json}`
      : sql<SqlBool>`(cu.attributes -> ${`$."${key}"`}) = ${json}`;

  return {
    async list(shopId, filter: ContactFilter, order, after: ContactPosition | null, limit) {
      let q = select(shopId, order);
      const match = filter.q;
      if (match !== undefined) q = q.where((eb) => eb.or([containsIgnoringCase('cu.name', match), containsIgnoringCase('cu.email', match), containsIgnoringCase('cu.external_id', match)]));
      const labelId = filter.labelId;
      if (labelId !== undefined) {
        q = q.where((eb) =>
          eb.exists(
            eb.selectFrom('contact_labels as cl').select('cl.label_id').where('cl.shop_id', '=', shopId).where('cl.label_id', '=', labelId).whereRef('cl.customer_id', '=', 'ct.customer_id'),
          ),
        );
      }
      if (filter.attribute !== undefined) q = q.where(attributeIs(filter.attribute.key, filter.attribute.json));
      if (filter.channel !== undefined) q = q.where('ct.channel', '=', filter.channel);
      if (filter.seenAfter !== undefined) q = q.where('ct.last_seen_at', '>=', filter.seenAfter);
      if (filter.seenBefore !== undefined) q = q.where('ct.last_seen_at', '<', filter.seenBefore);
      if (filter.optedOut !== undefined) q = q.where('ct.opted_out_at', filter.optedOut ? 'is not' : 'is', null);
      const key = sortKey[order.sort];
      if (after !== null) q = q.where(sql<SqlBool>`(${key}, ct.customer_id) ${sql.raw(order.order === 'asc' ? '>' : '<')} (${after.key}, ${after.id})`);
      const rows = await q.orderBy(key, order.order).orderBy('ct.customer_id', order.order).limit(limit).execute();
      const contacts = await complete(shopId, rows);
      // PostgreSQL hands bigints over as text: times are numbers again here.
      return contacts.map((c, i) => ({ ...c, sortKey: order.sort === 'name' ? String(rows[i]!.sort_key) : Number(rows[i]!.sort_key) }));
    },

    async find(shopId, customerId) {
      const row = await select(shopId).where('ct.customer_id', '=', customerId).executeTakeFirst();
      return row && (await complete(shopId, [row]))[0];
    },

    async existing(shopId, customerIds) {
      const out: string[] = [];
      for (const chunk of chunks(customerIds, 1000)) {
        const rows = await db.selectFrom('contacts').select('customer_id').where('shop_id', '=', shopId).where('customer_id', 'in', chunk).execute();
        out.push(...rows.map((r) => r.customer_id));
      }
      return out;
    },

    async setOptedOut(shopId, customerId, optedOut, now) {
      await db
        .updateTable('contacts')
        .set({ opted_out_at: optedOut ? sql`coalesce(opted_out_at, ${now})` : null, updated_at: now })
        .where('shop_id', '=', shopId)
        .where('customer_id', '=', customerId)
        .execute();
    },

    async seen(shopId, customerId, channel, now, locale) {
      // Read first: on SQLite even an update that matches nothing takes the write lock.
      const contact = await db.selectFrom('contacts').select(['last_seen_at', 'channel', 'locale']).where('shop_id', '=', shopId).where('customer_id', '=', customerId).executeTakeFirst();
      if (!contact) return;
      if (locale !== undefined && contact.locale !== locale) {
        await db.updateTable('contacts').set({ locale, updated_at: now }).where('shop_id', '=', shopId).where('customer_id', '=', customerId).execute();
      }
      if (contact.channel === channel && contact.last_seen_at !== null && Number(contact.last_seen_at) >= now - SEEN_EVERY_MS) return;
      await db
        .updateTable('contacts')
        .set({ last_seen_at: now, channel, updated_at: now })
        .where('shop_id', '=', shopId)
        .where('customer_id', '=', customerId)
        .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', now - SEEN_EVERY_MS), eb('channel', '<>', channel)]))
        .execute();
    },

    async addLabels(shopId, customerIds, labelIds, now) {
      if (labelIds.length === 0) return 0;
      const contacts = await this.existing(shopId, customerIds);
      const rows = contacts.flatMap((customer_id) => labelIds.map((label_id) => ({ shop_id: shopId, label_id, customer_id, created_at: now })));
      let added = 0;
      for (const chunk of chunks(rows, ROWS_PER_INSERT)) {
        const result = await db
          .insertInto('contact_labels')
          .values(chunk)
          .onConflict((oc) => oc.columns(['shop_id', 'label_id', 'customer_id']).doNothing())
          .executeTakeFirst();
        added += Number(result.numInsertedOrUpdatedRows ?? 0n);
      }
      return added;
    },

    async removeLabels(shopId, customerIds, labelIds) {
      if (labelIds.length === 0) return 0;
      let removed = 0;
      for (const chunk of chunks(customerIds, 1000)) {
        const result = await db.deleteFrom('contact_labels').where('shop_id', '=', shopId).where('label_id', 'in', labelIds).where('customer_id', 'in', chunk).executeTakeFirst();
        removed += Number(result.numDeletedRows);
      }
      return removed;
    },

    ...contactNotes(db),
    ...contactImports(db),
  };
}
