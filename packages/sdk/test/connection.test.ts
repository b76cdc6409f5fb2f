import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { FrontdeskClient, FrontdeskError, type ClosedInfo, type FrontdeskClientOptions } from '../src/index.ts';
import { createShop, openWidget, type ShopFixture } from '../../server/test/support/client.ts';
import { startServer, type TestServer } from '../../server/test/support/server.ts';
import { delay, next, Recorder, until, wsUrl } from './support/helpers.ts';
import { TestNetwork } from './support/network.ts';

const HEARTBEAT_MS = 300;

describe('sdk connection lifecycle', () => {
  let server: TestServer;
  let shop: ShopFixture;
  const clients: FrontdeskClient[] = [];
  const open = (token: string, options: Partial<FrontdeskClientOptions> = {}) => {
    const client = new FrontdeskClient({ url: wsUrl(server), token, ...options });
    clients.push(client);
    return client;
  };

  before(async () => {
    server = await startServer('sqlite', { WS_HEARTBEAT_MS: String(HEARTBEAT_MS) });
    shop = await createShop(server);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  after(() => server.close());

  test('the token goes in the first frame, never in the URL', async () => {
    const network = new TestNetwork();
    const client = open(shop.agentToken, { WebSocket: network.WebSocket });
    const user = await client.connect();
    assert.equal(user.id, shop.agentId);
    assert.equal(client.state, 'open');
    assert.ok(!network.latest.url.includes(shop.agentToken));
    assert.deepEqual(JSON.parse(network.latest.sent[0]!), { type: 'auth', token: shop.agentToken });
  });

  test('a bad token stops the client with TOKEN_INVALID, without a reconnect loop', async () => {
    const network = new TestNetwork();
    const client = open('fds_not-a-real-token', { WebSocket: network.WebSocket, backoff: { initialMs: 10, maxMs: 20 } });
    const recorder = new Recorder(client);
    const closed: ClosedInfo[] = [];
    client.on('closed', (info) => closed.push(info));

    await assert.rejects(client.connect(), (error) => error instanceof FrontdeskError && error.code === 'TOKEN_INVALID');
    await delay(300);
    assert.equal(network.sockets.length, 1);
    assert.equal(client.state, 'closed');
    assert.equal(closed.length, 1);
    assert.equal(closed[0]!.code, 4001);
    assert.equal(closed[0]!.reason, 'TOKEN_INVALID');
    assert.equal(closed[0]!.error?.code, 'TOKEN_INVALID');
    assert.deepEqual(recorder.errors, ['TOKEN_INVALID']);
    assert.deepEqual(recorder.disconnects, []);
    await assert.rejects(client.connect(), (error) => error instanceof FrontdeskError && error.code === 'CLIENT_CLOSED');
  });

  test('pings keep an idle client connected across many heartbeat intervals; a silent socket is cut', async () => {
    const network = new TestNetwork();
    const client = open(shop.agentToken, { WebSocket: network.WebSocket });
    const recorder = new Recorder(client);
    await client.connect();

    // Control: the server does enforce the heartbeat on a socket that never pings.
    const silent = new WebSocket(wsUrl(server));
    const silentClosed = new Promise<[number, string]>((resolve) => silent.on('close', (code, reason) => resolve([code, reason.toString()])));
    silent.on('open', () => silent.send(JSON.stringify({ type: 'auth', token: shop.ownerToken })));

    await delay(8 * HEARTBEAT_MS);
    assert.deepEqual(await silentClosed, [4002, 'HEARTBEAT_TIMEOUT']);
    assert.equal(client.state, 'open');
    assert.deepEqual(recorder.disconnects, []);
    assert.equal(network.sockets.length, 1);
    const pings = network.latest.sent.filter((text) => JSON.parse(text).type === 'ping').length;
    assert.ok(pings >= 6, `sent ${pings} pings`);
    assert.ok((await client.ping()) >= 0);
  });

  test('a link that goes silent is declared dead after two intervals, and the client comes back', async () => {
    const network = new TestNetwork();
    const client = open(shop.agentToken, { WebSocket: network.WebSocket, backoff: { initialMs: 20, maxMs: 50 } });
    const recorder = new Recorder(client);
    await client.connect();
    const resynced = new Promise<void>((resolve) => client.on('synced', () => recorder.disconnects.length > 0 && resolve()));

    const mutedAt = Date.now();
    network.latest.mute();
    const lost = await next(client, 'disconnected', 3_000);
    const noticedAfter = Date.now() - mutedAt;
    assert.equal(lost.reason, 'HEARTBEAT_TIMEOUT');
    assert.equal(lost.code, 1006);
    assert.ok(noticedAfter >= 1.5 * HEARTBEAT_MS && noticedAfter < 4 * HEARTBEAT_MS, `noticed after ${noticedAfter} ms`);
    await resynced;
    assert.equal(client.state, 'open');
    assert.equal(network.sockets.length, 2);
    assert.deepEqual(recorder.states.slice(-4), ['reconnecting', 'connecting', 'authenticating', 'open']);
  });

  test('a server restart (1012) is followed by a prompt reconnect; an abrupt drop by a backed-off one', async () => {
    const network = new TestNetwork();
    const customer = await openWidget(server, shop.shopId);
    const client = open(customer.token, { WebSocket: network.WebSocket, backoff: { initialMs: 200, maxMs: 5_000 } });
    const recorder = new Recorder(client);
    await client.connect();

    for (const connection of server.app.gateway.hub.connections()) {
      if (connection.userId === customer.customerId) connection.close('SERVICE_UNAVAILABLE');
    }
    const restart = await next(client, 'disconnected');
    assert.equal(restart.code, 1012);
    assert.equal(restart.reason, 'SERVICE_UNAVAILABLE');
    assert.ok(restart.retryInMs !== null && restart.retryInMs < 200);
    await next(client, 'ready');

    // Backoff grows while the network stays down and resets after a successful auth.
    network.offline = true;
    network.terminateLatest();
    await until(() => recorder.disconnects.length >= 4, 'several failed attempts');
    network.offline = false;
    await until(() => client.state === 'open', 'the reconnect', 15_000);
    const windows = recorder.disconnects.slice(1, 4).map((d) => d.retryInMs!);
    assert.ok(windows.every((ms, i) => ms < 200 * 2 ** i), `delays ${windows.join(', ')}`);
    assert.ok(recorder.disconnects.slice(1).every((d) => d.code === 1006));
  });

  test('transient closes (1011 internal, 1013 database unavailable) keep the session: the client reconnects with backoff and never stops', async () => {
    const customer = await openWidget(server, shop.shopId);
    const client = open(customer.token, { backoff: { initialMs: 50, maxMs: 500 } });
    const closed: ClosedInfo[] = [];
    client.on('closed', (info) => closed.push(info));
    await client.connect();
    for (const [code, reason] of [[1011, 'INTERNAL'], [1013, 'STORAGE_UNAVAILABLE']] as const) {
      for (const connection of server.app.gateway.hub.connections()) {
        if (connection.userId === customer.customerId) connection.close(reason);
      }
      const lost = await next(client, 'disconnected');
      assert.equal(lost.code, code);
      assert.equal(lost.reason, reason);
      assert.ok(lost.retryInMs !== null, `${reason}: the client will retry`);
      await next(client, 'ready');
    }
    assert.deepEqual(closed, []);
    assert.equal(client.state, 'open');
  });

  test('close() stops for good: nothing reconnects and waiting requests fail', async () => {
    const network = new TestNetwork();
    const client = open(shop.agentToken, { WebSocket: network.WebSocket });
    const recorder = new Recorder(client);
    await client.connect();
    const ping = client.ping();
    client.close();
    await assert.rejects(ping, (error) => error instanceof FrontdeskError && error.code === 'CLIENT_CLOSED');
    await delay(200);
    assert.equal(client.state, 'closed');
    assert.equal(network.sockets.length, 1);
    assert.deepEqual(recorder.disconnects, []);
    assert.equal(client.typing('anything'), false);
    await assert.rejects(client.history('0190a0a0-0000-7000-8000-000000000000'), (error) => error instanceof FrontdeskError && error.code === 'CLIENT_CLOSED');
  });
});
