import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, ServerProcess } from '../../sdk/test/support/chaos.ts';
import { openStorage, type Storage } from '../src/storage/connect.ts';
import { call } from './support/client.ts';
import { createSchema, dropSchema, NODE_TEST_ENV, startNodes } from './support/cluster.ts';
import { seedBulk } from './support/contacts.ts';
import { eventually } from './support/eventually.ts';
import type { TestServer } from './support/server.ts';
import { engines, testDatabaseUrl } from './support/storage.ts';

/**
 * Crash safety (docs/campaigns.md, "Crash safety"): a throttled campaign to a few thousand
 * contacts, its server killed with SIGKILL part way, then started again: it resumes where it
 * stopped and every recipient has the message exactly once.
 */
const PASSWORD = 'correct horse battery staple';
const RECIPIENTS = 3_000;

for (const engine of engines) {
  describe(`campaigns survive kill -9 on ${engine}`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-campaigns-'));
    const schema = `campaigns_${randomBytes(4).toString('hex')}`;
    const servers: ServerProcess[] = [];
    let port = 0;
    const env = (): Record<string, string> => ({
      ...NODE_TEST_ENV,
      PORT: String(port),
      DATA_DIR: dir,
      ...(engine === 'postgres' && { DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema }),
      CAMPAIGN_POLL_MS: '100',
    });
    /** The node's database, opened by the test while no node runs (SQLite has one writer process). */
    const database = (): Storage =>
      openStorage({ databaseUrl: engine === 'postgres' ? testDatabaseUrl : null, sqliteFile: path.join(dir, 'frontdesk.db'), ...(engine === 'postgres' && { pgSchema: schema }) });

    before(async () => {
      port = await freePort();
      if (engine === 'postgres') await createSchema(schema);
    });
    after(async () => {
      for (const server of servers) await server.stop();
      if (engine === 'postgres') await dropSchema(schema);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test(`a campaign to ${RECIPIENTS} contacts killed mid-way resumes after the restart; each gets the message exactly once`, async () => {
      const email = `owner-${randomUUID()}@example.test`;
      const { shopId } = await startNodes(() => env(), [port], servers, { email, password: PASSWORD, shopName: 'Crashing' });
      await servers[0]!.stop();
      const seeding = database();
      const customers = await seedBulk(seeding.db, shopId, RECIPIENTS);
      await seeding.close();
      const first = new ServerProcess(env());
      servers.push(first);
      await first.start();

      const node = { url: `http://127.0.0.1:${port}` } as TestServer;
      const login = await call(node, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
      const token = login.body.token as string;
      const ownerId = login.body.staff.id as string;
      const created = await call(node, 'POST', '/api/v1/campaigns', { token, body: { name: 'Crash', kind: 'one_off', senderId: ownerId, text: 'Once only', audience: { all: true }, throttlePerSecond: 1_000 } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id as string;
      assert.equal((await call(node, 'POST', `/api/v1/campaigns/${id}/start`, { token })).body.counts.total, RECIPIENTS);
      await eventually('a part sent', async () => (await call(node, 'GET', `/api/v1/campaigns/${id}`, { token })).body.counts.sent >= RECIPIENTS / 5, 30_000);
      await first.crash();

      const halfway = database();
      const sentAtCrash = await campaignMessages(halfway, id);
      await halfway.close();
      assert.ok(sentAtCrash > 0 && sentAtCrash < RECIPIENTS, `killed with ${sentAtCrash} of ${RECIPIENTS} sent`);

      const second = new ServerProcess(env());
      servers.push(second);
      await second.start();
      const relogin = (await call(node, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).body.token as string;
      const done = await eventually('completed after the restart', async () => {
        const campaign = (await call(node, 'GET', `/api/v1/campaigns/${id}`, { token: relogin })).body;
        return campaign.status === 'completed' && campaign;
      }, 60_000);
      assert.deepEqual([done.counts.sent, done.counts.failed, done.counts.total], [RECIPIENTS, 0, RECIPIENTS]);
      await second.stop();

      const check = database();
      try {
        const perCustomer = await check.db
          .selectFrom('messages as m')
          .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
          .select(['c.customer_id', (eb) => eb.fn.countAll<number>().as('n')])
          .where('m.client_msg_id', '=', `campaign:${id}`)
          .groupBy('c.customer_id')
          .execute();
        assert.equal(perCustomer.length, RECIPIENTS, 'every recipient has it');
        assert.deepEqual(perCustomer.filter((r) => Number(r.n) !== 1), [], 'nobody has it twice');
        assert.deepEqual(new Set(perCustomer.map((r) => r.customer_id)), new Set(customers));
        const rows = await check.db.selectFrom('campaign_recipients').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('campaign_id', '=', id).groupBy('status').execute();
        assert.deepEqual(rows.map((r) => [r.status, Number(r.n)]), [['sent', RECIPIENTS]]);
        // One service conversation per customer: a conversation made before the crash was not made again.
        const conversations = await check.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).where('shop_id', '=', shopId).executeTakeFirstOrThrow();
        assert.equal(Number(conversations.n), RECIPIENTS);
      } finally {
        await check.close();
      }
    });
  });
}

async function campaignMessages(storage: Storage, campaignId: string): Promise<number> {
  const row = await storage.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('client_msg_id', '=', `campaign:${campaignId}`).executeTakeFirstOrThrow();
  return Number(row.n);
}
