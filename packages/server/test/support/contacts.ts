import assert from 'node:assert/strict';
import { call, identityToken, openWidget, type CustomerFixture, type Reply, type ShopFixture } from './client.ts';
import { platformSecret, type TestServer } from './server.ts';
import type { Kysely } from 'kysely';
import { newId } from '../../src/domain/ids.ts';
import type { Database } from '../../src/storage/schema.ts';

/** A customer the shop's site identified (shop-signed JWT), with their conversation. */
export async function shopCustomer(server: TestServer, shop: ShopFixture, sub: string, claims: Record<string, unknown> = {}): Promise<CustomerFixture> {
  return openWidget(server, shop.shopId, { identity: { jwt: await identityToken(shop.identitySecret, sub, claims) } });
}

/** A platform customer (signed with the platform secret) opening the widget of `shop`. */
export async function platformCustomer(server: TestServer, shop: ShopFixture, sub: string, claims: Record<string, unknown> = {}): Promise<CustomerFixture> {
  return openWidget(server, shop.shopId, { identity: { jwt: await identityToken(platformSecret, sub, { platform: true, ...claims }) } });
}

export async function createLabel(server: TestServer, shop: ShopFixture, name: string, color = '#ff8800'): Promise<string> {
  const reply = await call(server, 'POST', '/api/v1/labels', { token: shop.ownerToken, body: { name, color } });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body.id;
}

/** Every page of the contact list for `query`, following nextCursor. */
export async function listContacts(server: TestServer, token: string, query = '', from: string | null = null): Promise<{ ids: string[]; pages: Reply[] }> {
  const pages: Reply[] = [];
  let cursor: string | null = from;
  do {
    const sep = query === '' ? '' : '&';
    const page: Reply = await call(server, 'GET', `/api/v1/contacts?${query}${cursor ? `${sep}cursor=${cursor}` : ''}`, { token });
    assert.equal(page.status, 200, `${query}: ${JSON.stringify(page.body)}`);
    pages.push(page);
    cursor = page.body.nextCursor;
    assert.ok(pages.length < 100, 'pagination terminates');
  } while (cursor);
  return { ids: pages.flatMap((p) => p.body.items.map((c: { customer: { id: string } }) => c.customer.id)), pages };
}

export function importCsv(server: TestServer, token: string, csv: string): Promise<Reply> {
  return call(server, 'POST', '/api/v1/contacts/import', { token, rawBody: csv, headers: { 'content-type': 'text/csv' } });
}

export interface Person {
  readonly externalId: string;
  readonly name?: string;
  readonly attributes?: Record<string, string | number | boolean>;
  /** Label names of the shop, made when missing. */
  readonly labels?: readonly string[];
  readonly optedOut?: boolean;
}

/**
 * Contacts of a shop seeded straight into the tables (the contacts API is another part of issue
 * 20): customers identified by the shop (`s:<shop>:<externalId>`, so a widget session with their
 * identity finds them), their contact rows, labels. Returns the customer ids by external id, and
 * the label ids by name.
 */
export async function seedContacts(db: Kysely<Database>, shopId: string, people: readonly Person[], now = Date.now()) {
  const labels = new Map<string, string>();
  for (const row of await db.selectFrom('labels').select(['id', 'name']).where('shop_id', '=', shopId).execute()) labels.set(row.name, row.id);
  const ids = new Map<string, string>();
  for (const person of people) {
    const id = newId();
    ids.set(person.externalId, id);
    await db
      .insertInto('customers')
      .values({
        id,
        shop_id: shopId,
        kind: 'shop',
        identity_key: `s:${shopId}:${person.externalId}`,
        external_id: person.externalId,
        name: person.name ?? person.externalId,
        email: null,
        visitor_token_hash: null,
        attributes: person.attributes === undefined ? null : JSON.stringify(person.attributes),
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db.insertInto('contacts').values({ shop_id: shopId, customer_id: id, last_seen_at: null, opted_out_at: person.optedOut ? now : null, created_at: now, updated_at: now }).execute();
    for (const name of person.labels ?? []) {
      let labelId = labels.get(name);
      if (labelId === undefined) {
        labelId = newId();
        labels.set(name, labelId);
        await db.insertInto('labels').values({ id: labelId, shop_id: shopId, name, color: '#336699', created_at: now, updated_at: now }).execute();
      }
      await db.insertInto('contact_labels').values({ shop_id: shopId, label_id: labelId, customer_id: id, created_at: now }).execute();
    }
  }
  return { ids, labels };
}

export async function optOut(db: Kysely<Database>, shopId: string, customerId: string, at = Date.now()): Promise<void> {
  await db.updateTable('contacts').set({ opted_out_at: at, updated_at: at }).where('shop_id', '=', shopId).where('customer_id', '=', customerId).execute();
}

/** `count` contacts of the shop (customers `bulk-<i>`), inserted 500 to a statement: a crash test's or a bench's audience. */
export async function seedBulk(db: Kysely<Database>, shopId: string, count: number, now = Date.now()): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const chunk = Array.from({ length: Math.min(500, count - start) }, (_, i) => ({ id: newId(), externalId: `bulk-${start + i}` }));
    ids.push(...chunk.map((c) => c.id));
    await db
      .insertInto('customers')
      .values(chunk.map((c) => ({ id: c.id, shop_id: shopId, kind: 'shop', identity_key: `s:${shopId}:${c.externalId}`, external_id: c.externalId, name: c.externalId, email: null, visitor_token_hash: null, attributes: null, created_at: now, updated_at: now })))
      .execute();
    await db.insertInto('contacts').values(chunk.map((c) => ({ shop_id: shopId, customer_id: c.id, last_seen_at: null, opted_out_at: null, created_at: now, updated_at: now }))).execute();
  }
  return ids;
}
