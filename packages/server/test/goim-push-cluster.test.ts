import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { goim } from '@frontdesk/protocol';
import { freePort, ServerProcess } from '../../sdk/test/support/chaos.ts';
import { clusterNodeEnv, createSchema, dropSchema, RedisProcess, startNodes } from './support/cluster.ts';
import { call } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import { goimWs, json, signedGoimToken, text, type GoimTestClient } from './support/goim-client.ts';
import type { TestServer } from './support/server.ts';

const PASSWORD = 'correct horse battery staple';
const nodeAt = (port: number) => ({ url: `http://127.0.0.1:${port}` }) as unknown as TestServer;

describe('goim push API across two nodes on PostgreSQL and Redis', () => {
  let redis: RedisProcess;
  const schema = `goim_push_${randomBytes(4).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-goim-cluster-'));
  const servers: ServerProcess[] = [];
  const ports: number[] = [];
  const clients: GoimTestClient[] = [];
  let shop = { shopId: '', identitySecret: '' };
  let apiKey = '';

  const env = (port: number) => clusterNodeEnv(port, { schema, redisPort: redis.port, dataDir });

  before(async () => {
    await createSchema(schema);
    redis = new RedisProcess(await freePort());
    await redis.start();
    ports.push(await freePort(), await freePort());
    const email = `owner-${schema}@example.test`;
    shop = await startNodes(env, ports, servers, { email, password: PASSWORD, shopName: 'Goim cluster' });
    const login = await call(nodeAt(ports[0]!), 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
    const created = await call(nodeAt(ports[0]!), 'POST', '/api/v1/api-keys', { token: login.body.token, body: { name: 'cluster' } });
    assert.equal(created.status, 201);
    apiKey = created.body.key;
  });
  after(async () => {
    clients.forEach((c) => c.close());
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.crash();
    await dropSchema(schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('a push to mids, to a room and to a key, made on node 1, reaches a goim client on node 2', { timeout: 60_000 }, async () => {
    const client = await goimWs(nodeAt(ports[1]!).url);
    clients.push(client);
    const key = signedGoimToken(shop.shopId, shop.identitySecret, 4242);
    client.request(goim.ops.auth, 1, `{"mid":4242,"room_id":"live://7","platform":"web","accepts":[1000,1001,1002],"key":"${key}"}`);
    const reply = json(await client.next(goim.ops.authReply));
    const push = async (query: string, body: string) => {
      const response = await fetch(`${nodeAt(ports[0]!).url}/goim/push/${query}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` }, body });
      assert.deepEqual(await response.json(), { code: 0, message: '' });
    };
    await push('mids?operation=1000&mids=4242', 'to the mid');
    assert.equal(text(await client.next(1000)), 'to the mid');
    await push('room?operation=1001&type=live&room=7', 'to the room');
    assert.equal(text(await client.next(1001)), 'to the room');
    await push(`keys?operation=1002&keys=${reply.key}`, 'to the key');
    assert.equal(text(await client.next(1002)), 'to the key');
  });

  test('the online counts asked of node 1 hold the goim client connected to node 2', { timeout: 60_000 }, async () => {
    const client = await goimWs(nodeAt(ports[1]!).url);
    clients.push(client);
    client.request(goim.ops.auth, 1, `{"mid":4343,"room_id":"live://8","platform":"web","accepts":[1000],"key":"${signedGoimToken(shop.shopId, shop.identitySecret, 4343)}"}`);
    await client.next(goim.ops.authReply);
    const online = async (route: string) => {
      const response = await fetch(`${nodeAt(ports[0]!).url}/goim/online/${route}`, { headers: { authorization: `Bearer ${apiKey}` } });
      return ((await response.json()) as { code: number; data: any }).data;
    };
    // Node 2 reports its figures at its next beat.
    await eventually('node 2 reported its room', async () => (await online('room?type=live&rooms=8'))['8'] === 1);
    // The first test's client is still in room 7 on node 2.
    const top = (await online('top?type=live&limit=10')) as Array<{ room_id: string; count: number }>;
    assert.deepEqual([...top].sort((x, y) => x.room_id.localeCompare(y.room_id)), [{ room_id: '7', count: 1 }, { room_id: '8', count: 1 }]);
    assert.deepEqual(await online('total'), { conn_count: 2, ip_count: 2 });
    // The client leaves: node 2's next beat takes it out of the counts node 1 gives.
    client.close();
    clients.pop();
    await eventually('node 2 reported the room empty', async () => (await online('room?type=live&rooms=8'))['8'] === 0);
  });
});
