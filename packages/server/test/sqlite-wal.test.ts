import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStorage } from '../src/storage/connect.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';

test('SQLite: the WAL is checkpointed in the background and folded into the database on close', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-wal-'));
  try {
    const file = path.join(dir, 'frontdesk.db');
    const storage = openStorage({ databaseUrl: null, sqliteFile: file });
    await migrateToLatest(storage);
    const autocheckpoint = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(storage.db);
    assert.equal(autocheckpoint.rows[0]?.wal_autocheckpoint, 0, 'the serving connection never checkpoints inside a commit');
    for (let i = 0; i < 200; i++) {
      await storage.db.insertInto('shops').values({ id: `s${i}`, name: 'x'.repeat(2000), identity_secret: 's', settings: '{}', created_at: i, updated_at: i }).execute();
    }
    // The worker copies committed pages into the database file while the server keeps writing.
    let checkpointed = fs.statSync(file).size;
    for (let waited = 0; waited < 5_000 && checkpointed <= 200 * 2000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      checkpointed = fs.statSync(file).size;
    }
    assert.ok(checkpointed > 200 * 2000, `the database file holds the rows (${checkpointed} bytes)`);
    await storage.close();
    const wal = `${file}-wal`;
    assert.ok(!fs.existsSync(wal) || fs.statSync(wal).size === 0, 'closing leaves no WAL behind');
    const reopened = new DatabaseSync(file);
    assert.equal((reopened.prepare('select count(*) as n from shops').get() as { n: number }).n, 200);
    reopened.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SQLite: closing while the background checkpoint copies pages still folds the WAL away', async () => {
  // A checkpoint runs every 100 ms; closes at 0–100 ms after a large commit land inside some of
  // them (the old close, which did not wait for the checkpointer, left a WAL behind in some).
  const left: number[] = [];
  for (let round = 0; round < 20; round++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-wal-close-'));
    try {
      const file = path.join(dir, 'frontdesk.db');
      const storage = openStorage({ databaseUrl: null, sqliteFile: file });
      await migrateToLatest(storage);
      await storage.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 2000; i++) {
          await trx.insertInto('shops').values({ id: `s${i}`, name: 'x'.repeat(2000), identity_secret: 's', settings: '{}', created_at: i, updated_at: i }).execute();
        }
      });
      await new Promise((resolve) => setTimeout(resolve, round * 5));
      await storage.close();
      const wal = `${file}-wal`;
      if (fs.existsSync(wal) && fs.statSync(wal).size > 0) left.push(round);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  assert.deepEqual(left, [], 'rounds that left a WAL behind');
});

test('SQLite: under a steady stream of commits the WAL starts again from its beginning instead of growing', async () => {
  // A PASSIVE checkpoint never catches up with commits that keep coming, and SQLite restarts the
  // WAL only when a writer begins with every frame copied: before, this stream grew the WAL to
  // ~100 MiB; the checkpointer now restarts it once it holds its restart size (256 MiB by default,
  // 4 MiB here so that a test can tell).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-wal-stream-'));
  try {
    const file = path.join(dir, 'frontdesk.db');
    const storage = openStorage({ databaseUrl: null, sqliteFile: file, sqliteWalRestartMb: 4 });
    await migrateToLatest(storage);
    let largest = 0;
    let rows = 0;
    while (rows * 2000 < 64 * 2 ** 20) {
      await storage.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 20; i++, rows++) {
          await trx.insertInto('shops').values({ id: `s${rows}`, name: 'x'.repeat(2000), identity_secret: 's', settings: '{}', created_at: rows, updated_at: rows }).execute();
        }
      });
      largest = Math.max(largest, fs.statSync(`${file}-wal`).size);
    }
    const written = rows * 2000;
    assert.ok(largest < 24 * 2 ** 20, `the WAL stayed small: at most ${(largest / 2 ** 20).toFixed(1)} MiB while ${(written / 2 ** 20).toFixed(0)} MiB of rows were written`);
    await storage.close();
    const reopened = new DatabaseSync(file);
    assert.equal((reopened.prepare('select count(*) as n from shops').get() as { n: number }).n, rows, 'every row is there');
    reopened.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SQLite: the serving connection reads through a page cache of SQLITE_CACHE_MB (64 MiB by default)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-cache-'));
  try {
    const cacheSize = async (options: { sqliteCacheMb?: number }) => {
      const storage = openStorage({ databaseUrl: null, sqliteFile: path.join(dir, 'frontdesk.db'), ...options });
      try {
        return (await sql<{ cache_size: number }>`PRAGMA cache_size`.execute(storage.db)).rows[0]?.cache_size;
      } finally {
        await storage.close();
      }
    };
    assert.equal(await cacheSize({}), -64 * 1024, 'negative: KiB');
    assert.equal(await cacheSize({ sqliteCacheMb: 8 }), -8 * 1024);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('SQLite rows come back as plain objects, the last of a repeated column name winning, "__proto__" an own field', async () => {
  const storage = openStorage({ databaseUrl: null, sqliteFile: ':memory:' });
  try {
    const { rows } = await sql<Record<string, unknown>>`select 1 as a, 'x' as b, 2 as a, 3 as "__proto__", null as "it's"`.execute(storage.db);
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.deepEqual(Object.keys(row), ['a', 'b', '__proto__', "it's"]);
    assert.equal(row.a, 2);
    assert.equal(Object.getOwnPropertyDescriptor(row, '__proto__')?.value, 3);
    assert.equal(Object.getPrototypeOf(row), Object.prototype);
    assert.equal(row["it's"], null);
  } finally {
    await storage.close();
  }
});

test('SQLite: a long chain of queries lets the event loop turn, and a transaction is never cut in two', async () => {
  const storage = openStorage({ databaseUrl: null, sqliteFile: ':memory:' });
  try {
    await migrateToLatest(storage);
    // node:sqlite answers synchronously: without a budget per turn, the whole chain would run
    // before a timer set ahead of it (a socket waiting to be read would wait the same way).
    let fired = -1;
    let done = 0;
    setTimeout(() => (fired = done), 0);
    for (; done < 5_000; done++) await sql`select ${done} as n`.execute(storage.db);
    assert.ok(fired > 0 && fired < 5_000, `the timer ran while the chain went on (after ${fired} queries)`);

    // A transaction holds the connection from begin to commit: nothing else runs inside it.
    const outside: number[] = [];
    const inside: number[] = [];
    const others = Array.from({ length: 200 }, (_, i) => sql`select ${i} as n`.execute(storage.db).then(() => outside.push(inside.length)));
    await storage.db.transaction().execute(async (tx) => {
      for (let i = 0; i < 2_000; i++) {
        await sql`select ${i} as n`.execute(tx);
        inside.push(i);
      }
    });
    await Promise.all(others);
    assert.ok(outside.every((n) => n === 0 || n === 2_000), 'no other query ran between the statements of the transaction');
  } finally {
    await storage.close();
  }
});
