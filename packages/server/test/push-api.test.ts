import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, identityToken, openWidget, shopWithKey, type CustomerFixture } from './support/client.ts';
import { snapshotRows } from './support/snapshot.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed } from './support/ws-client.ts';

/** Frontdesk's own JSON push API with a shop's API key: stored messages and ephemeral events. */
for (const engine of engines) {
  describe(`JSON push API on ${engine}`, () => {
    let server: TestServer;
    let a: Awaited<ReturnType<typeof shopWithKey>>;
    let b: typeof a;
    let customer: CustomerFixture;

    before(async () => {
      server = await startServer(engine);
      a = await shopWithKey(server, 'Alpha');
      b = await shopWithKey(server, 'Bravo');
      customer = await openWidget(server, a.shopId, { identity: { jwt: await identityToken(a.identitySecret, 'order-42') } });
    });
    after(() => server.close());

    test('a stored message by external id: through the send path, idempotent with its clientMsgId (stored once), as the customer or a staff member', async () => {
      const customerSocket = await rawAuthed(server, customer.token);
      const agentSocket = await rawAuthed(server, a.agentToken);
      const clientMsgId = randomUUID();
      const body = { externalId: 'order-42', clientMsgId, text: 'Your order has shipped', staffId: a.agentId };
      const sent = await call(server, 'POST', '/api/v1/push/messages', { token: a.apiKey, body });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      assert.deepEqual([sent.body.conversationId, sent.body.senderId, sent.body.text], [customer.conversationId, a.agentId, 'Your order has shipped']);
      assert.equal((await customerSocket.next('message', (f) => f.message.id === sent.body.id)).message.seq, sent.body.seq);
      const again = await call(server, 'POST', '/api/v1/push/messages', { token: a.apiKey, body });
      assert.deepEqual([again.status, again.body.id], [200, sent.body.id]);
      const asCustomer = await call(server, 'POST', '/api/v1/push/messages', { token: a.apiKey, body: { externalId: 'order-42', clientMsgId: randomUUID(), text: 'from the site' } });
      assert.equal(asCustomer.body.senderId, customer.customerId);
      await agentSocket.next('message', (f) => f.message.id === asCustomer.body.id);
      const history = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages`, { token: a.ownerToken });
      assert.equal(history.body.items.filter((m: { id: string }) => m.id === sent.body.id).length, 1);
      // A resend may be published again (events.ts: `resent`), always as the same message: clients drop it by (conversation, seq).
      const copies = customerSocket.frames.filter((f) => f.type === 'message' && f.message.clientMsgId === clientMsgId);
      assert.ok(copies.every((f) => f.type === 'message' && f.message.id === sent.body.id && f.message.seq === sent.body.seq));
      customerSocket.close();
      agentSocket.close();
    });

    test('an ephemeral event to a customer, a conversation or a room; nothing stored', async () => {
      const customerSocket = await rawAuthed(server, customer.token);
      const ownerSocket = await rawAuthed(server, a.ownerToken);
      const before = await snapshotRows(server.storage.db);
      const push = (to: unknown, body: string) => call(server, 'POST', '/api/v1/push/events', { token: a.apiKey, body: { to, operation: 1001, body } });
      assert.equal((await push({ externalId: 'order-42' }, 'to the customer')).status, 202);
      assert.deepEqual(await customerSocket.next('push'), { type: 'push', operation: 1001, body: 'to the customer' });
      assert.equal((await push({ conversationId: customer.conversationId }, 'to the conversation')).status, 202);
      await customerSocket.next('push', (f) => f.body === 'to the conversation');
      await ownerSocket.next('push', (f) => f.body === 'to the conversation');
      assert.equal((await push({ room: 'live://1' }, 'to an empty room')).status, 202);
      assert.deepEqual(await snapshotRows(server.storage.db), before);
      customerSocket.close();
      ownerSocket.close();
    });

    test('another shop’s key finds nothing of this shop; staff and customer tokens are not API keys', async () => {
      const before = await snapshotRows(server.storage.db);
      const customerSocket = await rawAuthed(server, customer.token);
      const refusals: Array<[string, unknown, number, string]> = [
        ['/api/v1/push/messages', { externalId: 'order-42', clientMsgId: 'x1', text: 'intruder' }, 404, 'CUSTOMER_NOT_FOUND'],
        ['/api/v1/push/messages', { externalId: 'order-42', clientMsgId: 'x2', text: 'intruder', staffId: a.agentId }, 404, 'STAFF_NOT_FOUND'],
        ['/api/v1/push/events', { to: { externalId: 'order-42' }, body: 'intruder' }, 404, 'CUSTOMER_NOT_FOUND'],
        ['/api/v1/push/events', { to: { conversationId: customer.conversationId }, body: 'intruder' }, 404, 'CONVERSATION_NOT_FOUND'],
        ['/api/v1/push/events', { to: { room: `shop://${a.shopId}` }, body: 'intruder' }, 404, 'ROOM_NOT_FOUND'],
        ['/api/v1/push/events', { to: { room: customer.conversationId }, body: 'intruder' }, 404, 'ROOM_NOT_FOUND'],
      ];
      for (const [path, body, status, code] of refusals) {
        const reply = await call(server, 'POST', path, { token: b.apiKey, body });
        assert.deepEqual([reply.status, reply.body.error?.code], [status, code], `${path} ${JSON.stringify(body)}`);
      }
      for (const token of [a.ownerToken, customer.token]) {
        const reply = await call(server, 'POST', '/api/v1/push/events', { token, body: { to: { externalId: 'order-42' }, body: 'x' } });
        assert.deepEqual([reply.status, reply.body.error.code], [401, 'TOKEN_INVALID']);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(customerSocket.frames.filter((f) => f.type === 'push'), []);
      assert.deepEqual(await snapshotRows(server.storage.db), before);
      customerSocket.close();
    });
  });
}
