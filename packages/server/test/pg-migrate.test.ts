import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { openConfiguredStorage } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
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

test('PostgreSQL: a search_path in DATABASE_URL is the schema of both the tables and the migration bookkeeping', { timeout: 120_000 }, async () => {
  // Two deployments on one database, each told its schema only by the URL. The tables went to the
  // URL's schema and the bookkeeping to public, so the second believed it was migrated and failed.
  const tag = randomBytes(4).toString('hex');
  const schemas = [`sp_${tag}_x`, `sp_${tag}_y`];
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    for (const schema of schemas) await admin.query(`create schema ${schema}`);
    for (const schema of schemas) {
      const url = new URL(testDatabaseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const config = loadConfig({ DATABASE_URL: url.toString() });
      assert.equal(config.databaseSchema, schema);
      const storage = openConfiguredStorage(config);
      try {
        await migrateToLatest(storage);
      } finally {
        await storage.close();
      }
    }
    for (const schema of schemas) {
      const tables = await admin.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = $1`, [schema]);
      const names = new Set(tables.rows.map((row) => row.table_name));
      assert.ok(names.has('agent_devices') && names.has('messages'), `${schema} has the tables`);
      assert.ok(names.has('kysely_migration'), `${schema} has its own migration bookkeeping`);
    }
    assert.throws(() => loadConfig({ DATABASE_URL: `${testDatabaseUrl}?options=-c%20search_path%3Done`, DATABASE_SCHEMA: 'two' }), /DATABASE_SCHEMA is "two" but DATABASE_URL's search_path starts with "one"/);
  } finally {
    for (const schema of schemas) await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
});
