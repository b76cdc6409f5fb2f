import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Message } from '@frontdesk/protocol';
import { FrontdeskClient, FrontdeskError, type FailedSend, type FrontdeskClientOptions, type PendingMessage } from '../src/index.ts';
import { call, createShop, openWidget, type ShopFixture } from '../../server/test/support/client.ts';
import { startServer, type TestServer } from '../../server/test/support/server.ts';
import { delay, duplicates, next, range, Recorder, until, wsUrl } from './support/helpers.ts';
import { TestNetwork } from './support/network.ts';

const fast = { initialMs: 20, maxMs: 200 };
const RATE = 10;

describe('sdk outbox', () => {
  let server: TestServer;
  let shop: ShopFixture;
  const clients: FrontdeskClient[] = [];
  const open = (token: string, options: Partial<FrontdeskClientOptions> = {}) => {
    const client = new FrontdeskClient({ url: wsUrl(server), token, backoff: fast, ...options });
    clients.push(client);
    return client;
  };
  const history = async (token: string, conversationId: string): Promise<Message[]> =>
    (await call(server, 'GET', `/api/v1/conversations/${conversationId}/messages?limit=100`, { token })).body.items;

  before(async () => {
    server = await startServer('sqlite', { WS_RATE_PER_SECOND: String(RATE), WS_RATE_BURST: String(RATE), WS_MAX_FRAME_BYTES: '4096' });
    shop = await createShop(server);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  after(() => server.close());

  test('a message sent before connecting waits in the outbox and goes out after auth', async () => {
    const customer = await openWidget(server, shop.shopId);
    const client = open(customer.token);
    const pending: PendingMessage[] = [];
    client.on('pending', (p) => pending.push(p));
    const handle = client.send({ conversationId: customer.conversationId, text: '  early bird  ' });
    assert.equal(client.state, 'idle');
    assert.deepEqual(pending.map((p) => [p.clientMsgId, p.text]), [[handle.clientMsgId, 'early bird']]);
    assert.deepEqual(client.outbox, pending);
    await client.connect();
    const stored = await handle.promise;
    assert.equal(stored.text, 'early bird');
    assert.equal(client.outbox.length, 0);
  });

  test('an ack lost with the connection: the resend returns the original message, shown once', async () => {
    const customer = await openWidget(server, shop.shopId);
    const network = new TestNetwork();
    const sender = open(customer.token, { WebSocket: network.WebSocket });
    const agent = open(shop.agentToken);
    const [onSender, onAgent] = [new Recorder(sender), new Recorder(agent)];
    await Promise.all([sender.connect(), agent.connect()]);

    network.latest.dropIncoming = (frame) => frame.type === 'ack';
    const handle = sender.send({ conversationId: customer.conversationId, text: 'stored, but the ack is lost' });
    await until(() => onAgent.messages.length === 1, 'the message to be stored and fanned out');
    assert.equal(sender.outbox.length, 1);
    network.terminateLatest();

    const stored = await handle.promise;
    assert.equal(network.sockets.length, 2);
    assert.equal(stored.id, onAgent.messages[0]!.id);
    await delay(100);
    assert.deepEqual(onSender.messages.map((m) => m.id), [stored.id]);
    assert.equal(onAgent.messages.length, 1);
    assert.deepEqual((await history(customer.token, customer.conversationId)).map((m) => m.seq), [1]);
  });

  test('a refused message leaves the outbox and is reported; retry queues it again; an oversized one is refused locally', async () => {
    const customer = await openWidget(server, shop.shopId);
    const client = open(customer.token);
    const failed: FailedSend[] = [];
    client.on('failed', (f) => failed.push(f));
    await client.connect();

    const lost = client.send({ conversationId: '0190a0a0-0000-7000-8000-000000000000', text: 'to nowhere' });
    await assert.rejects(lost.promise, (error) => error instanceof FrontdeskError && error.code === 'CONVERSATION_NOT_FOUND');
    const note = client.send({ conversationId: customer.conversationId, text: 'customers cannot write notes', visibility: 'internal' });
    await assert.rejects(note.promise, (error) => error instanceof FrontdeskError && error.code === 'FORBIDDEN');
    assert.deepEqual(failed.map((f) => [f.message.clientMsgId, f.error.code]), [
      [lost.clientMsgId, 'CONVERSATION_NOT_FOUND'],
      [note.clientMsgId, 'FORBIDDEN'],
    ]);
    assert.equal(client.outbox.length, 0);
    assert.deepEqual(client.failed.map((m) => m.clientMsgId), [lost.clientMsgId, note.clientMsgId]);

    const again = client.retry(lost.clientMsgId);
    assert.ok(again !== null);
    await assert.rejects(again, (error) => error instanceof FrontdeskError && error.code === 'CONVERSATION_NOT_FOUND');
    assert.equal(failed.length, 3);
    assert.equal(client.discard(note.clientMsgId), true);
    assert.deepEqual(client.failed.map((m) => m.clientMsgId), [lost.clientMsgId]);
    assert.equal(client.state, 'open');

    // A frame the server would refuse as too large (and close for) is refused here instead.
    const huge = client.send({ conversationId: customer.conversationId, text: 'é'.repeat(3000) });
    await assert.rejects(huge.promise, (error) => error instanceof FrontdeskError && error.code === 'PAYLOAD_TOO_LARGE');
    assert.equal(client.state, 'open');
  });

  test('a stored outbox is sent on the next connect and saved empty', async () => {
    const customer = await openWidget(server, shop.shopId);
    const left: PendingMessage[] = [1, 2, 3].map((n) => ({
      clientMsgId: `from-last-visit-${n}`,
      conversationId: customer.conversationId,
      text: `written before the reload ${n}`,
      visibility: 'public',
      createdAt: new Date().toISOString(),
    }));
    const saves: (readonly PendingMessage[])[] = [];
    const client = open(customer.token, { outboxStore: { load: () => left, save: (items) => saves.push(items) } });
    const recorder = new Recorder(client);
    assert.deepEqual(client.outbox, left);
    await client.connect();
    await until(() => client.outbox.length === 0, 'the old outbox to drain');
    assert.deepEqual(saves.at(-1), []);
    assert.deepEqual(recorder.messages.map((m) => [m.seq, m.clientMsgId]), left.map((m, i) => [i + 1, m.clientMsgId]));
  });

  test(`rate limiting (${RATE}/s): refused sends are resent later, nothing lost, duplicated or disconnected`, async () => {
    const customer = await openWidget(server, shop.shopId);
    const network = new TestNetwork();
    const client = open(customer.token, { WebSocket: network.WebSocket, backoff: { initialMs: 300, maxMs: 1_000 } });
    const recorder = new Recorder(client);
    await client.connect();
    await next(client, 'synced');

    // The outbox keeps to the announced rate, but the app spends the allowance first (history
    // pages), so the first sends are refused.
    const pages = await Promise.all(range(1, RATE).map(() => client.history(customer.conversationId).then(() => 'page', (error: FrontdeskError) => error.code)));
    const handles = range(1, 30).map((i) => client.send({ conversationId: customer.conversationId, text: `burst ${i}` }));
    const stored = await Promise.all(handles.map((h) => h.promise));
    const refusedSends = network.latest.received.filter((text) => {
      const frame = JSON.parse(text);
      return frame.code === 'RATE_LIMITED' && frame.clientMsgId !== undefined;
    }).length;
    assert.ok(pages.includes('page'), JSON.stringify(pages));
    assert.ok(refusedSends > 0, 'the server did refuse sends');
    assert.deepEqual(recorder.disconnects, []);
    assert.equal(network.sockets.length, 1);
    assert.deepEqual(stored.map((m) => m.seq).sort((a, b) => a - b), range(1, 30));
    assert.deepEqual(duplicates(recorder.messages.map((m) => m.seq)), []);
    assert.equal(recorder.messages.length, 30);
    assert.deepEqual((await history(customer.token, customer.conversationId)).map((m) => m.seq), range(1, 30));
  });
});
