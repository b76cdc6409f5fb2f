/**
 * Issue 23 item 3: on SQLite the send path's writes run on a thread of their own
 * (storage/sqlite-writer.ts). What crosses the thread is checked here: results and errors as the
 * main thread would have made them, turns at the file with the main thread's own writes, a clean
 * stop, and a thread that cannot run failing its batches clearly, then coming back.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../src/domain/errors.ts';
import { newId } from '../src/domain/ids.ts';
import type { PlannedMessage } from '../src/domain/messages/plan.ts';
import type { NewMessage } from '../src/domain/ports.ts';
import { openStorage } from '../src/storage/connect.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { sqliteWriter } from '../src/storage/sqlite-writer.ts';
import { createShop, openWidget, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';

describe('the SQLite writer thread', () => {
  let server: TestServer;
  let shop: ShopFixture;
  before(async () => {
    server = await startServer('sqlite');
    shop = await createShop(server, 'Writer thread');
  });
  after(() => server.close());

  const says = (conversationId: string, customerId: string, clientMsgId: string): NewMessage => ({
    id: newId(), shopId: shop.shopId, conversationId, senderId: customerId, senderKind: 'customer', senderRole: 'customer',
    kind: 'user', contentType: 'text', text: `hello ${clientMsgId}`, visibility: 'public', clientMsgId, createdAt: Date.now(),
    openInquiry: { id: newId(), customerId },
  });

  test('the server sends through it: results, resends and errors come back as the main thread would make them', async () => {
    assert.ok(server.storage.sqlite?.writer, 'a file-backed database has a writer thread');
    const c = await openWidget(server, shop.shopId);
    const append = server.app.store.messages.append;
    const [first, second, again, lost] = await Promise.allSettled([
      append(says(c.conversationId, c.customerId, 'w1')),
      append(says(c.conversationId, c.customerId, 'w2')),
      append(says(c.conversationId, c.customerId, 'w1')),
      append(says(newId(), c.customerId, 'w3')),
    ]);
    assert.equal(first.status, 'fulfilled');
    assert.equal(second.status, 'fulfilled');
    assert.equal(again.status, 'fulfilled');
    if (first.status !== 'fulfilled' || second.status !== 'fulfilled' || again.status !== 'fulfilled') return;
    assert.deepEqual([first.value.message.seq, second.value.message.seq], [1, 2]);
    assert.equal(first.value.duplicate, false);
    assert.ok(first.value.openedInquiryId, 'the first message opened an inquiry');
    assert.equal(again.value.duplicate, true);
    assert.equal(again.value.message.id, first.value.message.id);
    assert.equal(lost.status, 'rejected');
    assert.ok(lost.status === 'rejected' && lost.reason instanceof AppError && lost.reason.code === 'CONVERSATION_NOT_FOUND');
    const stored = await server.storage.db.selectFrom('messages').select(['seq', 'text']).where('conversation_id', '=', c.conversationId).orderBy('seq').execute();
    assert.deepEqual(stored, [{ seq: 1, text: 'hello w1' }, { seq: 2, text: 'hello w2' }]);
    // A new message comes back from the thread as its placement and is rebuilt from the input: the
    // record must be the stored row, field for field, as a resend's (which crosses whole) is.
    for (const result of [first.value, second.value, again.value]) {
      const { publicSeq, ...record } = result.message as PlannedMessage;
      assert.deepEqual(record, await server.app.store.messages.find(c.conversationId, result.message.id));
      if (!result.duplicate) assert.equal(publicSeq, result.message.seq, 'every message here is public');
    }
  });

  test('batch after batch across the thread: each conversation in order and gapless, a resend of a message in flight gets the stored copy', async () => {
    const people = await Promise.all(Array.from({ length: 12 }, () => openWidget(server, shop.shopId)));
    const append = server.app.store.messages.append;
    // Twenty turns of the event loop, each adding one send to every conversation and a resend of
    // the previous turn's, whose first copy may still be in the batch the thread is committing.
    const sent: Array<{ conversationId: string; key: string; result: ReturnType<typeof append> }> = [];
    for (let turn = 0; turn < 20; turn++) {
      for (const c of people) {
        sent.push({ conversationId: c.conversationId, key: `o${turn}`, result: append(says(c.conversationId, c.customerId, `o${turn}`)) });
        if (turn > 0) sent.push({ conversationId: c.conversationId, key: `o${turn - 1}`, result: append(says(c.conversationId, c.customerId, `o${turn - 1}`)) });
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const results = await Promise.all(sent.map((s) => s.result));
    for (const c of people) {
      const mine = sent.map((s, i) => ({ ...s, out: results[i]! })).filter((s) => s.conversationId === c.conversationId);
      const firsts = mine.filter((s) => !s.out.duplicate);
      assert.deepEqual(firsts.map((s) => s.key), Array.from({ length: 20 }, (_, t) => `o${t}`), 'each sent once, in the order sent');
      assert.deepEqual(firsts.map((s) => s.out.message.seq), Array.from({ length: 20 }, (_, t) => t + 1), 'gapless');
      for (const again of mine.filter((s) => s.out.duplicate)) {
        assert.equal(again.out.message.id, firsts.find((s) => s.key === again.key)!.out.message.id, 'a resend returns the stored copy');
      }
      const stored = await server.storage.db.selectFrom('messages').select('seq').where('conversation_id', '=', c.conversationId).execute();
      assert.equal(stored.length, 20);
    }
  });

  test('sends and the main thread’s own transactions take turns at the file: nothing is refused as busy', async () => {
    const c = await openWidget(server, shop.shopId);
    const db = server.storage.db;
    const sends = Array.from({ length: 300 }, (_, i) => server.app.store.messages.append(says(c.conversationId, c.customerId, `t${i}`)));
    const updates = Array.from({ length: 30 }, (_, i) =>
      db.transaction().execute(async (tx) => {
        await tx.updateTable('conversations').set({ title: `turn ${i}` }).where('id', '=', c.conversationId).execute();
        await new Promise((resolve) => setTimeout(resolve, 1));
        await tx.updateTable('conversations').set({ priority: i % 4 }).where('id', '=', c.conversationId).execute();
      }),
    );
    const results = await Promise.all([...sends, ...updates]);
    assert.equal(results.length, 330);
    const row = await db.selectFrom('conversations').select(['last_seq', 'title']).where('id', '=', c.conversationId).executeTakeFirstOrThrow();
    assert.equal(row.last_seq, 300);
    assert.equal(row.title, 'turn 29');
  });
});

test('closing the storage waits for the batches in flight; everything acknowledged is in the file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-writer-'));
  try {
    const file = path.join(dir, 'db.sqlite');
    const storage = openStorage({ databaseUrl: null, sqliteFile: file });
    await migrateToLatest(storage);
    const shopId = newId();
    const conversationId = newId();
    await storage.db.insertInto('shops').values({ id: shopId, name: 'S', identity_secret: 'x', settings: '{}', created_at: 0, updated_at: 0 }).execute();
    await storage.db.insertInto('conversations').values({ id: conversationId, shop_id: shopId, kind: 'group', created_at: 0, updated_at: 0, last_activity_at: 0 } as never).execute();
    const writer = storage.sqlite!.writer!;
    const batches = Array.from({ length: 20 }, (_, b) =>
      writer.append(Array.from({ length: 50 }, (_, i): NewMessage => ({
        id: newId(), shopId, conversationId, senderId: null, senderKind: 'system', senderRole: null, kind: 'system', contentType: 'text',
        text: `${b}.${i}`, visibility: 'public', clientMsgId: null, createdAt: 1, openInquiry: null,
      }))),
    );
    const closed = storage.close();
    const results = (await Promise.all(batches)).flat();
    await closed;
    assert.equal(results.filter((r) => !(r instanceof Error)).length, 1_000);
    const again = openStorage({ databaseUrl: null, sqliteFile: file });
    const { n } = await again.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await again.close();
    assert.equal(Number(n), 1_000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a writer thread that cannot open its file fails its batch as STORAGE_UNAVAILABLE; the next batch starts a new thread', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-writer-'));
  try {
    const file = path.join(dir, 'later', 'db.sqlite');
    const writer = sqliteWriter({ filename: file, lock: new SharedArrayBuffer(4), cacheMb: undefined });
    await assert.rejects(writer.append([]), (error: unknown) => error instanceof AppError && error.code === 'STORAGE_UNAVAILABLE');
    fs.mkdirSync(path.dirname(file));
    const storage = openStorage({ databaseUrl: null, sqliteFile: file });
    await migrateToLatest(storage);
    assert.deepEqual(await writer.append([]), []);
    await writer.stop();
    await storage.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('sends on the writer thread, the main thread’s own writes and the checkpointer’s restarts take turns: nothing lost, every seq in order, the WAL restarted again and again', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-writer-restart-'));
  try {
    const file = path.join(dir, 'db.sqlite');
    // Restarts every MiB of WAL: many of them during the run, each taking every writer's turn.
    const storage = openStorage({ databaseUrl: null, sqliteFile: file, sqliteWalRestartMb: 1 });
    await migrateToLatest(storage);
    const shopId = newId();
    await storage.db.insertInto('shops').values({ id: shopId, name: 'S', identity_secret: 'x', settings: '{}', created_at: 0, updated_at: 0 }).execute();
    const conversations = Array.from({ length: 40 }, () => newId());
    for (const id of conversations) {
      await storage.db.insertInto('conversations').values({ id, shop_id: shopId, kind: 'group', created_at: 0, updated_at: 0, last_activity_at: 0 } as never).execute();
    }
    const writer = storage.sqlite!.writer!;
    const text = 'x'.repeat(400);
    // The WAL's header counts its restarts (SQLite's "checkpoint sequence number", bytes 12–15).
    const restarts = () => {
      const header = Buffer.alloc(16);
      const fd = fs.openSync(`${file}-wal`, 'r');
      fs.readSync(fd, header, 0, 16, 0);
      fs.closeSync(fd);
      return header.readUInt32BE(12);
    };
    const restartsBefore = restarts();
    // At least 150 rounds and 3 s, so that some 30 checkpoint rounds (every 100 ms) fall inside it
    // however fast the machine writes.
    const started = Date.now();
    let rounds = 0;
    const sends = (async () => {
      const results = [];
      for (let round = 0; round < 150 || Date.now() - started < 3_000; round++, rounds++) {
        const batch = conversations.map((conversationId, i): NewMessage => ({
          id: newId(), shopId, conversationId, senderId: null, senderKind: 'system', senderRole: null, kind: 'system', contentType: 'text',
          text: `${round}.${i} ${text}`, visibility: 'public', clientMsgId: null, createdAt: round, openInquiry: null,
        }));
        results.push(...(await writer.append(batch)));
      }
      return results;
    })();
    // Meanwhile the main thread writes too, in transactions of its own.
    let own = 0;
    const mine = (async () => {
      for (; own < 200; own++) await storage.db.updateTable('shops').set({ updated_at: own }).where('id', '=', shopId).execute();
    })();
    const [results] = await Promise.all([sends, mine]);
    assert.deepEqual(results.filter((r) => r instanceof Error), [], 'no send failed');
    assert.equal(results.length, rounds * 40);
    const rows = await storage.db.selectFrom('messages').select(['conversation_id', 'seq']).orderBy('conversation_id').orderBy('seq').execute();
    assert.equal(rows.length, rounds * 40, 'every acknowledged message is stored');
    const seqs = new Map<string, number[]>();
    for (const row of rows) seqs.set(row.conversation_id, [...(seqs.get(row.conversation_id) ?? []), row.seq]);
    for (const [id, list] of seqs) assert.deepEqual(list, Array.from({ length: rounds }, (_, i) => i + 1), `conversation ${id}: gapless`);
    const shop = await storage.db.selectFrom('shops').select('updated_at').where('id', '=', shopId).executeTakeFirstOrThrow();
    assert.equal(shop.updated_at, 199, 'the main thread’s writes all landed');
    // Restarting at 1 MiB: about once per checkpoint round (12 in a 4 s run on the bench machine; 2
    // before the checkpointer took the writers' turn, the WAL restarting only when a pass caught up).
    assert.ok(restarts() - restartsBefore >= 8, `the WAL restarted ${restarts() - restartsBefore} times during the stream`);
    await storage.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
