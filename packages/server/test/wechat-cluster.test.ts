import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import { openStorage, type Storage } from '../src/storage/connect.ts';
import { call, createShop, send, type ShopFixture } from './support/client.ts';
import { createSchema, dropSchema } from './support/cluster.ts';
import { eventually } from './support/eventually.ts';
import type { TestServer } from './support/server.ts';
import { testDatabaseUrl } from './support/storage.ts';
import { WechatSimulator, type SimAccount } from './support/wechat-simulator.ts';

/**
 * Two nodes on one PostgreSQL database serve one WeChat account: the access token is one for the
 * cluster (refreshed by one node while the other waits for it), and a fan's message recorded by a
 * node that stops before storing it is stored by the sweep of another.
 */
describe('WeChat across two nodes on postgres', () => {
  const sim = new WechatSimulator();
  const schema = `wx_${randomBytes(4).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-wechat-'));
  const apps: App[] = [];
  const storages: Storage[] = [];
  const nodes: TestServer[] = [];
  let shop: ShopFixture;
  let account: SimAccount;

  async function startNode(sweepMs: string): Promise<TestServer> {
    const storage = openStorage({ databaseUrl: testDatabaseUrl, sqliteFile: '', pgSchema: schema, pgPoolSize: 10, pgTimeouts: loadConfig({}).databaseTimeouts });
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT: '1000000', LOGIN_RATE_LIMIT: '100000', WECHAT_API_BASE: sim.url, WECHAT_SWEEP_MS: sweepMs });
    const app = await createApp(config, { storage });
    const url = await app.listen();
    apps.push(app);
    storages.push(storage);
    return { app, url, storage: { ...storage, drop: async () => {} }, engine: 'postgres', close: () => app.close() };
  }

  before(async () => {
    await sim.start();
    await createSchema(schema);
    nodes.push(await startNode('100'), await startNode('600000'));
    shop = await createShop(nodes[0]!, 'Two nodes');
    account = sim.addAccount('plain');
    const connected = await call(nodes[0]!, 'PUT', '/api/v1/channels/wechat', {
      token: shop.ownerToken,
      body: { appId: account.appId, appSecret: account.appSecret, token: account.token, encodingAesKey: account.encodingAesKey, originalId: account.originalId },
    });
    assert.equal(connected.status, 200, JSON.stringify(connected.body));
    account.callbackUrl = `${nodes[1]!.url}${new URL(connected.body.callbackUrl).pathname}`;
  });
  after(async () => {
    for (const app of apps) await app.close();
    for (const storage of storages) await storage.close();
    await dropSchema(schema);
    await sim.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('replies through both nodes at once: one token request for the cluster', async () => {
    const fans = Array.from({ length: 6 }, () => `o${randomBytes(6).toString('hex')}`);
    for (const fan of fans) await sim.fanWrites(account, fan, { type: 'text', content: `hello from ${fan}` });
    const conversations = await eventually('six conversations', async () => {
      const list = await call(nodes[0]!, 'GET', '/api/v1/conversations?limit=100', { token: shop.ownerToken });
      const ids = fans.map((fan) => list.body.items.find((c: { customer: { externalId: string } | null }) => c.customer?.externalId === fan)?.id as string | undefined);
      return ids.every((id) => id !== undefined) && (ids as string[]);
    });
    assert.equal(sim.tokenRequests.get(account.appId) ?? 0, 0);
    // Every node needs the token at the same moment, and none has it yet.
    await Promise.all(conversations.map((id, i) => send(nodes[i % 2]!, shop.agentToken, id, `reply ${i}`)));
    await eventually('six replies', async () => sim.inbox.filter((m) => m.appId === account.appId).length === 6);
    assert.equal(sim.tokenRequests.get(account.appId), 1);

    sim.revokeTokens();
    await Promise.all(conversations.map((id, i) => send(nodes[(i + 1) % 2]!, shop.agentToken, id, `again ${i}`)));
    await eventually('six more replies', async () => sim.inbox.filter((m) => m.appId === account.appId).length === 12);
    assert.equal(sim.tokenRequests.get(account.appId), 2);
  });

  test('a callback recorded but never stored (its node died after answering WeChat) is stored once by another node’s sweep', async () => {
    const fan = `o${randomBytes(6).toString('hex')}`;
    const message = { toUser: account.originalId, fromUser: fan, createTime: Math.floor(Date.now() / 1000), type: 'text', msgId: '990001', content: 'left behind?' };
    await storages[1]!.db
      .insertInto('wechat_inbound')
      .values({ shop_id: shop.shopId, dedup_key: `m:${message.msgId}`, payload: JSON.stringify(message), received_at: Date.now(), next_attempt_at: Date.now() })
      .execute();
    const stored = await eventually('the message stored by a sweep', async () => {
      const rows = await storages[0]!.db.selectFrom('messages').select('text').where('text', '=', 'left behind?').execute();
      const done = await storages[0]!.db.selectFrom('wechat_inbound').select('processed_at').where('dedup_key', '=', `m:${message.msgId}`).executeTakeFirst();
      return rows.length > 0 && done?.processed_at !== null && rows;
    });
    assert.equal(stored.length, 1);
  });
});
