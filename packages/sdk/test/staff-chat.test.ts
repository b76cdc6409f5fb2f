import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { BroadcastFrame, Message } from '@frontdesk/protocol';
import { FrontdeskClient, FrontdeskError } from '../src/index.ts';
import { call, createShop, type ShopFixture } from '../../server/test/support/client.ts';
import { startServer, type TestServer } from '../../server/test/support/server.ts';
import { engines } from '../../server/test/support/storage.ts';
import { next, Recorder, until, wsUrl } from './support/helpers.ts';

/** What the SDK adds for staff chat (docs/staff-chat.md): mentions on send, edits and deletes, broadcasts. */
for (const engine of engines) {
  describe(`sdk staff chat on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    /** A client of the test, closed when it ends. */
    const open = (t: TestContext, token: string) => {
      const client = new FrontdeskClient({ url: wsUrl(server), token });
      t.after(() => client.close());
      return client;
    };

    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server);
    });
    after(() => server.close());

    test('a mention goes out with the send (queued before the connection too) and arrives on the other side', async (t) => {
      const direct = await call(server, 'POST', '/api/v1/direct', { token: shop.agentToken, body: { staffId: shop.ownerId } });
      assert.equal(direct.status, 200, JSON.stringify(direct.body));
      const agent = open(t, shop.agentToken);
      const owner = open(t, shop.ownerToken);
      const onOwner = new Recorder(owner);
      // Queued while not connected: the mention is kept in the outbox and sent after the auth.
      const early = agent.send({ conversationId: direct.body.id, text: '@Owner early', mentions: [shop.ownerId, shop.ownerId] });
      assert.deepEqual(early.pending.mentions, [shop.ownerId], 'repeats dropped');
      await Promise.all([agent.connect(), owner.connect()]);
      const stored = await early.promise;
      assert.deepEqual(stored.mentions, [shop.ownerId]);
      const plain = await agent.send({ conversationId: direct.body.id, text: 'no mention' }).promise;
      assert.deepEqual(plain.mentions, []);
      assert.equal(agent.send({ conversationId: direct.body.id, text: 'x' }).pending.mentions, undefined);

      await until(() => onOwner.in(direct.body.id).length >= 2, 'the owner has both');
      assert.deepEqual(onOwner.in(direct.body.id).slice(0, 2).map((m) => m.mentions), [[shop.ownerId], []]);

      // Refused locally: the server would refuse the frame anyway.
      for (const mentions of [[''], Array.from({ length: 51 }, (_, i) => `id${i}`), 'all' as unknown as string[]]) {
        assert.throws(() => agent.send({ conversationId: direct.body.id, text: 'x', mentions }), (e: unknown) => e instanceof FrontdeskError && e.code === 'VALIDATION_FAILED');
      }
    });

    test('edits and deletes come as messageUpdated on both sides, never as a new message', async (t) => {
      const direct = await call(server, 'POST', '/api/v1/direct', { token: shop.agentToken, body: { staffId: shop.ownerId } });
      const agent = open(t, shop.agentToken);
      const owner = open(t, shop.ownerToken);
      const updates: Record<string, Message[]> = { agent: [], owner: [] };
      agent.on('messageUpdated', (m) => updates.agent!.push(m));
      owner.on('messageUpdated', (m) => updates.owner!.push(m));
      const onOwner = new Recorder(owner);
      await Promise.all([agent.connect(), owner.connect()]);
      const sent = await agent.send({ conversationId: direct.body.id, text: 'teh plan' }).promise;
      await until(() => onOwner.messages.some((m) => m.id === sent.id), 'delivered');

      const path = `/api/v1/conversations/${direct.body.id}/messages/${sent.id}`;
      assert.equal((await call(server, 'PATCH', path, { token: shop.agentToken, body: { text: 'the plan' } })).status, 200);
      await until(() => updates.agent!.length === 1 && updates.owner!.length === 1, 'the edit on both sides');
      for (const m of [updates.agent![0]!, updates.owner![0]!]) assert.deepEqual([m.id, m.seq, m.text, m.editedAt !== null], [sent.id, sent.seq, 'the plan', true]);

      assert.equal((await call(server, 'DELETE', path, { token: shop.agentToken })).status, 200);
      await until(() => updates.agent!.length === 2 && updates.owner!.length === 2, 'the delete on both sides');
      for (const m of [updates.agent![1]!, updates.owner![1]!]) assert.deepEqual([m.text, m.deletedAt !== null], [null, true]);
      assert.equal(onOwner.messages.filter((m) => m.id === sent.id).length, 1, 'shown once as a message');
    });

    test('a broadcast arrives as a broadcast event', async (t) => {
      const agent = open(t, shop.agentToken);
      await agent.connect();
      const arrival: Promise<BroadcastFrame> = next(agent, 'broadcast');
      const sent = await call(server, 'POST', '/api/v1/broadcasts', { token: shop.ownerToken, body: { title: 'Stocktake', text: 'Friday at 6', to: 'all' } });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      const frame = await arrival;
      assert.deepEqual([frame.broadcast.id, frame.broadcast.title, frame.broadcast.text, frame.broadcast.readAt], [sent.body.id, 'Stocktake', 'Friday at 6', null]);
    });
  });
}
