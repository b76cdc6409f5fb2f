import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.ts';
import { openStorage, type Engine, type Storage } from '../../src/storage/connect.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';

/** Every storage and API suite runs on both engines (DESIGN.md §6). */
export const engines: readonly Engine[] = ['sqlite', 'postgres'];

/** PostgreSQL of this machine; CI starts it if it is down. Unreachable = failing tests, never skipped. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStorage extends Storage {
  /** Closes and removes everything the suite created. */
  drop(): Promise<void>;
}

export async function openTestStorage(engine: Engine): Promise<TestStorage> {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-test-'));
    const storage = openStorage({ databaseUrl: null, sqliteFile: path.join(dir, 'test.db') });
    await migrateToLatest(storage);
    return {
      ...storage,
      async drop() {
        await storage.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  // The service's own bounds on transactions, as a node runs with them.
  const storage = openStorage({ databaseUrl: testDatabaseUrl, sqliteFile: '', pgSchema: schema, pgPoolSize: 20, pgTimeouts: loadConfig({}).databaseTimeouts });
  await migrateToLatest(storage);
  return {
    ...storage,
    async drop() {
      await storage.close();
      const cleanup = new pg.Client({ connectionString: testDatabaseUrl });
      await cleanup.connect();
      await cleanup.query(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}
