import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { openStorage } from '../src/storage/connect.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { testDatabaseUrl } from './support/storage.ts';

test('PostgreSQL: migrations succeed while other schemas of the database are created and dropped', { timeout: 120_000 }, async () => {
  // Other deployments or test suites on the same database. Kysely's own introspector read every
  // schema and failed with "schema does not exist" when one vanished mid-query (17 of 40 here).
  const tag = randomBytes(4).toString('hex');
  let stop = false;
  let churned = 0;
  const churner = (async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    try {
      while (!stop) {
        const name = `churn_${tag}_${churned++}`;
        await client.query(`create schema ${name}; create table ${name}.t (a int, b text, c int)`);
        await client.query(`drop schema ${name} cascade`);
      }
    } finally {
      await client.end();
    }
  })();
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  const failures: string[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      const schema = `migrate_${tag}_${i}`;
      await admin.query(`create schema ${schema}`);
      const storage = openStorage({ databaseUrl: testDatabaseUrl, sqliteFile: '', pgSchema: schema });
      try {
        const result = await migrateToLatest(storage);
        assert.ok((result.results?.length ?? 0) > 0, 'every migration ran');
      } catch (error) {
        failures.push((error as Error).message);
      } finally {
        await storage.close();
        await admin.query(`drop schema ${schema} cascade`);
      }
    }
  } finally {
    stop = true;
    await churner;
    await admin.end();
  }
  assert.ok(churned > 10, `schemas came and went meanwhile (${churned})`);
  assert.deepEqual(failures, []);
});
