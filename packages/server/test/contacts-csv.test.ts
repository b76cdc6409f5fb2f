import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { call, createShop, type ShopFixture } from './support/client.ts';
import { createLabel, importCsv, listContacts, shopCustomer } from './support/contacts.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';

/** Contact import and export as CSV (docs/contacts.md#import-and-export). */
const file = [
  'external_id,name,email,labels,opted_out,attr.plan,attr.orders,attr.note',
  'c-1,Carla Cruz,carla@example.test,VIP|Wholesale,false,gold,3,',
  'c-2,Dan Dorn,,Wholesale,yes,,,=1+1',
  ',No Id,none@example.test,,,,,',
  'c-3,Bad Mail,not-an-email,,,,,',
  'c-4,Too,many@example.test,,,,,,extra',
  'c-5,"Eve, with ""quotes""",eve@example.test,,0,silver,,',
  'shop-known,Known Again,,VIP,,,,',
].join('\r\n');

for (const engine of engines) {
  describe(`contact import and export on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    const tables = async () => ({
      customers: await server.storage.db.selectFrom('customers').selectAll().where('shop_id', '=', shop.shopId).orderBy('id').execute(),
      contacts: await server.storage.db.selectFrom('contacts').selectAll().where('shop_id', '=', shop.shopId).orderBy('customer_id').execute(),
      labels: await server.storage.db.selectFrom('labels').selectAll().where('shop_id', '=', shop.shopId).orderBy('id').execute(),
      contactLabels: await server.storage.db.selectFrom('contact_labels').selectAll().where('shop_id', '=', shop.shopId).orderBy('customer_id').orderBy('label_id').execute(),
    });

    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server, 'Importer');
    });
    after(() => server.close());

    test('an import makes shop customers and contacts, reports bad lines by number, and changes nothing when run again', async () => {
      const known = await shopCustomer(server, shop, 'shop-known', { name: 'Known' });
      const vip = await createLabel(server, shop, 'VIP');
      const first = await importCsv(server, shop.ownerToken, file);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body, {
        created: 3,
        updated: 1,
        errors: [
          { line: 4, message: 'external_id is required.' },
          { line: 5, message: 'email is not an e-mail address.' },
          { line: 6, message: 'This line has 9 cells; the header has 8.' },
        ],
      });
      const after1 = await tables();
      const second = await importCsv(server, shop.ownerToken, file);
      assert.deepEqual(second.body, { ...first.body, created: 0, updated: 4 });
      assert.deepEqual(await tables(), after1, 'a second run changes no row');

      const { pages } = await listContacts(server, shop.agentToken, 'sort=name&order=asc');
      const contacts = pages.flatMap((p) => p.body.items) as Array<Record<string, any>>;
      const byExternal = new Map(contacts.map((c) => [c.customer.externalId, c]));
      assert.deepEqual([...byExternal.keys()], ['c-1', 'c-2', 'c-5', 'shop-known']);
      const carla = byExternal.get('c-1')!;
      assert.deepEqual([carla.customer.name, carla.customer.email, carla.customer.kind, carla.conversationId], ['Carla Cruz', 'carla@example.test', 'shop', null]);
      assert.deepEqual(carla.attributes, { plan: 'gold', orders: 3 });
      const labels = (await call(server, 'GET', '/api/v1/labels', { token: shop.agentToken })).body.items as Array<{ id: string; name: string }>;
      assert.deepEqual(labels.map((l) => l.name), ['VIP', 'Wholesale'], 'the unknown label was made');
      const wholesale = labels.find((l) => l.name === 'Wholesale')!.id;
      assert.deepEqual(new Set(carla.labelIds), new Set([vip, wholesale]));
      assert.notEqual(byExternal.get('c-2')!.optedOutAt, null);
      assert.equal(byExternal.get('c-2')!.attributes.note, '=1+1');
      assert.equal(byExternal.get('c-5')!.customer.name, 'Eve, with "quotes"');
      // The known customer: renamed, labelled, still the same person with their conversation.
      const again = byExternal.get('shop-known')!;
      assert.equal(again.customer.id, known.customerId);
      assert.equal(again.customer.name, 'Known Again');
      assert.equal(again.conversationId, known.conversationId);
      // An imported contact has a page and a customer panel like any other.
      assert.equal((await call(server, 'GET', `/api/v1/customers/${carla.customer.id}`, { token: shop.agentToken })).status, 200);
      // The widget's identified customer with that external id is the imported one.
      const signedIn = await shopCustomer(server, shop, 'c-1');
      assert.equal(signedIn.customerId, carla.customer.id);
    });

    test('unreadable files, wrong media types and agents are refused, writing nothing', async () => {
      const before = await tables();
      for (const [body, code] of [
        ['name,email\r\nx,y@example.test', 'CSV_INVALID'],
        ['external_id,name\r\n"unclosed,quote', 'CSV_INVALID'],
        ['', 'CSV_INVALID'],
        ['external_id,external_id\r\na,b', 'CSV_INVALID'],
        ['external_id,attr.bad key\r\na,b', 'CSV_INVALID'],
      ] as const) {
        const reply = await importCsv(server, shop.ownerToken, body);
        assert.deepEqual([reply.status, reply.body.error?.code], [400, code], body);
      }
      const json = await call(server, 'POST', '/api/v1/contacts/import', { token: shop.ownerToken, body: { external_id: 'x' } });
      assert.deepEqual([json.status, json.body.error.code], [415, 'UNSUPPORTED_MEDIA_TYPE']);
      const agent = await importCsv(server, shop.agentToken, file);
      assert.deepEqual([agent.status, agent.body.error.code], [403, 'FORBIDDEN']);
      const big = await importCsv(server, shop.ownerToken, `external_id\r\n${'x'.repeat(5 * 1024 * 1024)}`);
      assert.deepEqual([big.status, big.body.error.code], [413, 'PAYLOAD_TOO_LARGE']);
      assert.deepEqual(await tables(), before);
      assert.equal((await call(server, 'GET', '/api/v1/contacts/export', { token: shop.agentToken })).status, 403);
    });

    test('an export is the filtered list as CSV, safe in a spreadsheet, and imports back into another shop as the same contacts', async () => {
      const sneaky = await shopCustomer(server, shop, 'sneaky', { name: '=HYPERLINK("http://evil.test")', email: 'sneaky@example.test', attributes: { plan: '@gold', delta: -5 } });
      const response = await fetch(`${server.url}/api/v1/contacts/export`, { headers: { authorization: `Bearer ${shop.ownerToken}` } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
      const text = await response.text();
      const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
      assert.deepEqual(Object.keys(rows[0]!), [
        'external_id', 'name', 'email', 'labels', 'opted_out', 'attr.delta', 'attr.note', 'attr.orders', 'attr.plan',
        'customer_id', 'kind', 'channel', 'last_seen_at', 'created_at',
      ]);
      const row = rows.find((r) => r.external_id === 'sneaky')!;
      assert.equal(row.name, `'=HYPERLINK("http://evil.test")`);
      assert.equal(row['attr.plan'], "'@gold");
      assert.equal(row['attr.delta'], "'-5");
      assert.equal(row.customer_id, sneaky.customerId);
      assert.equal(rows.find((r) => r.external_id === 'c-1')!.labels, 'VIP|Wholesale');
      assert.deepEqual(rows.map((r) => r.external_id).sort(), ['c-1', 'c-2', 'c-5', 'shop-known', 'sneaky']);
      // Filters as the list's.
      const filtered = await fetch(`${server.url}/api/v1/contacts/export?optedOut=true`, { headers: { authorization: `Bearer ${shop.ownerToken}` } });
      assert.deepEqual((parse(await filtered.text(), { columns: true }) as Array<Record<string, string>>).map((r) => r.external_id), ['c-2']);

      // Round trip: the file into a new shop gives the same contacts.
      const other = await createShop(server, 'Copy');
      const imported = await importCsv(server, other.ownerToken, text);
      assert.deepEqual(imported.body, { created: 5, updated: 0, errors: [] });
      const comparable = async (s: ShopFixture) => {
        const { pages } = await listContacts(server, s.agentToken, 'sort=name');
        const names = new Map(((await call(server, 'GET', '/api/v1/labels', { token: s.agentToken })).body.items as Array<{ id: string; name: string }>).map((l) => [l.id, l.name]));
        return pages.flatMap((p) => p.body.items).map((c: Record<string, any>) => ({
          externalId: c.customer.externalId, name: c.customer.name, email: c.customer.email, attributes: c.attributes,
          labels: c.labelIds.map((id: string) => names.get(id)).sort(), optedOut: c.optedOutAt !== null,
        }));
      };
      assert.deepEqual(await comparable(other), await comparable(shop));
    });

    test('an external id twice in one file: one contact, made once, the later line winning field by field', async () => {
      const twice = 'external_id,name,email,labels,attr.plan,attr.size\r\ndup-1,First,first@example.test,A,gold,\r\ndup-1,Second,,B,,L\r\n';
      const reply = await importCsv(server, shop.ownerToken, twice);
      assert.deepEqual(reply.body, { created: 1, updated: 1, errors: [] });
      const { pages } = await listContacts(server, shop.agentToken, 'q=dup-1');
      const [only, ...more] = pages.flatMap((p) => p.body.items) as Array<Record<string, any>>;
      assert.deepEqual(more, []);
      assert.deepEqual([only!.customer.name, only!.customer.email, only!.attributes, only!.labelIds.length], ['Second', 'first@example.test', { plan: 'gold', size: 'L' }, 2]);
    });
  });
}
