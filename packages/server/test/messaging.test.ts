import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, createShop, identityToken, openWidget, send, type ShopFixture } from './support/client.ts';
import { platformSecret, startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';

const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

for (const engine of engines) {
  describe(`messaging core on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;

    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server);
    });
    after(() => server.close());

    test('50 concurrent widget sessions for one identified customer make exactly one conversation', async () => {
      const jwt = await identityToken(shop.identitySecret, 'customer-42', { name: 'Ada' });
      const replies = await Promise.all(
        times(50, () => call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: shop.shopId, identity: { jwt } } })),
      );
      assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
      assert.equal(new Set(replies.map((r) => r.body.conversation.id)).size, 1);
      assert.equal(new Set(replies.map((r) => r.body.customer.id)).size, 1);
      const rows = await server.storage.db
        .selectFrom('conversations')
        .select('id')
        .where('customer_id', '=', replies[0]!.body.customer.id)
        .execute();
      assert.equal(rows.length, 1);
    });

    test('20 concurrent sends get seqs 1..20 with no gap or duplicate', async () => {
      const customer = await openWidget(server, shop.shopId);
      const replies = await Promise.all(times(20, (i) => send(server, customer.token, customer.conversationId, `message ${i}`)));
      assert.deepEqual(replies.map((r) => r.status), times(20, () => 201));
      const seqs = replies.map((r) => r.body.seq as number).sort((a, b) => a - b);
      assert.deepEqual(seqs, times(20, (i) => i + 1));
      const history = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages?limit=100`, { token: customer.token });
      assert.deepEqual(history.body.items.map((m: { seq: number }) => m.seq), times(20, (i) => i + 1));
    });

    test('a resend with the same clientMsgId returns the original message, also when concurrent', async () => {
      const customer = await openWidget(server, shop.shopId);
      const body = { clientMsgId: 'retry-1', text: 'hello once' };
      const path = `/api/v1/conversations/${customer.conversationId}/messages`;
      const first = await call(server, 'POST', path, { token: customer.token, body });
      const again = await call(server, 'POST', path, { token: customer.token, body: { ...body, text: 'changed text' } });
      assert.equal(first.status, 201);
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, first.body);
      const burst = await Promise.all(times(10, () => call(server, 'POST', path, { token: customer.token, body: { clientMsgId: 'retry-2', text: 'burst' } })));
      assert.equal(new Set(burst.map((r) => r.body.id)).size, 1);
      assert.equal(burst.filter((r) => r.status === 201).length, 1);
      const history = await call(server, 'GET', `${path}?limit=100`, { token: customer.token });
      assert.deepEqual(history.body.items.map((m: { seq: number }) => m.seq), [1, 2]);
      // The same clientMsgId from another sender is another message.
      const fromAgent = await call(server, 'POST', path, { token: shop.agentToken, body });
      assert.equal(fromAgent.status, 201);
      assert.equal(fromAgent.body.seq, 3);
    });

    test('read cursors only move forward and drive unread counts', async () => {
      const customer = await openWidget(server, shop.shopId);
      for (const text of ['a', 'b', 'c']) await send(server, shop.agentToken, customer.conversationId, text);
      const conversationPath = `/api/v1/conversations/${customer.conversationId}`;
      let view = await call(server, 'GET', conversationPath, { token: customer.token });
      assert.equal(view.body.unread, 3);
      assert.equal((await call(server, 'POST', `${conversationPath}/read`, { token: customer.token, body: { seq: 2 } })).body.readSeq, 2);
      assert.equal((await call(server, 'POST', `${conversationPath}/read`, { token: customer.token, body: { seq: 1 } })).body.readSeq, 2);
      view = await call(server, 'GET', conversationPath, { token: customer.token });
      assert.equal(view.body.unread, 1);
      // Beyond the end clamps to the last message.
      assert.equal((await call(server, 'POST', `${conversationPath}/read`, { token: customer.token, body: { seq: 999 } })).body.readSeq, 3);
      // Sending marks read for the sender; the agent now has one unread.
      const sent = await send(server, customer.token, customer.conversationId, 'reply');
      view = await call(server, 'GET', conversationPath, { token: customer.token });
      assert.equal(view.body.unread, 0);
      assert.equal(view.body.readSeq, sent.body.seq);
      view = await call(server, 'GET', conversationPath, { token: shop.agentToken });
      assert.equal(view.body.unread, 1);
    });

    test('internal notes never reach the customer: history, preview, unread, read cursor', async () => {
      const customer = await openWidget(server, shop.shopId);
      await send(server, customer.token, customer.conversationId, 'I need help');
      const note = await send(server, shop.agentToken, customer.conversationId, 'VIP, be nice', { visibility: 'internal' });
      assert.equal(note.status, 201);
      const base = `/api/v1/conversations/${customer.conversationId}`;
      const history = await call(server, 'GET', `${base}/messages`, { token: customer.token });
      assert.deepEqual(history.body.items.map((m: { text: string }) => m.text), ['I need help']);
      const staffHistory = await call(server, 'GET', `${base}/messages`, { token: shop.ownerToken });
      assert.deepEqual(staffHistory.body.items.map((m: { text: string }) => m.text), ['I need help', 'VIP, be nice']);
      const view = await call(server, 'GET', base, { token: customer.token });
      assert.equal(view.body.lastMessage.preview, 'I need help');
      assert.equal(view.body.unread, 0);
      assert.equal(view.body.lastSeq, 1);
      const read = await call(server, 'POST', `${base}/read`, { token: customer.token, body: { seq: 99 } });
      assert.equal(read.body.readSeq, 1);
      const list = await call(server, 'GET', '/api/v1/conversations', { token: customer.token });
      assert.ok(list.body.items.every((c: { lastMessage: { preview: string } | null }) => c.lastMessage?.preview !== 'VIP, be nice'));
      const byCustomer = await send(server, customer.token, customer.conversationId, 'sneaky', { visibility: 'internal' });
      assert.equal(byCustomer.status, 403);
      assert.equal(byCustomer.body.error.code, 'FORBIDDEN');
    });

    test('history pages backwards and forwards by seq', async () => {
      const customer = await openWidget(server, shop.shopId);
      for (let i = 1; i <= 7; i++) await send(server, customer.token, customer.conversationId, `m${i}`);
      const base = `/api/v1/conversations/${customer.conversationId}/messages`;
      const newest = await call(server, 'GET', `${base}?limit=3`, { token: customer.token });
      assert.deepEqual(newest.body.items.map((m: { seq: number }) => m.seq), [5, 6, 7]);
      assert.equal(newest.body.hasMore, true);
      const older = await call(server, 'GET', `${base}?limit=3&beforeSeq=5`, { token: customer.token });
      assert.deepEqual(older.body.items.map((m: { seq: number }) => m.seq), [2, 3, 4]);
      const oldest = await call(server, 'GET', `${base}?limit=3&beforeSeq=2`, { token: customer.token });
      assert.deepEqual(oldest.body.items.map((m: { seq: number }) => m.seq), [1]);
      assert.equal(oldest.body.hasMore, false);
      const forward = await call(server, 'GET', `${base}?limit=4&afterSeq=2`, { token: customer.token });
      assert.deepEqual(forward.body.items.map((m: { seq: number }) => m.seq), [3, 4, 5, 6]);
      assert.equal(forward.body.hasMore, true);
    });

    test('soft delete keeps the seq and drops the text; only the sender or an admin may delete', async () => {
      const customer = await openWidget(server, shop.shopId);
      const mine = await send(server, customer.token, customer.conversationId, 'oops');
      const theirs = await send(server, shop.agentToken, customer.conversationId, 'agent says');
      const base = `/api/v1/conversations/${customer.conversationId}/messages`;
      const denied = await call(server, 'DELETE', `${base}/${theirs.body.id}`, { token: customer.token });
      assert.equal(denied.status, 403);
      const deleted = await call(server, 'DELETE', `${base}/${mine.body.id}`, { token: customer.token });
      assert.equal(deleted.status, 200);
      assert.equal(deleted.body.text, null);
      assert.ok(deleted.body.deletedAt);
      const history = await call(server, 'GET', base, { token: shop.agentToken });
      assert.deepEqual(history.body.items.map((m: { seq: number; text: string | null }) => [m.seq, m.text]), [[1, null], [2, 'agent says']]);
      const byOwner = await call(server, 'DELETE', `${base}/${theirs.body.id}`, { token: shop.ownerToken });
      assert.equal(byOwner.status, 200);
    });

    test('a customer message opens a queued inquiry; further messages do not open another', async () => {
      const customer = await openWidget(server, shop.shopId);
      const before = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}`, { token: shop.agentToken });
      assert.equal(before.body.status, null);
      await send(server, customer.token, customer.conversationId, 'first');
      await Promise.all(times(5, (i) => send(server, customer.token, customer.conversationId, `more ${i}`)));
      const after = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}`, { token: shop.agentToken });
      assert.equal(after.body.status, 'queued');
      const inquiries = await server.storage.db
        .selectFrom('inquiries')
        .selectAll()
        .where('conversation_id', '=', customer.conversationId)
        .execute();
      assert.equal(inquiries.length, 1);
      await send(server, shop.agentToken, customer.conversationId, 'hello from us');
      const firstResponse = () =>
        server.storage.db.selectFrom('inquiries').select('first_response_at').where('id', '=', inquiries[0]!.id).executeTakeFirstOrThrow();
      const answered = await firstResponse();
      assert.ok(answered.first_response_at !== null);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await send(server, shop.agentToken, customer.conversationId, 'and a second answer');
      assert.deepEqual(await firstResponse(), answered, 'a later answer leaves the first response time alone');
    });

    test("the shop's list: newest activity first, filters, previews, cursor pagination", async () => {
      const other = await createShop(server, 'List shop');
      const customers: Awaited<ReturnType<typeof openWidget>>[] = [];
      for (let i = 0; i < 5; i++) {
        const c = await openWidget(server, other.shopId);
        await send(server, c.token, c.conversationId, `from customer ${i}`);
        customers.push(c);
      }
      // The first customer writes again and moves to the top.
      await send(server, customers[0]!.token, customers[0]!.conversationId, 'bump');
      const page1 = await call(server, 'GET', '/api/v1/conversations?limit=2', { token: other.agentToken });
      assert.equal(page1.status, 200);
      assert.deepEqual(page1.body.items.map((c: { id: string }) => c.id), [customers[0]!.conversationId, customers[4]!.conversationId]);
      assert.equal(page1.body.items[0].lastMessage.preview, 'bump');
      assert.equal(page1.body.items[0].unread, 2);
      const seen: string[] = page1.body.items.map((c: { id: string }) => c.id);
      let cursor = page1.body.nextCursor;
      while (cursor) {
        const next = await call(server, 'GET', `/api/v1/conversations?limit=2&cursor=${cursor}`, { token: other.agentToken });
        seen.push(...next.body.items.map((c: { id: string }) => c.id));
        cursor = next.body.nextCursor;
      }
      assert.deepEqual(seen, [0, 4, 3, 2, 1].map((i) => customers[i]!.conversationId));
      const queued = await call(server, 'GET', '/api/v1/conversations?status=queued&limit=100', { token: other.agentToken });
      assert.equal(queued.body.items.length, 5);
      const closed = await call(server, 'GET', '/api/v1/conversations?status=closed', { token: other.agentToken });
      assert.equal(closed.body.items.length, 0);
      const assigned = await call(server, 'GET', `/api/v1/conversations?assigneeId=${other.agentId}`, { token: other.agentToken });
      assert.equal(assigned.body.items.length, 0);
      const bad = await call(server, 'GET', '/api/v1/conversations?cursor=not-a-cursor', { token: other.agentToken });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'INVALID_CURSOR');
    });

    test("scope=mine lists the conversations a staff member took part in, not those they only read", async () => {
      const s = await createShop(server, 'Mine');
      const answered = await openWidget(server, s.shopId);
      const onlyRead = await openWidget(server, s.shopId);
      await send(server, answered.token, answered.conversationId, 'hi');
      await send(server, onlyRead.token, onlyRead.conversationId, 'hello');
      await send(server, s.agentToken, answered.conversationId, 'how can I help?');
      const read = await call(server, 'POST', `/api/v1/conversations/${onlyRead.conversationId}/read`, { token: s.agentToken, body: { seq: 1 } });
      assert.equal(read.body.readSeq, 1);
      const mine = await call(server, 'GET', '/api/v1/conversations?scope=mine', { token: s.agentToken });
      assert.deepEqual(mine.body.items.map((c: { id: string }) => c.id), [answered.conversationId]);
      const shopList = await call(server, 'GET', '/api/v1/conversations', { token: s.agentToken });
      const unread = Object.fromEntries(shopList.body.items.map((c: { id: string; unread: number }) => [c.id, c.unread]));
      assert.deepEqual(unread, { [answered.conversationId]: 0, [onlyRead.conversationId]: 0 });
    });

    test('scope=mine pages newest first by the last activity, which moves with every message in any of them', async () => {
      const s = await createShop(server, 'Mine in order');
      const widgets: Array<Awaited<ReturnType<typeof openWidget>>> = [];
      for (let i = 0; i < 5; i++) {
        const w = await openWidget(server, s.shopId);
        await send(server, w.token, w.conversationId, `hello ${i}`);
        await send(server, s.agentToken, w.conversationId, `answer ${i}`);
        widgets.push(w);
      }
      // Customers write again in another order: that order, newest first, is the list's.
      const order = [3, 0, 4, 1, 2];
      for (const i of order) await send(server, widgets[i]!.token, widgets[i]!.conversationId, `again ${i}`);
      const expected = order.map((i) => widgets[i]!.conversationId).reverse();
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await call(server, 'GET', `/api/v1/conversations?scope=mine&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: s.agentToken });
        seen.push(...page.body.items.map((c) => c.id));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(seen, expected);
    });

    test("a platform customer's list spans shops, sorted by last message, with preview and unread", async () => {
      const [a, b, c] = [await createShop(server, 'Canteen'), await createShop(server, 'Print shop'), await createShop(server, 'Property desk')];
      const jwt = await identityToken(platformSecret, 'platform-user-7', { platform: true, name: 'Lin' });
      const sessions = [];
      for (const s of [a, b, c]) sessions.push(await openWidget(server, s.shopId, { identity: { jwt } }));
      assert.equal(new Set(sessions.map((s) => s.customerId)).size, 1);
      await send(server, a.agentToken, sessions[0]!.conversationId, 'your lunch is ready');
      await send(server, c.agentToken, sessions[2]!.conversationId, 'rent is due');
      await send(server, c.agentToken, sessions[2]!.conversationId, 'reminder');
      const list = await call(server, 'GET', '/api/v1/conversations', { token: sessions[1]!.token });
      assert.deepEqual(
        list.body.items.map((x: { shopName: string; unread: number; lastMessage: { preview: string } | null }) => [x.shopName, x.unread, x.lastMessage?.preview ?? null]),
        [
          ['Property desk', 2, 'reminder'],
          ['Canteen', 1, 'your lunch is ready'],
          ['Print shop', 0, null],
        ],
      );
    });
  });
}
