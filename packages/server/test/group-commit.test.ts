import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId } from '../src/domain/ids.ts';
import type { NewMessage } from '../src/domain/ports.ts';
import { groupCommit } from '../src/storage/group-commit.ts';
import { createShop, openWidget } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';

describe('group commit', () => {
  test('a failing batch is retried item by item, so only the bad item fails', async () => {
    const batches: number[][] = [];
    const run = groupCommit<number, number>(async (batch) => {
      batches.push([...batch]);
      if (batch.includes(13) && batch.length > 1) throw new Error('the batch fails');
      return batch.map((n) => (n === 13 ? new Error('unlucky') : n * 2));
    });
    const results = await Promise.allSettled([1, 2, 13, 4].map(run));
    assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)), [2, 4, 'unlucky', 8]);
    assert.deepEqual(batches[0], [1, 2, 13, 4], 'calls of one turn share a batch');
  });
});

for (const engine of engines) {
  describe(`batched appends on ${engine}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(engine);
    });
    after(() => server.close());

    const message = (shopId: string, conversationId: string, senderId: string, clientMsgId: string, text: string): NewMessage => ({
      id: newId(),
      shopId,
      conversationId,
      senderId,
      senderKind: 'customer',
      senderRole: 'customer',
      kind: 'user',
      contentType: 'text',
      text,
      visibility: 'public',
      clientMsgId,
      createdAt: Date.now(),
      openInquiry: { id: newId(), customerId: senderId },
    });

    test('concurrent appends over many conversations and shops: gapless seqs, contiguous stream positions, resends answered with the original', async () => {
      const shops = [await createShop(server, 'A'), await createShop(server, 'B')];
      const customers = [];
      for (let i = 0; i < 10; i++) customers.push({ shop: shops[i % 2]!, ...(await openWidget(server, shops[i % 2]!.shopId)) });
      const inputs: NewMessage[] = [];
      for (let i = 0; i < 300; i++) {
        const c = customers[i % 10]!;
        inputs.push(message(c.shop.shopId, c.conversationId, c.customerId, `m${i}`, `text ${i}`));
      }
      // Every tenth message is sent twice at once: both copies land in the same batch.
      const twins = inputs.filter((_, i) => i % 10 === 0).map((m) => ({ ...m, id: newId() }));
      const results = await Promise.all([...inputs, ...twins].map((m) => server.app.store.messages.append(m)));
      const originals = results.slice(0, 300);
      const twinResults = results.slice(300);
      assert.equal(originals.filter((r) => r.duplicate).length, 0);
      twinResults.forEach((r, i) => {
        assert.equal(r.duplicate, true);
        assert.equal(r.message.id, originals[i * 10]!.message.id);
      });
      for (const c of customers) {
        const rows = await server.storage.db.selectFrom('messages').select(['seq', 'client_msg_id']).where('conversation_id', '=', c.conversationId).orderBy('seq').execute();
        assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 30 }, (_, i) => i + 1));
        const conversation = await server.storage.db.selectFrom('conversations').selectAll().where('id', '=', c.conversationId).executeTakeFirstOrThrow();
        assert.equal(conversation.last_seq, 30);
        assert.equal(conversation.status, 'queued');
      }
      for (const shop of shops) {
        const positions = await server.storage.db.selectFrom('messages').select('stream_pos').where('shop_id', '=', shop.shopId).orderBy('stream_pos').execute();
        assert.deepEqual(positions.map((p) => p.stream_pos), Array.from({ length: 150 }, (_, i) => i + 1));
        assert.equal(await server.app.store.messages.streamPosition(shop.shopId), 150);
      }
      const inquiries = await server.storage.db.selectFrom('inquiries').select('conversation_id').where('shop_id', 'in', shops.map((s) => s.shopId)).execute();
      assert.equal(inquiries.length, 10, 'one inquiry per conversation, however many messages opened it at once');
    });

    test('an append to a conversation that does not exist fails alone', async () => {
      const shop = await createShop(server, 'C');
      const c = await openWidget(server, shop.shopId);
      const results = await Promise.allSettled([
        server.app.store.messages.append(message(shop.shopId, c.conversationId, c.customerId, 'ok-1', 'fine')),
        server.app.store.messages.append(message(shop.shopId, newId(), c.customerId, 'bad', 'nowhere')),
        server.app.store.messages.append(message(shop.shopId, c.conversationId, c.customerId, 'ok-2', 'fine too')),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
      const rejected = results[1] as PromiseRejectedResult;
      assert.equal((rejected.reason as { code?: string }).code, 'CONVERSATION_NOT_FOUND');
      const seqs = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ message: { seq: number } }>).value.message.seq);
      assert.deepEqual(seqs, [1, 2]);
    });
  });
}
