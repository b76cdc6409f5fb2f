/**
 * A webhook's payload reads its subjects when the event is fanned out, in several queries. A visitor
 * merged into a customer between them moves the message into the customer's conversation and
 * deletes the one it was read in (a CI run caught `data.conversation` null): the message is read
 * again, with its conversation as it now is.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildEvents, type Subjects } from '../src/integrations/webhooks/payload.ts';
import { webhookDeliveryStore } from '../src/storage/webhook-delivery-store.ts';
import { createShop, identityToken, openWidget, send, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';

for (const engine of engines) {
  describe(`webhook payloads read across a merge on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server, 'Payloads');
    });
    after(() => server.close());

    test('a message moved by a merge between the reads comes with the conversation it is in now', async () => {
      const visitor = await openWidget(server, shop.shopId);
      const sent = await send(server, visitor.token, visitor.conversationId, 'before I signed in');
      assert.equal(sent.status, 201);
      const jwt = await identityToken(shop.identitySecret, `c-${randomUUID()}`);
      const store = webhookDeliveryStore(server.storage.db, server.storage.engine, server.storage.sqlite);
      let customerConversation: string | null = null;
      const racing: Subjects = {
        async messages(ids) {
          const found = await store.messages(ids);
          // The merge commits right after the first read of the message.
          if (customerConversation === null) customerConversation = (await openWidget(server, shop.shopId, { visitorToken: visitor.visitorToken, identity: { jwt } })).conversationId;
          return found;
        },
        conversations: (ids) => store.conversations(ids),
        staff: (ids) => store.staff(ids),
        customers: (ids) => store.customers(ids),
      };
      const row = { id: randomUUID(), shopId: shop.shopId, type: 'message.created', subjectId: sent.body.id as string, data: {}, createdAt: Date.now() };
      const built = await buildEvents([row], racing);
      assert.notEqual(customerConversation, visitor.conversationId, 'the visitor’s conversation was merged away');
      const data = JSON.parse(built.get(row.id)!.body).data;
      assert.equal(data.message.id, sent.body.id);
      assert.equal(data.message.conversationId, customerConversation);
      assert.equal(data.conversation?.id, customerConversation);

      // A message that is gone stays null, and so does its conversation.
      const gone = { ...row, id: randomUUID(), subjectId: randomUUID() };
      const none = JSON.parse((await buildEvents([gone], store)).get(gone.id)!.body).data;
      assert.deepEqual([none.message, none.conversation], [null, null]);
    });
  });
}
