import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Message } from '@frontdesk/protocol';
import { FrontdeskClient, type FrontdeskClientOptions } from '../src/index.ts';
import { call, createShop, openWidget, send, type ShopFixture } from '../../server/test/support/client.ts';
import { startServer, type TestServer } from '../../server/test/support/server.ts';
import { engines } from '../../server/test/support/storage.ts';
import { delay, duplicates, next, range, Recorder, until, wsUrl } from './support/helpers.ts';
import { TestNetwork } from './support/network.ts';

const fast = { initialMs: 20, maxMs: 200 };
const seqs = (messages: readonly Message[]) => messages.map((m) => m.seq);

for (const engine of engines) {
  describe(`sdk messaging on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    const clients: FrontdeskClient[] = [];
    const open = (token: string, options: Partial<FrontdeskClientOptions> = {}) => {
      const client = new FrontdeskClient({ url: wsUrl(server), token, ...options });
      clients.push(client);
      return client;
    };

    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server);
    });
    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
    });
    after(() => server.close());

    test('customer and agent talk both ways; a second device gets its own message; the sender sees it once, via ack', async () => {
      const customer = await openWidget(server, shop.shopId);
      const network = new TestNetwork();
      const phone = open(customer.token, { WebSocket: network.WebSocket });
      const laptop = open(customer.token); // the global WebSocket, as in a browser
      const agent = open(shop.agentToken);
      const [onPhone, onLaptop, onAgent] = [phone, laptop, agent].map((c) => new Recorder(c)) as [Recorder, Recorder, Recorder];
      const pendings: string[] = [];
      phone.on('pending', (p) => pendings.push(p.clientMsgId));

      const users = await Promise.all([phone.connect(), laptop.connect(), agent.connect()]);
      assert.deepEqual(users.map((u) => u.kind), ['customer', 'customer', 'staff']);

      const question = phone.send({ conversationId: customer.conversationId, text: 'Has my order shipped?' });
      assert.deepEqual(pendings, [question.clientMsgId]);
      const stored = await question.promise;
      assert.equal(stored.seq, 1);
      assert.equal(stored.clientMsgId, question.clientMsgId);
      const answer = await agent.send({ conversationId: customer.conversationId, text: 'Yes, yesterday.' }).promise;
      assert.equal(answer.seq, 2);

      await until(() => [onPhone, onLaptop, onAgent].every((r) => r.in(customer.conversationId).length === 2), 'both messages everywhere');
      await delay(100);
      for (const recorder of [onPhone, onLaptop, onAgent]) {
        assert.deepEqual(seqs(recorder.in(customer.conversationId)), [1, 2]);
        assert.deepEqual(recorder.in(customer.conversationId).map((m) => m.text), ['Has my order shipped?', 'Yes, yesterday.']);
      }
      // The phone learned about its own message from the ack only; the server did not echo it.
      const frames = network.latest.received.map((text) => JSON.parse(text) as { type: string; clientMsgId?: string; message?: Message });
      assert.equal(frames.filter((f) => f.type === 'ack' && f.clientMsgId === question.clientMsgId).length, 1);
      assert.equal(frames.filter((f) => f.type === 'message' && f.message?.seq === 1).length, 0);
      assert.equal(phone.outbox.length, 0);
    });

    test('50 sends survive sockets killed mid-stream: each stored once, seqs 1..50, shown once everywhere', async () => {
      const customer = await openWidget(server, shop.shopId);
      const senderNet = new TestNetwork();
      const agentNet = new TestNetwork();
      const sender = open(customer.token, { WebSocket: senderNet.WebSocket, backoff: fast });
      const agent = open(shop.agentToken, { WebSocket: agentNet.WebSocket, backoff: fast });
      const onSender = new Recorder(sender);
      const onAgent = new Recorder(agent);
      await Promise.all([sender.connect(), agent.connect()]);

      const serverSideClose = () => {
        for (const connection of server.app.gateway.hub.connections()) {
          if (connection.userId === customer.customerId) connection.close('SERVICE_UNAVAILABLE');
        }
      };
      const handles = [];
      for (let i = 0; i < 50; i++) {
        handles.push(sender.send({ conversationId: customer.conversationId, text: `message ${i}` }));
        // Each cut falls on a live link (on a busy machine the last one may not be back yet: two
        // cuts of one link would be one disconnect).
        if ([5, 15, 25, 35, 45].includes(i)) await until(() => sender.state === 'open', `the sender back before cut ${i}`);
        if (i === 5 || i === 25 || i === 45) senderNet.terminateLatest();
        if (i === 15 || i === 35) serverSideClose();
        if (i === 20) agentNet.terminateLatest();
        await delay(3);
      }
      const stored = await Promise.all(handles.map((h) => h.promise));
      const ids = handles.map((h) => h.clientMsgId);

      assert.deepEqual(stored.map((m) => m.clientMsgId), ids);
      assert.deepEqual(seqs(stored).sort((a, b) => a - b), range(1, 50));
      assert.equal(sender.outbox.length, 0);
      assert.ok(onSender.disconnects.length >= 5, `sender saw ${onSender.disconnects.length} disconnects`);
      assert.ok(onSender.disconnects.some((d) => d.code === 1012 && d.reason === 'SERVICE_UNAVAILABLE'));
      const attempts = new Map<string, number>();
      for (const socket of senderNet.sockets) {
        for (const frame of socket.sent.map((text) => JSON.parse(text) as { type: string; clientMsgId?: string })) {
          if (frame.type === 'send') attempts.set(frame.clientMsgId!, (attempts.get(frame.clientMsgId!) ?? 0) + 1);
        }
      }
      assert.ok([...attempts.values()].some((n) => n > 1), 'the kills landed while sends were unacknowledged');
      assert.ok(onAgent.disconnects.length >= 1);

      await until(() => onAgent.in(customer.conversationId).length >= 50, 'the agent to have all 50');
      await delay(200);
      for (const recorder of [onAgent, onSender]) {
        const got = recorder.in(customer.conversationId);
        assert.equal(got.length, 50);
        assert.deepEqual(duplicates(got.map((m) => m.clientMsgId)), []);
        assert.deepEqual(new Set(got.map((m) => m.clientMsgId)), new Set(ids));
        assert.deepEqual(seqs(got).sort((a, b) => a - b), range(1, 50));
      }

      const history = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages?limit=100`, { token: customer.token });
      assert.deepEqual(seqs(history.body.items), range(1, 50));
      assert.deepEqual(new Set(history.body.items.map((m: Message) => m.clientMsgId)), new Set(ids));
    });

    test('messages missed while offline come back by sync, page by page, in seq order, once', async () => {
      // A shop of its own: the agent's sync counts everything in the shop's stream.
      const shop = await createShop(server);
      const [alice, bob] = await Promise.all([openWidget(server, shop.shopId), openWidget(server, shop.shopId)]);
      const network = new TestNetwork();
      const tokens: string[] = [];
      const agent = open(shop.agentToken, {
        WebSocket: network.WebSocket,
        backoff: fast,
        syncPageSize: 7,
        onSyncToken: (token) => tokens.push(token),
      });
      const onAgent = new Recorder(agent);
      const first = next(agent, 'synced');
      await agent.connect();
      assert.deepEqual(await first, { messages: 0, pages: 1, baseline: true, tokenRejected: false });

      network.offline = true;
      network.terminateLatest();
      await until(() => onAgent.disconnects.length > 0, 'the agent to notice');
      for (let i = 0; i < 15; i++) {
        await send(server, alice.token, alice.conversationId, `alice ${i}`);
        await send(server, bob.token, bob.conversationId, `bob ${i}`);
      }
      assert.equal(onAgent.messages.length, 0);
      const caughtUp = next(agent, 'synced');
      network.offline = false;
      const summary = await caughtUp;

      assert.deepEqual(summary, { messages: 30, pages: 5, baseline: false, tokenRejected: false });
      assert.deepEqual(seqs(onAgent.in(alice.conversationId)), range(1, 15));
      assert.deepEqual(seqs(onAgent.in(bob.conversationId)), range(1, 15));
      assert.equal(onAgent.messages.length, 30);
      assert.equal(agent.syncToken, tokens.at(-1));

      // The app kept the token: a later session picks up where this one stopped.
      agent.close();
      await send(server, alice.token, alice.conversationId, 'while the console was closed');
      const again = open(shop.agentToken, { syncToken: tokens.at(-1)! });
      const onAgain = new Recorder(again);
      const resumed = next(again, 'synced');
      await again.connect();
      assert.deepEqual(await resumed, { messages: 1, pages: 1, baseline: false, tokenRejected: false });
      assert.deepEqual(onAgain.messages.map((m) => [m.conversationId, m.seq]), [[alice.conversationId, 16]]);

      // A token the server does not accept is dropped, not retried forever.
      const stale = open(shop.agentToken, { syncToken: 'bm90LWEtdG9rZW4' });
      const reset = next(stale, 'synced');
      await stale.connect();
      assert.deepEqual(await reset, { messages: 0, pages: 1, baseline: true, tokenRejected: true });
      assert.equal(stale.state, 'open');
    });

    test('history pages backwards and forwards; paged items count as shown', async () => {
      const customer = await openWidget(server, shop.shopId);
      for (let i = 1; i <= 25; i++) await send(server, customer.token, customer.conversationId, `line ${i}`);
      const client = open(customer.token);
      const recorder = new Recorder(client);
      await client.connect();
      const conversationId = customer.conversationId;

      const latest = await client.history(conversationId, { limit: 10 });
      assert.deepEqual(seqs(latest.items), range(16, 25));
      assert.equal(latest.hasMore, true);
      const older = await client.history(conversationId, { beforeSeq: 16, limit: 10 });
      assert.deepEqual(seqs(older.items), range(6, 15));
      assert.equal(older.hasMore, true);
      const oldest = await client.history(conversationId, { beforeSeq: 6, limit: 10 });
      assert.deepEqual(seqs(oldest.items), range(1, 5));
      assert.equal(oldest.hasMore, false);
      assert.deepEqual(oldest.items.map((m) => m.text), ['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
      const forward = await client.history(conversationId, { afterSeq: 20, limit: 3 });
      assert.deepEqual(seqs(forward.items), [21, 22, 23]);

      // History is returned, not emitted; a newer message is.
      await send(server, shop.agentToken, conversationId, 'a reply');
      await until(() => recorder.messages.length === 1, 'the pushed reply');
      assert.equal(recorder.messages[0]!.seq, 26);
      const again = await client.history(conversationId, { limit: 2 });
      assert.deepEqual(seqs(again.items), [25, 26]);
      assert.equal(recorder.messages.length, 1);
    });

    test('typing is throttled per conversation and reaches the other side; read receipts too', async () => {
      const customer = await openWidget(server, shop.shopId);
      const client = open(customer.token);
      const agent = open(shop.agentToken);
      await Promise.all([client.connect(), agent.connect()]);
      await agent.send({ conversationId: customer.conversationId, text: 'How can I help?' }).promise;

      const typing = next(agent, 'typing');
      assert.equal(client.typing(customer.conversationId), true);
      assert.equal(client.typing(customer.conversationId), false, 'throttled for 2 s');
      assert.deepEqual(await typing, { type: 'typing', conversationId: customer.conversationId, userId: customer.customerId, userKind: 'customer' });

      const receipt = next(agent, 'read');
      const cursor = await client.markRead(customer.conversationId, 1);
      assert.equal(cursor.seq, 1);
      const seen = await receipt;
      assert.deepEqual([seen.conversationId, seen.userId, seen.seq], [customer.conversationId, customer.customerId, 1]);
    });
  });
}
