import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId } from '../src/domain/ids.ts';
import type { NewMessage } from '../src/domain/ports.ts';
import { groupCommit } from '../src/storage/group-commit.ts';
import { eventually } from './support/eventually.ts';
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

  test('a batch stuck on one key holds up that key alone; calls of a key keep their order', async () => {
    let release = () => {};
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const batches: string[][] = [];
    const run = groupCommit<string, string>(
      async (batch) => {
        batches.push([...batch]);
        if (batch.includes('a1')) await stuck;
        return [...batch];
      },
      { concurrency: 4, keyOf: (item) => item[0]! },
    );
    const first = run('a1');
    await new Promise((resolve) => setImmediate(resolve));
    const later = ['b1', 'a2', 'c1', 'b2'].map(run);
    // b and c go while a's batch waits; a2 waits for a1.
    assert.deepEqual(await Promise.all([later[0], later[2], later[3]]), ['b1', 'c1', 'b2']);
    assert.ok(!batches.some((batch) => batch.includes('a2')), 'a2 not written while a1 is in flight');
    release();
    assert.equal(await first, 'a1');
    assert.equal(await later[1], 'a2');
    assert.deepEqual(batches.at(-1), ['a2']);
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

    test('concurrent appends over many conversations and shops: gapless seqs, a place each in the shop stream, resends answered with the original', async () => {
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
        // Every message has a place of its own in the shop's stream, and all of them become final.
        // On PostgreSQL the horizon is the database's oldest running transaction: another suite's
        // (bounded) transaction may hold it back for a moment, never for good.
        const places = await server.storage.db.selectFrom('messages').select(['stream_tx', 'stream_pos']).where('shop_id', '=', shop.shopId).execute();
        assert.equal(new Set(places.map((p) => `${p.stream_tx}:${p.stream_pos}`)).size, 150);
        await eventually('the stream horizon to pass every message', async () => {
          const horizon = await server.app.store.messages.streamHorizon(shop.shopId);
          return places.every((p) => p.stream_tx < horizon);
        });
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
