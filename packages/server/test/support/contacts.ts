import assert from 'node:assert/strict';
import { call, identityToken, openWidget, type CustomerFixture, type Reply, type ShopFixture } from './client.ts';
import { platformSecret, type TestServer } from './server.ts';

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
