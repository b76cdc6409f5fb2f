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
