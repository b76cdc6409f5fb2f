import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config/config.ts';
import { ClusterError, refuseOpenRedis } from '../src/cluster/redis.ts';
import { call, createShop, openWidget, send } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed } from './support/ws-client.ts';

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const TOKEN = 'metrics-token-for-tests-0123456789';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** One sample's value from an exposition, labels given as they print (`{a="b",c="d"}`), summed over the rest. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** `promtool check metrics` (Debian's prometheus package) on an exposition: its complaints, '' when none. */
function promtool(text: string): string {
  const checked = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (checked.error) throw checked.error;
  return checked.status === 0 ? '' : `${checked.stdout}${checked.stderr}`;
}

for (const engine of engines) {
  describe(`metrics on ${engine}`, () => {
    let server: TestServer;
    const scrape = async (token = TOKEN) => {
      const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /text\/plain; version=0\.0\.4/);
      return response.text();
    };

    before(async () => {
      // Five logins a minute: the rate-limit test meets the limit (createShop logs in two staff).
      server = await startServer(engine, { METRICS_TOKEN: TOKEN, METRICS_PORT: '0', LOGIN_RATE_LIMIT: '5' });
    });
    after(() => server.close());

    test('the exposition passes promtool, and counters and histograms move with real traffic', async () => {
      const shop = await createShop(server);
      const customer = await openWidget(server, shop.shopId);
      const first = await scrape();
      assert.equal(promtool(first), '', 'promtool check metrics');
      for (const name of ['process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds_count']) {
        assert.ok(first.includes(`\n${name}`) || first.startsWith(name), `${name} is exposed`);
      }

      const agent = await rawAuthed(server, shop.agentToken);
      const socket = await rawAuthed(server, customer.token);
      try {
        for (let i = 0; i < 5; i++) {
          socket.send({ type: 'send', id: `s${i}`, conversationId: customer.conversationId, clientMsgId: `m-${i}`, text: `hello ${i}` });
          await socket.next('ack', (f) => f.id === `s${i}`);
        }
        assert.equal((await send(server, shop.agentToken, customer.conversationId, 'over http')).status, 201);
        await agent.next('message', (f) => f.message.text === 'hello 4');
        const second = await scrape();
        assert.equal(promtool(second), '', 'promtool check metrics');

        const stored = (text: string, sender: string) => value(text, 'frontdesk_messages_stored_total', { conversation: 'service', sender });
        assert.equal(stored(second, 'customer') - stored(first, 'customer'), 5);
        assert.equal(stored(second, 'staff') - stored(first, 'staff'), 1);
        assert.equal(value(second, 'frontdesk_inquiry_transitions_total', { state: 'queued' }) - value(first, 'frontdesk_inquiry_transitions_total', { state: 'queued' }), 1);
        assert.equal(value(second, 'frontdesk_send_duration_seconds_count') - value(first, 'frontdesk_send_duration_seconds_count'), 5, 'socket sends timed');
        assert.ok(value(second, 'frontdesk_send_duration_seconds_sum') > 0);
        assert.ok(value(second, 'frontdesk_fanout_duration_seconds_count') - value(first, 'frontdesk_fanout_duration_seconds_count') >= 6);
        assert.equal(value(second, 'frontdesk_connections', { role: 'customer', transport: 'ws' }), 1);
        assert.equal(value(second, 'frontdesk_connections', { role: 'staff', transport: 'ws' }), 1);
        // HTTP by route template and status: the send above, under its template, never its ids.
        assert.equal(value(second, 'frontdesk_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/conversations/:conversationId/messages', status: '201' }), 1);
        assert.doesNotMatch(second, UUID, 'no shop, user or conversation id in any label');
        if (engine === 'sqlite') assert.ok(second.includes('frontdesk_sqlite_wal_bytes '));
        else assert.ok(value(second, 'frontdesk_pg_pool_clients', { state: 'total' }) >= 1);
      } finally {
        agent.close();
        socket.close();
      }
    });

    test('rate-limit refusals are counted', async () => {
      const before = value(await scrape(), 'frontdesk_rate_limited_total', { where: 'http' });
      const attempts = await Promise.all(Array.from({ length: 15 }, () => call(server, 'POST', '/api/v1/auth/login', { body: { email: 'nobody@example.test', password: 'wrong password' } })));
      const refused = attempts.filter((r) => r.status === 429).length;
      assert.ok(refused > 0, 'the login limit refused some');
      assert.equal(value(await scrape(), 'frontdesk_rate_limited_total', { where: 'http' }) - before, refused);
    });

    test('the public port refuses a scrape without the token; METRICS_PORT serves the metrics alone', async () => {
      assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
      const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer not-the-metrics-token-at-all' } });
      assert.deepEqual([wrong.status, ((await wrong.json()) as { error: { code: string } }).error.code], [401, 'TOKEN_INVALID']);
      const port = server.app.metricsPort();
      assert.ok(port !== null);
      const own = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(own.status, 200);
      assert.match(await own.text(), /frontdesk_messages_stored_total/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/me`)).status, 404, 'nothing else there');
    });
  });
}

describe('metrics are never open by default', () => {
  test('without METRICS_TOKEN the public port has no /metrics', async () => {
    const server = await startServer('sqlite');
    try {
      const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(response.status, 404);
      assert.equal(server.app.metricsPort(), null);
    } finally {
      await server.close();
    }
  });
});

describe('start-up safety (seed 000)', () => {
  test('a PostgreSQL URL without a password off loopback is refused, unless allowed', () => {
    assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://frontdesk@db.example.test:5432/frontdesk' }), /DATABASE_URL reaches db\.example\.test without a password/);
    for (const env of [
      { DATABASE_URL: 'postgres://frontdesk:secret@db.example.test:5432/frontdesk' },
      { DATABASE_URL: 'postgres://frontdesk@127.0.0.1:5432/frontdesk' },
      { DATABASE_URL: 'postgres://frontdesk@db.example.test/frontdesk?sslcert=/etc/frontdesk/client.crt' },
      { DATABASE_URL: 'postgres://frontdesk@db.example.test/frontdesk', DATABASE_ALLOW_NO_AUTH: 'true' },
    ]) {
      assert.doesNotThrow(() => loadConfig(env), JSON.stringify(env));
    }
  });

  describe('a Redis off loopback that takes commands without a password', () => {
    // This machine's address on its network: a Redis bound there is reachable from other machines.
    const address = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    let redis: ReturnType<typeof spawn> | null = null;
    let port = 0;
    before(async () => {
      assert.ok(address, 'this machine has a non-loopback IPv4 address');
      port = await freePort();
      redis = spawn('redis-server', ['--port', String(port), '--bind', address!, '--protected-mode', 'no', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      for (let i = 0; i < 50; i++) {
        if (spawnSync('redis-cli', ['-h', address!, '-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the test Redis did not start');
    });
    after(() => {
      redis?.kill('SIGKILL');
    });
    const config = (extra: Record<string, string> = {}) =>
      loadConfig({ DATABASE_URL: 'postgres://frontdesk:secret@127.0.0.1/test', REDIS_URL: `redis://${address}:${port}`, ...extra });

    test('stops the start with a message that says why', async () => {
      await assert.rejects(refuseOpenRedis(config()), (error: unknown) => error instanceof ClusterError && /answers commands without a password/.test(error.message) && /REDIS_ALLOW_NO_AUTH/.test(error.message));
    });
    test('REDIS_ALLOW_NO_AUTH=true lets it start', async () => {
      await refuseOpenRedis(config({ REDIS_ALLOW_NO_AUTH: 'true' }));
    });
    test('a password in the URL does not hide an open Redis', async () => {
      await assert.rejects(refuseOpenRedis(loadConfig({ DATABASE_URL: 'postgres://frontdesk:secret@127.0.0.1/test', REDIS_URL: `redis://:anything@${address}:${port}` })), ClusterError);
    });
  });
});
