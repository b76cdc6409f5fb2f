import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Message } from '@frontdesk/protocol';
import { createApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import { openStorage } from '../src/storage/connect.ts';
import { createShop, openWidget, type ShopFixture } from './support/client.ts';
import type { TestServer } from './support/server.ts';
import { openTestStorage, testDatabaseUrl, type TestStorage } from './support/storage.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

const CONVERSATIONS = 50;
const EACH = 12;

/**
 * A shop's stream without a shop-wide row (issue "Cluster faults"): two nodes over one PostgreSQL
 * schema write to 50 conversations of one shop at once, so their transactions commit in any order,
 * while a console pages through staff sync in small pages the whole time. The sync chain must
 * return every message, none stepped over.
 */
describe('one shop written from two nodes at once, on PostgreSQL', () => {
  let storage: TestStorage;
  const apps: App[] = [];
  const nodes: TestServer[] = [];
  const sockets: RawClient[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-stream-'));
  let shop: ShopFixture;

  before(async () => {
    storage = await openTestStorage('postgres');
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT: '1000000', WIDGET_SESSION_RATE_LIMIT: '100000', WS_RATE_PER_SECOND: '1000', WS_RATE_BURST: '1000' });
    const second = openStorage({ databaseUrl: testDatabaseUrl, sqliteFile: '', pgSchema: storage.schema!, pgTimeouts: config.databaseTimeouts });
    for (const nodeStorage of [storage, second]) {
      const app = await createApp(config, { storage: nodeStorage });
      apps.push(app);
      nodes.push({ url: await app.listen(), app } as unknown as TestServer);
    }
    shop = await createShop(nodes[0]!, 'One busy shop');
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    for (const app of apps.slice(1)) await app.close();
    await apps[0]?.gateway.close();
    await apps[0]?.http.close();
    await storage.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('every message reaches a console that syncs in small pages while both nodes write, once, in seq order per conversation', { timeout: 120_000 }, async () => {
    const console_ = await rawAuthed(nodes[1]!, shop.ownerToken);
    sockets.push(console_);
    let token = (console_.frames.find((f) => f.type === 'auth.ok') as { syncToken: string }).syncToken;

    const customers = await Promise.all(
      Array.from({ length: CONVERSATIONS }, async (_, i) => {
        const node = nodes[i % 2]!;
        const fixture = await openWidget(node, shop.shopId);
        const socket = await rawAuthed(node, fixture.token);
        sockets.push(socket);
        return { ...fixture, socket };
      }),
    );

    const acked = new Map<string, Message>();
    const writes = Promise.all(
      customers.map(async ({ socket, conversationId }) => {
        for (let i = 0; i < EACH; i++) {
          const clientMsgId = randomUUID();
          socket.send({ type: 'send', conversationId, clientMsgId, text: `message ${i}` });
          const ack = await socket.next('ack', (f) => f.clientMsgId === clientMsgId, 30_000);
          acked.set(clientMsgId, ack.message);
        }
      }),
    );

    // The console follows its token from page to page, small pages, as long as anything is written.
    const seen = new Map<string, number>();
    let writing = true;
    void writes.finally(() => (writing = false));
    let pages = 0;
    for (;;) {
      const done = !writing;
      let hasMore = true;
      while (hasMore) {
        const id = `sync-${pages++}`;
        console_.send({ type: 'sync', id, token, limit: 7 });
        const page = await console_.next('sync.result', (f) => f.id === id, 30_000);
        for (const m of page.messages) seen.set(`${m.conversationId}:${m.seq}`, (seen.get(`${m.conversationId}:${m.seq}`) ?? 0) + 1);
        token = page.token;
        hasMore = page.hasMore;
      }
      if (done) break;
    }
    await writes;

    assert.equal(acked.size, CONVERSATIONS * EACH);
    const missed = [...acked.values()].filter((m) => !seen.has(`${m.conversationId}:${m.seq}`));
    assert.deepEqual(missed, [], `the sync chain (${pages} pages) stepped over nothing`);
    for (const { conversationId } of customers) {
      const seqs = [...acked.values()].filter((m) => m.conversationId === conversationId).map((m) => m.seq).sort((a, b) => a - b);
      assert.deepEqual(seqs, Array.from({ length: EACH }, (_, i) => i + 1), 'gapless per conversation');
    }
    // Repeats are allowed (what lay past the horizon comes again) but a settled stream has none left.
    const quiet = `sync-final`;
    console_.send({ type: 'sync', id: quiet, token });
    assert.deepEqual((await console_.next('sync.result', (f) => f.id === quiet)).messages, [], 'nothing new after the last page');
  });

  test('a send waiting on one conversation holds up no other conversation of the shop', { timeout: 60_000 }, async () => {
    const [held, ...rest] = await Promise.all(Array.from({ length: 6 }, (_, i) => openWidget(nodes[i % 2]!, shop.shopId)));
    // A transaction of another node, open on one conversation of the shop, as a frozen node's would be.
    const holder = new pg.Client({ connectionString: testDatabaseUrl });
    await holder.connect();
    await holder.query(`set search_path = ${storage.schema}`);
    await holder.query('begin');
    await holder.query('select id from conversations where id = $1 for update', [held!.conversationId]);
    try {
      const heldSocket = await rawAuthed(nodes[0]!, held!.token);
      sockets.push(heldSocket);
      heldSocket.send({ type: 'send', conversationId: held!.conversationId, clientMsgId: randomUUID(), text: 'waits for the lock' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Both nodes: the other conversations are answered while that send still waits.
      const others = await Promise.all(
        rest.map(async (c, i) => {
          const socket = await rawAuthed(nodes[i % 2]!, c.token);
          sockets.push(socket);
          const clientMsgId = randomUUID();
          socket.send({ type: 'send', conversationId: c.conversationId, clientMsgId, text: 'not held up' });
          return socket.next('ack', (f) => f.clientMsgId === clientMsgId, 2_000);
        }),
      );
      assert.equal(others.length, 5);
      assert.equal(heldSocket.frames.filter((f) => f.type === 'ack').length, 0, 'the held conversation is still waiting');
      await holder.query('commit');
      await heldSocket.next('ack', () => true, 5_000);
    } finally {
      await holder.end();
    }
  });
});
