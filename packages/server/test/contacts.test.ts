import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, createShop, identityToken, openWidget, send, shopWithKey, type CustomerFixture, type ShopFixture } from './support/client.ts';
import { createLabel, listContacts, platformCustomer, shopCustomer } from './support/contacts.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed } from './support/ws-client.ts';
import { goim } from '@frontdesk/protocol';
import { eventually } from './support/eventually.ts';
import { goimWs } from './support/goim-client.ts';

/**
 * Contacts (docs/contacts.md): a shop's list of the customers it dealt with. Seeded: shop A with
 * Alice and Bob (identified by A's site), an anonymous visitor Vera, and Pat, a platform customer
 * who also deals with shop B, where B labels, notes and opts her out differently.
 */
for (const engine of engines) {
  describe(`contacts on ${engine}`, () => {
    let server: TestServer;
    let a: ShopFixture & { apiKey: string };
    let b: ShopFixture;
    let alice: CustomerFixture;
    let bob: CustomerFixture;
    let vera: CustomerFixture;
    let patA: CustomerFixture;
    let patB: CustomerFixture;
    let vipA: string;
    let vipB: string;
    const contact = (shop: ShopFixture, id: string, token = shop.agentToken) => call(server, 'GET', `/api/v1/contacts/${id}`, { token });

    before(async () => {
      server = await startServer(engine);
      a = await shopWithKey(server, 'Shop A');
      b = await createShop(server, 'Shop B');
      alice = await shopCustomer(server, a, 'alice-1', { name: 'Alice Anders', email: 'alice@example.test', attributes: { plan: 'gold', orders: 3, vip: true } });
      bob = await shopCustomer(server, a, 'bob-2', { name: 'bob brown', email: 'bob@shop.test', attributes: { plan: 'silver', orders: 30 } });
      vera = await openWidget(server, a.shopId, { profile: { name: 'Vera Visitor' } });
      patA = await platformCustomer(server, a, 'pat-9', { name: 'Pat Platform', email: 'pat@platform.test' });
      patB = await platformCustomer(server, b, 'pat-9', { name: 'Pat Platform', email: 'pat@platform.test' });
      assert.equal(patA.customerId, patB.customerId, 'one platform customer in two shops');
      vipA = await createLabel(server, a, 'VIP');
      vipB = await createLabel(server, b, 'VIP');
      for (const id of [alice.customerId, patA.customerId]) assert.equal((await call(server, 'PUT', `/api/v1/contacts/${id}/labels/${vipA}`, { token: a.agentToken })).status, 200);
      assert.equal((await call(server, 'PUT', `/api/v1/contacts/${patB.customerId}/labels/${vipB}`, { token: b.agentToken })).status, 200);
      assert.equal((await call(server, 'POST', `/api/v1/contacts/${patB.customerId}/notes`, { token: b.agentToken, body: { text: 'B only: prefers phone' } })).status, 201);
      assert.equal((await call(server, 'PATCH', `/api/v1/contacts/${patB.customerId}`, { token: b.agentToken, body: { optedOut: true } })).status, 200);
      // Last seen, pinned: Alice 1000, Bob 2000, Pat 3000, Vera 4000 (ms); created in the order above.
      const seen = [[alice, 1000], [bob, 2000], [patA, 3000], [vera, 4000]] as const;
      for (const [c, at] of seen) {
        await server.storage.db.updateTable('contacts').set({ last_seen_at: at }).where('shop_id', '=', a.shopId).where('customer_id', '=', c.customerId).execute();
      }
    });
    after(() => server.close());

    test('search by name, e-mail and external id, ignoring case; filters combine', async () => {
      const ids = async (query: string) => (await listContacts(server, a.agentToken, query)).ids;
      assert.deepEqual(await ids('q=ALICE'), [alice.customerId]);
      assert.deepEqual(await ids('q=shop.test'), [bob.customerId]);
      assert.deepEqual(await ids('q=pat-9'), [patA.customerId]);
      assert.deepEqual(await ids(`labelId=${vipA}`), [patA.customerId, alice.customerId]);
      assert.deepEqual(await ids(`labelId=${vipB}`), [], "B's label selects nothing in A");
      assert.deepEqual(await ids('attribute=plan:gold'), [alice.customerId]);
      assert.deepEqual(await ids('attribute=orders:30'), [bob.customerId]);
      assert.deepEqual(await ids('attribute=orders:3'), [alice.customerId], 'numbers compare as numbers, not text');
      assert.deepEqual(await ids('attribute=vip:true'), [alice.customerId]);
      assert.deepEqual(await ids('attribute=plan:gold&q=bob'), []);
      assert.deepEqual(await ids('seenAfter=1970-01-01T00:00:01.500Z&seenBefore=1970-01-01T00:00:03.500Z'), [patA.customerId, bob.customerId]);
      assert.deepEqual(await ids('optedOut=true'), [], "B's opt-out is B's");
      assert.deepEqual((await ids('optedOut=false')).length, 4);
      assert.deepEqual(await ids('channel=web'), [vera.customerId, patA.customerId, bob.customerId, alice.customerId]);
      assert.deepEqual((await listContacts(server, b.agentToken, 'optedOut=true')).ids, [patB.customerId]);
    });

    test('sorts by last seen, creation and name, both ways, and pages with a cursor that survives inserts', async () => {
      const all = [alice, bob, patA, vera].map((c) => c.customerId);
      const ids = async (query: string) => (await listContacts(server, a.agentToken, query)).ids;
      assert.deepEqual(await ids(''), [...all].reverse(), 'newest seen first by default');
      assert.deepEqual(await ids('sort=lastSeen&order=asc&limit=1'), all);
      const created = [alice, bob, vera, patA].map((c) => c.customerId);
      assert.deepEqual(await ids('sort=created&order=asc&limit=2'), created);
      assert.deepEqual(await ids('sort=created&order=desc&limit=3'), [...created].reverse());
      assert.deepEqual(await ids('sort=name&order=asc&limit=1'), all, 'Alice, bob (case ignored), Pat, Vera');
      // A page's cursor, then a new contact seen later than all: the rest of the list is unchanged.
      const first = await call(server, 'GET', '/api/v1/contacts?sort=lastSeen&order=asc&limit=2', { token: a.agentToken });
      const late = await shopCustomer(server, a, 'late-5', { name: 'Late Comer' });
      const rest = await listContacts(server, a.agentToken, 'sort=lastSeen&order=asc&limit=2', first.body.nextCursor);
      assert.deepEqual(rest.ids, [patA.customerId, vera.customerId, late.customerId]);
      // A cursor of another order is refused, not misread.
      const other = await call(server, 'GET', `/api/v1/contacts?sort=name&cursor=${first.body.nextCursor}`, { token: a.agentToken });
      assert.deepEqual([other.status, other.body.error.code], [400, 'INVALID_CURSOR']);
      await server.storage.db.deleteFrom('contacts').where('customer_id', '=', late.customerId).execute();
    });

    test('a platform customer is a contact in each shop, with that shop’s labels, notes and opt-out only', async () => {
      const inA = await contact(a, patA.customerId);
      const inB = await contact(b, patB.customerId);
      assert.equal(inA.status, 200);
      assert.deepEqual(inA.body.contact.labelIds, [vipA]);
      assert.deepEqual(inB.body.contact.labelIds, [vipB]);
      assert.equal(inA.body.contact.optedOutAt, null);
      assert.notEqual(inB.body.contact.optedOutAt, null);
      assert.deepEqual(inA.body.notes, []);
      assert.deepEqual(inB.body.notes.map((n: { text: string }) => n.text), ['B only: prefers phone']);
      assert.equal(inA.body.conversation.id, patA.conversationId);
      assert.equal(inB.body.conversation.id, patB.conversationId);
      assert.ok(!JSON.stringify(inA.body).includes(patB.conversationId));
      // A's customers are not B's contacts.
      for (const id of [alice.customerId, vera.customerId]) assert.equal((await contact(b, id)).body.error.code, 'CUSTOMER_NOT_FOUND');
      // A platform customer's profile is the platform's: a shop may only opt them out.
      const renamed = await call(server, 'PATCH', `/api/v1/contacts/${patA.customerId}`, { token: a.agentToken, body: { name: 'Not Pat' } });
      assert.deepEqual([renamed.status, renamed.body.error.code], [403, 'FORBIDDEN']);
    });

    test('the contact page holds the conversation and inquiries; PATCH changes profile, attributes and opt-out', async () => {
      await send(server, bob.token, bob.conversationId, 'where is my order?');
      const page = await contact(a, bob.customerId);
      assert.equal(page.body.conversation.id, bob.conversationId);
      assert.equal(page.body.inquiries.length, 1);
      assert.equal(page.body.contact.customer.externalId, 'bob-2');
      const patched = await call(server, 'PATCH', `/api/v1/contacts/${bob.customerId}`, {
        token: a.agentToken,
        body: { name: 'Bob Brown', email: 'bob@new.test', attributes: { plan: 'gold' }, optedOut: true },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.customer.name, 'Bob Brown');
      assert.deepEqual(patched.body.attributes, { plan: 'gold' });
      assert.notEqual(patched.body.optedOutAt, null);
      assert.deepEqual((await listContacts(server, a.agentToken, 'attribute=plan:gold&optedOut=true')).ids, [bob.customerId]);
      await call(server, 'PATCH', `/api/v1/contacts/${bob.customerId}`, { token: a.agentToken, body: { optedOut: false, attributes: { plan: 'silver', orders: 30 } } });
      // The customer panel's scope is the contact row too.
      assert.equal((await call(server, 'GET', `/api/v1/customers/${bob.customerId}`, { token: a.agentToken })).status, 200);
      assert.equal((await call(server, 'GET', `/api/v1/customers/${bob.customerId}`, { token: b.agentToken })).status, 404);
    });

    test('notes: any agent writes; the author, admins and owners change or delete', async () => {
      const path = `/api/v1/contacts/${alice.customerId}/notes`;
      const made = await call(server, 'POST', path, { token: a.ownerToken, body: { text: '  called about a refund ' } });
      assert.equal(made.status, 201);
      assert.equal(made.body.text, 'called about a refund');
      assert.equal(made.body.authorName, 'Owner');
      const byAgent = await call(server, 'PATCH', `${path}/${made.body.id}`, { token: a.agentToken, body: { text: 'edited by a colleague' } });
      assert.deepEqual([byAgent.status, byAgent.body.error.code], [403, 'FORBIDDEN']);
      const agentNote = await call(server, 'POST', path, { token: a.agentToken, body: { text: 'mine' } });
      assert.equal((await call(server, 'PATCH', `${path}/${agentNote.body.id}`, { token: a.agentToken, body: { text: 'mine, edited' } })).body.text, 'mine, edited');
      assert.equal((await call(server, 'DELETE', `${path}/${agentNote.body.id}`, { token: a.ownerToken })).status, 204);
      const notes = (await contact(a, alice.customerId)).body.notes;
      assert.deepEqual(notes.map((n: { text: string }) => n.text), ['called about a refund']);
      assert.equal((await call(server, 'DELETE', `${path}/${agentNote.body.id}`, { token: a.ownerToken })).body.error.code, 'NOTE_NOT_FOUND');
      assert.equal((await call(server, 'POST', path, { token: a.agentToken, body: { text: '   ' } })).body.error.code, 'VALIDATION_FAILED');
    });

    test('last seen and channel move when a session starts or a socket connects, not per message', async () => {
      const seen = async () => (await contact(a, bob.customerId)).body.contact;
      const before = await seen();
      assert.equal(before.lastSeenAt, new Date(2000).toISOString());
      await send(server, bob.token, bob.conversationId, 'a message is not a visit');
      assert.equal((await seen()).lastSeenAt, before.lastSeenAt);
      // The push API writes for Bob: his channel is the API now.
      const pushed = await call(server, 'POST', '/api/v1/push/messages', { token: a.apiKey, body: { externalId: 'bob-2', clientMsgId: 'p-1', text: 'from the shop system' } });
      assert.equal(pushed.status, 201, JSON.stringify(pushed.body));
      const api = await seen();
      assert.equal(api.channel, 'api');
      assert.ok(Date.parse(api.lastSeenAt) > 2000);
      assert.deepEqual((await listContacts(server, a.agentToken, 'channel=api')).ids, [bob.customerId]);
      // He comes back through the widget's socket, then through a goim client on /sub.
      const socket = await rawAuthed(server, bob.token);
      await eventually('the web channel', async () => (await seen()).channel === 'web');
      socket.close();
      const sub = await goimWs(server.url);
      sub.request(goim.ops.auth, 1, { token: bob.token });
      await sub.next(goim.ops.authReply);
      await eventually('the goim channel', async () => (await seen()).channel === 'goim');
      sub.close();
    });

    test('a visitor who signs in brings their labels and notes to the customer’s contact; the visitor’s contact goes', async () => {
      const visitor = await openWidget(server, a.shopId, { profile: { name: 'Soon Known' } });
      const label = await createLabel(server, a, 'Lead');
      await call(server, 'PUT', `/api/v1/contacts/${visitor.customerId}/labels/${label}`, { token: a.agentToken });
      await call(server, 'PUT', `/api/v1/conversations/${visitor.conversationId}/labels/${label}`, { token: a.agentToken });
      await call(server, 'POST', `/api/v1/contacts/${visitor.customerId}/notes`, { token: a.agentToken, body: { text: 'asked about prices' } });
      const known = await shopCustomer(server, a, 'alice-1');
      const signedIn = await call(server, 'POST', '/api/v1/widget/sessions', {
        body: { shopId: a.shopId, visitorToken: visitor.visitorToken, identity: { jwt: await identityToken(a.identitySecret, 'alice-1') } },
      });
      assert.equal(signedIn.body.merged, true);
      const merged = await contact(a, known.customerId);
      assert.deepEqual(new Set(merged.body.contact.labelIds), new Set([vipA, label]));
      assert.ok(merged.body.notes.some((n: { text: string }) => n.text === 'asked about prices'));
      assert.ok(merged.body.conversation.labelIds.includes(label), "the visitor's conversation labels come along");
      assert.equal((await contact(a, visitor.customerId)).body.error.code, 'CUSTOMER_NOT_FOUND');
      const left = await server.storage.db.selectFrom('contact_labels').select('label_id').where('customer_id', '=', visitor.customerId).execute();
      assert.deepEqual(left, []);
    });

    test('paging by name holds with the longest names, in any script', async () => {
      const long = await shopCustomer(server, a, 'long-name', { name: '客'.repeat(118) + '😀' });
      const paged = await listContacts(server, a.agentToken, 'sort=name&order=asc&limit=1');
      const whole = await call(server, 'GET', '/api/v1/contacts?sort=name&order=asc&limit=100', { token: a.agentToken });
      assert.deepEqual(paged.ids, whole.body.items.map((c: { customer: { id: string } }) => c.customer.id));
      assert.equal(paged.ids.at(-1), long.customerId, 'the CJK name sorts after the Latin ones');
    });
  });
}
