import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, createShop, openWidget, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

/**
 * The durable outbox (storage/outbox.ts): facts an active webhook endpoint subscribed to are
 * recorded in the transaction that makes them; nothing else is written, so a shop without
 * webhooks pays nothing.
 */
for (const engine of engines) {
  describe(`outbox on ${engine}`, () => {
    let server: TestServer;
    let subscribed: ShopFixture;
    let other: ShopFixture;
    const sockets: RawClient[] = [];
    before(async () => {
      server = await startServer(engine);
      // The delivery job would fan the rows out as soon as they commit (webhooks.test.ts): stopped
      // here, so what was recorded stays to be read.
      await server.app.webhooks.stop();
      subscribed = await createShop(server, 'With webhooks');
      other = await createShop(server, 'Without');
      await server.storage.db
        .insertInto('webhook_subscriptions')
        .values(['message.created', 'inquiry.assigned'].map((event) => ({ endpoint_id: 'endpoint-1', shop_id: subscribed.shopId, event })))
        .execute();
    });
    after(async () => {
      sockets.forEach((s) => s.close());
      await server.close();
    });

    const outbox = (shopId: string) =>
      server.storage.db.selectFrom('outbox').select(['type', 'subject_id', 'data']).where('shop_id', '=', shopId).orderBy('id').execute();

    test('the subscribed facts of a shop, each once, with what its subject no longer tells', async () => {
      const customer = await openWidget(server, subscribed.shopId);
      const ws = await rawAuthed(server, customer.token);
      sockets.push(ws);
      const clientMsgId = randomUUID();
      for (let i = 0; i < 2; i++) {
        ws.send({ type: 'send', conversationId: customer.conversationId, clientMsgId, text: 'hello' });
        await ws.next('ack', (f) => f.clientMsgId === clientMsgId);
      }
      const owner = await rawAuthed(server, subscribed.ownerToken);
      sockets.push(owner);
      await owner.next('presence', (f) => f.userId === subscribed.ownerId && f.status === 'online');
      assert.equal((await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/claim`, { token: subscribed.ownerToken })).status, 200);
      assert.equal((await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/close`, { token: subscribed.ownerToken })).status, 200);

      const messages = await server.storage.db.selectFrom('messages').select('id').where('conversation_id', '=', customer.conversationId).orderBy('seq').execute();
      const inquiry = await server.storage.db.selectFrom('inquiries').select('id').where('conversation_id', '=', customer.conversationId).executeTakeFirstOrThrow();
      const rows = await outbox(subscribed.shopId);
      // The customer's message (its resend recorded nothing more), the claim, and the two system
      // messages ("joined", "closed"); inquiry.queued and inquiry.closed were not subscribed to.
      assert.equal(messages.length, 3);
      assert.deepEqual(
        rows.map((r) => [r.type, r.subject_id]),
        [
          ['message.created', messages[0]!.id],
          ['inquiry.assigned', customer.conversationId],
          ['message.created', messages[1]!.id],
          ['message.created', messages[2]!.id],
        ],
      );
      assert.deepEqual(JSON.parse(rows[1]!.data!), { inquiryId: inquiry.id, status: 'assigned', assigneeId: subscribed.ownerId, previousAssigneeId: null });
    });

    test('a shop nobody subscribed for writes nothing to the outbox', async () => {
      const customer = await openWidget(server, other.shopId);
      const reply = await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/messages`, {
        token: customer.token,
        body: { clientMsgId: randomUUID(), text: 'quiet shop' },
      });
      assert.equal(reply.status, 201);
      assert.deepEqual(await outbox(other.shopId), []);
    });
  });
}
