import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Message } from '@frontdesk/protocol';
import { call, createShop, identityToken, openWidget, send, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

/** `setUser` in the widget: an anonymous visitor signs in and their conversation carries over. */
for (const engine of engines) {
  describe(`visitor → identified customer on ${engine}`, () => {
    let server: TestServer;
    const sockets: RawClient[] = [];

    before(async () => {
      server = await startServer(engine);
    });
    after(async () => {
      sockets.forEach((s) => s.close());
      await server.close();
    });

    const jwtFor = (shop: ShopFixture, sub: string) => identityToken(shop.identitySecret, sub, { name: `Customer ${sub}` });
    const identify = async (shop: ShopFixture, sub: string, visitorToken?: string | null) =>
      call(server, 'POST', '/api/v1/widget/sessions', {
        body: { shopId: shop.shopId, identity: { jwt: await jwtFor(shop, sub) }, ...(visitorToken && { visitorToken }) },
      });
    const history = async (token: string, conversationId: string): Promise<Message[]> => {
      const reply = await call(server, 'GET', `/api/v1/conversations/${conversationId}/messages?limit=100`, { token });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.items;
    };
    /** Staff take inquiries only while a device of theirs is online. */
    async function online(token: string, staffId: string): Promise<RawClient> {
      const ws = await rawAuthed(server, token);
      sockets.push(ws);
      await ws.next('presence', (f) => f.userId === staffId && f.status === 'online');
      return ws;
    }
    /** The conversation as the customer reads it: seqs in order, without the routing's system lines. */
    const said = (messages: Message[]) => messages.filter((m) => m.kind !== 'system').map((m) => m.text);
    const agentLoad = async (shop: ShopFixture, staffId: string) => {
      const reply = await call(server, 'GET', '/api/v1/agents', { token: shop.ownerToken });
      return reply.body.find((a: { staffId: string }) => a.staffId === staffId)?.openInquiries as number;
    };

    test('a first sign-in takes the visitor’s conversation along: messages, inquiry and agent', async () => {
      const shop = await createShop(server);
      const owner = await online(shop.ownerToken, shop.ownerId);
      await online(shop.agentToken, shop.agentId);
      const visitor = await openWidget(server, shop.shopId);
      await send(server, visitor.token, visitor.conversationId, 'hello, I am anonymous');
      const claimed = await call(server, 'POST', `/api/v1/conversations/${visitor.conversationId}/claim`, { token: shop.agentToken });
      assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
      await send(server, shop.agentToken, visitor.conversationId, 'hi, how can I help?');

      const signedIn = await identify(shop, 'alice', visitor.visitorToken);
      assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
      assert.equal(signedIn.body.merged, true);
      assert.equal(signedIn.body.customer.kind, 'shop');
      const conversationId = signedIn.body.conversation.id;
      assert.notEqual(conversationId, visitor.conversationId);
      assert.equal(signedIn.body.conversation.status, 'assigned', 'the open inquiry moved along');
      assert.equal(signedIn.body.conversation.assigneeId, shop.agentId);

      const messages = await history(signedIn.body.token, conversationId);
      assert.deepEqual(messages.map((m) => m.seq), [1, 2, 3]);
      assert.deepEqual(said(messages), ['hello, I am anonymous', 'hi, how can I help?']);
      assert.equal(messages[0]!.senderId, signedIn.body.customer.id, 'the visitor’s messages are now the customer’s');
      assert.equal(signedIn.body.conversation.unread, 2, 'the visitor’s read state came along: the join line and the reply are unread');

      const event = await owner.next('conversation', (f) => f.change === 'merged');
      assert.equal(event.mergedFromId, visitor.conversationId);
      assert.equal(event.conversation.id, conversationId);

      // The visitor is gone: token, session and conversation.
      const resumed = await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: shop.shopId, visitorToken: visitor.visitorToken } });
      assert.equal(resumed.body.error.code, 'VISITOR_TOKEN_INVALID');
      assert.equal((await call(server, 'GET', `/api/v1/conversations/${conversationId}`, { token: visitor.token })).status, 401);
      assert.equal((await call(server, 'GET', `/api/v1/conversations/${visitor.conversationId}`, { token: shop.agentToken })).status, 404);
      const listed = await call(server, 'GET', '/api/v1/conversations', { token: shop.agentToken });
      assert.deepEqual(listed.body.items.map((c: { id: string }) => c.id), [conversationId]);
      assert.equal(await agentLoad(shop, shop.agentId), 1, 'the agent still serves one inquiry');

      // The conversation goes on as the customer's.
      assert.equal((await send(server, shop.agentToken, conversationId, 'welcome back, Alice')).body.seq, 4);
      assert.equal((await send(server, signedIn.body.token, conversationId, 'thanks')).body.seq, 5);
    });

    test('into an existing history: numbered after it, seen by a console syncing by position, the visitor’s open inquiry closed', async () => {
      const shop = await createShop(server);
      await online(shop.ownerToken, shop.ownerId);
      const console = await online(shop.agentToken, shop.agentId);
      const known = await identify(shop, 'bob');
      const customerConversation = known.body.conversation.id;
      await send(server, known.body.token, customerConversation, 'last week: where is my order?');
      await call(server, 'POST', `/api/v1/conversations/${customerConversation}/claim`, { token: shop.ownerToken });
      await send(server, shop.ownerToken, customerConversation, 'it ships tomorrow');

      console.send({ type: 'sync', id: 'start' });
      const start = await console.next('sync.result', (f) => f.id === 'start');

      const visitor = await openWidget(server, shop.shopId);
      await send(server, visitor.token, visitor.conversationId, 'today, not signed in');
      await call(server, 'POST', `/api/v1/conversations/${visitor.conversationId}/claim`, { token: shop.agentToken });
      await send(server, shop.agentToken, visitor.conversationId, 'could you sign in?');
      assert.equal(await agentLoad(shop, shop.agentId), 1);

      const signedIn = await identify(shop, 'bob', visitor.visitorToken);
      assert.equal(signedIn.body.merged, true);
      assert.equal(signedIn.body.conversation.id, customerConversation);
      assert.equal(signedIn.body.conversation.assigneeId, shop.ownerId, 'the customer’s own open inquiry stands');
      const messages = await history(signedIn.body.token, customerConversation);
      assert.deepEqual(messages.map((m) => m.seq), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(said(messages), ['last week: where is my order?', 'it ships tomorrow', 'today, not signed in', 'could you sign in?']);
      assert.equal(await agentLoad(shop, shop.agentId), 0, 'the visitor’s inquiry was closed and its agent freed');
      const inquiries = await server.storage.db.selectFrom('inquiries').select(['status', 'conversation_id']).where('shop_id', '=', shop.shopId).execute();
      assert.deepEqual(inquiries.map((i) => i.status).sort(), ['assigned', 'closed']);
      assert.ok(inquiries.every((i) => i.conversation_id === customerConversation));

      console.send({ type: 'sync', id: 'after', token: start.token });
      const synced = await console.next('sync.result', (f) => f.id === 'after');
      const moved = synced.messages.filter((m) => m.conversationId === customerConversation);
      assert.deepEqual(said(moved), ['today, not signed in', 'could you sign in?']);
      assert.deepEqual(moved.map((m) => m.seq), [4, 5, 6]);

      assert.equal((await send(server, signedIn.body.token, customerConversation, 'signed in now')).body.seq, 7);
    });

    test('an agent already talking to the visitor keeps the conversation over the customer’s queued inquiry', async () => {
      const shop = await createShop(server);
      await online(shop.agentToken, shop.agentId);
      const known = await identify(shop, 'dora');
      await send(server, known.body.token, known.body.conversation.id, 'queued question from the phone');
      const visitor = await openWidget(server, shop.shopId);
      await send(server, visitor.token, visitor.conversationId, 'chatting now');
      await call(server, 'POST', `/api/v1/conversations/${visitor.conversationId}/claim`, { token: shop.agentToken });

      const signedIn = await identify(shop, 'dora', visitor.visitorToken);
      assert.equal(signedIn.body.conversation.status, 'assigned');
      assert.equal(signedIn.body.conversation.assigneeId, shop.agentId);
      assert.equal(await agentLoad(shop, shop.agentId), 1, 'the agent keeps the conversation');
      const inquiries = await server.storage.db.selectFrom('inquiries').select(['status', 'assignee_id']).where('shop_id', '=', shop.shopId).execute();
      assert.deepEqual(inquiries.map((i) => `${i.status}:${i.assignee_id ?? '-'}`).sort(), [`assigned:${shop.agentId}`, 'closed:-']);
      const queue = await call(server, 'GET', '/api/v1/conversations/counts', { token: shop.agentToken });
      assert.equal(queue.body.queue, 0, 'nothing left waiting');
    });

    test('a stale or foreign visitor token does not stop a sign-in, and another shop’s visitor is left alone', async () => {
      const shop = await createShop(server);
      const other = await createShop(server, 'Other');
      const foreign = await openWidget(server, other.shopId);
      await send(server, foreign.token, foreign.conversationId, 'I belong to the other shop');

      const stale = await identify(shop, 'carol', `fdv_${randomUUID()}`);
      assert.equal(stale.status, 200);
      assert.equal(stale.body.merged, false);
      const crossShop = await identify(shop, 'carol', foreign.visitorToken);
      assert.equal(crossShop.status, 200);
      assert.equal(crossShop.body.merged, false);
      assert.deepEqual(await history(crossShop.body.token, crossShop.body.conversation.id), []);
      assert.deepEqual((await history(foreign.token, foreign.conversationId)).map((m) => m.text), ['I belong to the other shop']);
      const resumed = await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: other.shopId, visitorToken: foreign.visitorToken } });
      assert.equal(resumed.body.customer.id, foreign.customerId);
    });
  });
}
