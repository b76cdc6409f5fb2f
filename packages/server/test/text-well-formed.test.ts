import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, createShop, openWidget, send, type CustomerFixture, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed } from './support/ws-client.ts';

/**
 * A text with a lone surrogate (valid JSON, not valid UTF-8) is stored with U+FFFD in its place:
 * the ack (HTTP and WebSocket) must say exactly what history says, not what was sent (issue 22).
 */
for (const engine of engines) {
  describe(`texts made well-formed on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let customer: CustomerFixture;
    const history = async () =>
      (await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages?limit=100`, { token: shop.ownerToken })).body.items as Array<{ id: string; text: string }>;

    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server, 'Surrogates');
      customer = await openWidget(server, shop.shopId);
    });
    after(() => server.close());

    test('HTTP: the reply to a send and to an edit is the stored text', async () => {
      const sent = await send(server, customer.token, customer.conversationId, 'half an emoji \uD83D here');
      assert.equal(sent.status, 201);
      assert.equal(sent.body.text, 'half an emoji \uFFFD here');
      assert.equal((await history()).find((m) => m.id === sent.body.id)?.text, sent.body.text);
      const edited = await call(server, 'PATCH', `/api/v1/conversations/${customer.conversationId}/messages/${sent.body.id}`, { token: customer.token, body: { text: 'now \uDC00 low' } });
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      assert.equal(edited.body.text, 'now \uFFFD low');
      assert.equal((await history()).find((m) => m.id === sent.body.id)?.text, edited.body.text);
    });

    test('WebSocket: the ack is the stored text', async () => {
      const socket = await rawAuthed(server, customer.token);
      const clientMsgId = randomUUID();
      socket.send({ type: 'send', id: 's1', conversationId: customer.conversationId, clientMsgId, text: '\uDBFF' });
      const ack = await socket.next('ack', (f) => f.clientMsgId === clientMsgId);
      assert.equal(ack.message.text, '\uFFFD');
      assert.equal((await history()).find((m) => m.id === ack.message.id)?.text, '\uFFFD');
      socket.close();
    });
  });
}
