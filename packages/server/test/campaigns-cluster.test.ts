import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { freePort, ServerProcess } from '../../sdk/test/support/chaos.ts';
import { openStorage } from '../src/storage/connect.ts';
import { call } from './support/client.ts';
import { createSchema, dropSchema, NODE_TEST_ENV, startNodes } from './support/cluster.ts';
import { seedBulk } from './support/contacts.ts';
import { eventually } from './support/eventually.ts';
import type { TestServer } from './support/server.ts';
import { testDatabaseUrl } from './support/storage.ts';

/**
 * Campaigns in a cluster (docs/campaigns.md, "Crash safety"): two nodes on one PostgreSQL, one
 * campaign. One node holds its lease and sends; the other never sends a message of it while the
 * lease holds. Killed (-9), the holder's lease lapses and the other node carries on: every
 * recipient gets the message exactly once.
 */
const PASSWORD = 'correct horse battery staple';
const RECIPIENTS = 2_000;

describe('campaigns on a two-node cluster (PostgreSQL)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-campaign-cluster-'));
  const schema = `campaign_cluster_${randomBytes(4).toString('hex')}`;
  const servers: ServerProcess[] = [];
  let ports: number[] = [];
  const env = (port: number): Record<string, string> => ({
    ...NODE_TEST_ENV,
    PORT: String(port),
    DATA_DIR: dir,
    DATABASE_URL: testDatabaseUrl,
    DATABASE_SCHEMA: schema,
    CAMPAIGN_POLL_MS: '100',
    CAMPAIGN_LEASE_MS: '2000',
  });

  before(async () => {
    ports = [await freePort(), await freePort()];
    await createSchema(schema);
  });
  after(async () => {
    for (const server of servers) await server.stop();
    await dropSchema(schema);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The pid of the node process whose id is `nodeId` (its PostgreSQL sessions are named `frontdesk node=<id> pid=<pid>`). */
  async function pidOf(nodeId: string): Promise<number> {
    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(`select application_name as name from pg_stat_activity where application_name like $1 limit 1`, [`frontdesk node=${nodeId} pid=%`]);
      return Number(/pid=(\d+)/.exec(rows[0]?.name ?? '')?.[1]);
    } finally {
      await client.end();
    }
  }

  test('one node sends at a time; the other takes over when the holder dies; exactly once', async () => {
    const email = `owner-${randomUUID()}@example.test`;
    const { shopId } = await startNodes(env, ports, servers, { email, password: PASSWORD, shopName: 'Cluster campaigns' });
    const storage = openStorage({ databaseUrl: testDatabaseUrl, sqliteFile: '', pgSchema: schema });
    try {
      await seedBulk(storage.db, shopId, RECIPIENTS);
      const node = { url: `http://127.0.0.1:${ports[0]}` } as TestServer;
      const login = (await call(node, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).body;
      const created = await call(node, 'POST', '/api/v1/campaigns', { token: login.token, body: { name: 'Cluster', kind: 'one_off', senderId: login.staff.id, text: 'From one node', audience: { all: true }, throttlePerSecond: 500 } });
      const id = created.body.id as string;
      assert.equal((await call(node, 'POST', `/api/v1/campaigns/${id}/start`, { token: login.token })).status, 200);

      // While it runs, one owner holds it: sampled, the lease never names two nodes at once (one column), and it stays with one node.
      const owners = new Set<string>();
      await eventually('a quarter sent', async () => {
        const row = await storage.db.selectFrom('campaigns').select(['lease_owner', 'sent']).where('id', '=', id).executeTakeFirstOrThrow();
        if (row.lease_owner !== null) owners.add(row.lease_owner);
        return row.sent >= RECIPIENTS / 4;
      }, 30_000);
      assert.equal(owners.size, 1, 'one node sends while its lease holds');
      const holder = [...owners][0]!;
      const pid = await pidOf(holder);
      const dying = servers.find((s) => s.pid === pid);
      assert.ok(dying, `the holder's process (pid ${pid}) is one of ours`);
      await dying.crash();
      const survivor = servers.find((s) => s !== dying)!;
      assert.ok(survivor.running);

      const taken = await eventually('another node took it over', async () => {
        const row = await storage.db.selectFrom('campaigns').select(['lease_owner', 'status']).where('id', '=', id).executeTakeFirstOrThrow();
        return row.lease_owner !== null && row.lease_owner !== holder ? row.lease_owner : row.status === 'completed' ? 'completed' : false;
      }, 30_000);
      assert.notEqual(taken, holder);
      await eventually('completed', async () => (await storage.db.selectFrom('campaigns').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status === 'completed', 60_000);

      const perConversation = await storage.db
        .selectFrom('messages')
        .select(['conversation_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('client_msg_id', '=', `campaign:${id}`)
        .groupBy('conversation_id')
        .execute();
      assert.equal(perConversation.length, RECIPIENTS);
      assert.deepEqual(perConversation.filter((r) => Number(r.n) !== 1), [], 'nobody has it twice');
      const counts = await storage.db.selectFrom('campaigns').select(['sent', 'failed', 'total']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.deepEqual([counts.sent, counts.failed, counts.total], [RECIPIENTS, 0, RECIPIENTS]);
    } finally {
      await storage.close();
    }
  });
});
