import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, createShop, openWidget, send } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { nothing, rawAuthed } from './support/ws-client.ts';

for (const engine of engines) {
  describe(`operations figures on ${engine}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(engine, { OPERATIONS_PUSH_MS: '100' });
    });
    after(() => server.close());

    test('owners see their shop’s messages per minute, today and total, the queue, agents and nodes; agents are refused', async () => {
      const shop = await createShop(server);
      assert.equal((await call(server, 'GET', '/api/v1/operations', { token: shop.agentToken })).status, 403);
      const customer = await openWidget(server, shop.shopId);
      for (const text of ['one', 'two', 'three']) assert.equal((await send(server, customer.token, customer.conversationId, text)).status, 201);
      // One of them from two days ago: it counts in the total, not today nor in the last hour.
      const old = Date.now() - 2 * 86_400_000;
      await server.storage.db.updateTable('messages').set({ created_at: old }).where('conversation_id', '=', customer.conversationId).where('text', '=', 'one').execute();

      const figures = await eventually('the figures count the messages', async () => {
        const reply = await call(server, 'GET', '/api/v1/operations', { token: shop.ownerToken });
        assert.equal(reply.status, 200);
        return reply.body.messagesTotal === 3 ? reply.body : undefined;
      });
      assert.equal(figures.messagesToday, 2);
      assert.equal(figures.messagesPerMinute.counts.length, 61);
      assert.equal(figures.messagesPerMinute.counts.reduce((a: number, b: number) => a + b, 0), 2);
      assert.equal(figures.queueLength, 1, 'manual routing: the inquiry waits');
      assert.ok(figures.oldestWaitingMs >= 0);
      assert.equal(figures.agentsOnline, 0);
      assert.equal(figures.nodes.length, 1);
      assert.ok(Date.parse(figures.nodes[0].seenAt) > Date.now() - 60_000);
      assert.deepEqual(figures.alerts, []);
    });

    test('"today" is the shop’s day: midnight in its business-hours time zone, else UTC', async () => {
      const shop = await createShop(server);
      const customer = await openWidget(server, shop.shopId);
      for (const text of ['recent', 'between midnights']) assert.equal((await send(server, customer.token, customer.conversationId, text)).status, 201);
      // Midnight UTC and midnight in Shanghai (UTC+8 all year) are 8 or 16 hours apart, both in the
      // past: a message half way between them is in one zone's today and not in the other's.
      const now = Date.now();
      const utcMidnight = Math.floor(now / 86_400_000) * 86_400_000;
      const shanghaiMidnight = Math.floor((now + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000;
      const between = Math.round((utcMidnight + shanghaiMidnight) / 2);
      await server.storage.db.updateTable('messages').set({ created_at: between }).where('conversation_id', '=', customer.conversationId).where('text', '=', 'between midnights').execute();
      const figures = async () =>
        eventually('the figures count both messages', async () => {
          const reply = await call(server, 'GET', '/api/v1/operations', { token: shop.ownerToken });
          assert.equal(reply.status, 200);
          return reply.body.messagesTotal === 2 ? reply.body : undefined;
        });
      const utc = await figures();
      assert.equal(utc.timezone, 'UTC', 'no business hours: UTC');
      assert.equal(utc.messagesToday, utcMidnight < shanghaiMidnight ? 2 : 1);

      const hours = { timezone: 'Asia/Shanghai', days: { mon: [['09:00', '18:00']] } };
      assert.equal((await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { businessHours: hours } } })).status, 200);
      const shanghai = await eventually('the figures follow the shop’s zone', async () => {
        const body = await figures();
        return body.timezone === 'Asia/Shanghai' ? body : undefined;
      });
      assert.equal(shanghai.messagesToday, shanghaiMidnight < utcMidnight ? 2 : 1);
      assert.notEqual(shanghai.messagesToday, utc.messagesToday, 'the zones disagree about the message between their midnights');
    });

    test('a subscribed owner gets the figures at once and then as they move; another shop’s owner never sees them', async () => {
      const a = await createShop(server, 'A');
      const b = await createShop(server, 'B');
      const customer = await openWidget(server, a.shopId);
      const agent = await rawAuthed(server, a.agentToken);
      const owner = await rawAuthed(server, a.ownerToken);
      const other = await rawAuthed(server, b.ownerToken);
      try {
        agent.send({ type: 'operations.subscribe', id: 'op' });
        assert.equal((await agent.next('error', (f) => f.id === 'op')).code, 'FORBIDDEN');
        owner.send({ type: 'operations.subscribe', id: 1 });
        other.send({ type: 'operations.subscribe', id: 2 });
        const first = await owner.next('operations', (f) => f.id === 1);
        assert.equal(first.operations.messagesToday, 0);
        assert.equal((await other.next('operations', (f) => f.id === 2)).operations.messagesToday, 0);
        // The owner's own socket counts among the shop's connections; the agent's too.
        assert.equal(first.operations.connections, 2);

        for (const text of ['hello', 'again']) assert.equal((await send(server, customer.token, customer.conversationId, text)).status, 201);
        const moved = await owner.next('operations', (f) => f.id === undefined && f.operations.messagesToday === 2, 5_000);
        assert.equal(moved.operations.queueLength, 1);
        await nothing(other, (f) => f.type === 'operations' && f.operations.messagesToday !== 0, 500);
        await nothing(agent, (f) => f.type === 'operations', 300);

        owner.send({ type: 'operations.unsubscribe', id: 3 });
        await owner.next('pong', (f) => f.id === 3);
        owner.frames.length = 0;
        await nothing(owner, (f) => f.type === 'operations', 400);
      } finally {
        [agent, owner, other].forEach((client) => client.close());
      }
    });
  });
}
