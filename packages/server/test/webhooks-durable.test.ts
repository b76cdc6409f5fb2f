import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { freePort, ServerProcess } from '../../sdk/test/support/chaos.ts';
import { call, createShop, openWidget, send } from './support/client.ts';
import { createSchema, dropSchema, startNodes } from './support/cluster.ts';
import { eventually } from './support/eventually.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines, testDatabaseUrl } from './support/storage.ts';
import { Receiver, verifyWebhook } from './support/webhook-receiver.ts';

/**
 * What webhooks survive: the server killed (-9) right after a commit delivers the fact after its
 * restart; and an endpoint that fails for the whole retry window is disabled, saying why.
 */
const PASSWORD = 'correct horse battery staple';

for (const engine of engines) {
  describe(`webhooks survive kill -9 on ${engine}`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-webhooks-'));
    const schema = `webhooks_${randomBytes(4).toString('hex')}`;
    const receiver = new Receiver();
    const servers: ServerProcess[] = [];
    let port = 0;
    const env = (): Record<string, string> => ({
      PORT: String(port),
      DATA_DIR: dir,
      ...(engine === 'postgres' && { DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema }),
      LOG_LEVEL: 'error',
      SEED_DEMO: 'false',
      RATE_LIMIT: '1000000',
      WIDGET_SESSION_RATE_LIMIT: '100000',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_RETRY_BASE_MS: '100',
      // A delivery in flight when the process died is retried once its lease (timeout + 5 s) lapses.
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_POLL_MS: '100',
    });
    before(async () => {
      port = await freePort();
      if (engine === 'postgres') await createSchema(schema);
      await receiver.start();
    });
    after(async () => {
      for (const server of servers) await server.stop();
      await receiver.stop();
      if (engine === 'postgres') await dropSchema(schema);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('a fact committed just before kill -9 is delivered after the restart, under one delivery id', async () => {
      const email = `owner-${randomUUID()}@example.test`;
      const { shopId } = await startNodes(() => env(), [port], servers, { email, password: PASSWORD, shopName: 'Crashing' });
      const node = { url: `http://127.0.0.1:${port}` } as TestServer;
      const owner = (await call(node, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).body.token as string;
      const hook = await call(node, 'POST', '/api/v1/webhooks', { token: owner, body: { url: `${receiver.url}/crash`, events: ['message.created'] } });
      assert.equal(hook.status, 201);
      const customer = await openWidget(node, shopId);

      // Until the restart the receiver never answers: whatever the dying process managed to send is lost with it.
      let restarted = false;
      receiver.answer = () => (restarted ? { status: 200 } : 'hang');
      const sent = await send(node, customer.token, customer.conversationId, 'the last words');
      assert.equal(sent.status, 201, 'committed');
      await servers[0]!.crash();

      restarted = true;
      const again = new ServerProcess(env());
      servers.push(again);
      await again.start();
      const delivered = await eventually('the delivery after the restart', async () =>
        receiver.requests.find((r) => r.json.data.message?.id === sent.body.id && r.status === 200),
      );
      assert.ok(verifyWebhook(hook.body.secret, delivered.headers, delivered.body));
      const all = receiver.requests.filter((r) => r.json.data.message?.id === sent.body.id);
      assert.equal(new Set(all.map((r) => r.headers['x-frontdesk-delivery'])).size, 1, 'every attempt under one delivery id');
      // Recorded a moment after the answer came.
      const log = await eventually('the delivery recorded', async () => {
        const items = (await call(node, 'GET', `/api/v1/webhooks/${hook.body.id}/deliveries`, { token: owner })).body.items as Array<{ status: string }>;
        return items.length > 0 && items.every((d) => d.status === 'delivered') && items;
      });
      assert.equal(log.length, 1);
    });
  });

  describe(`a failing endpoint is disabled on ${engine}`, () => {
    let server: TestServer;
    const receiver = new Receiver();
    after(() => receiver.stop());
    before(async () => {
      // A retry window of 1.8 s instead of 24 h.
      server = await startServer(engine, { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_HOURS: '0.0005', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_POLL_MS: '100' });
    });
    after(() => server.close());

    test('after failing for the whole window: disabled with its reason, subscriptions gone, deliveries given up', async () => {
      const shop = await createShop(server, 'Failing');
      receiver.answer = () => ({ status: 500 });
      await receiver.start();
      const hook = await call(server, 'POST', '/api/v1/webhooks', { token: shop.ownerToken, body: { url: `${receiver.url}/fail`, events: ['message.created'] } });
      const customer = await openWidget(server, shop.shopId);
      await send(server, customer.token, customer.conversationId, 'nobody listens');

      const disabled = await eventually('the endpoint disabled', async () => {
        const listed = (await call(server, 'GET', '/api/v1/webhooks', { token: shop.ownerToken })).body.items[0];
        return listed.active === false && listed;
      });
      assert.match(disabled.disabledReason, /^Every delivery failed for 2 s; the last: HTTP 500: receiver says hi$/);
      assert.ok(receiver.requests.length >= 3, `${receiver.requests.length} attempts`);
      assert.deepEqual(await server.storage.db.selectFrom('webhook_subscriptions').selectAll().where('endpoint_id', '=', hook.body.id).execute(), []);
      const log = (await call(server, 'GET', `/api/v1/webhooks/${hook.body.id}/deliveries`, { token: shop.ownerToken })).body.items;
      assert.deepEqual(log.map((d: { status: string; nextAttemptAt: string | null }) => [d.status, d.nextAttemptAt]), [['failed', null]]);

      // Nothing is recorded for it any more; a redelivery asks for it to be enabled first.
      await send(server, customer.token, customer.conversationId, 'still nobody');
      assert.deepEqual(await server.storage.db.selectFrom('outbox').selectAll().where('shop_id', '=', shop.shopId).execute(), []);
      const redeliver = await call(server, 'POST', `/api/v1/webhooks/${hook.body.id}/deliveries/${log[0].id}/redeliver`, { token: shop.ownerToken });
      assert.deepEqual([redeliver.status, redeliver.body.error.code], [409, 'WEBHOOK_DISABLED']);
    });
  });

  if (engine === 'postgres') {
    describe('an endpoint deleted while a node records a delivery of it (PostgreSQL row locks)', () => {
      let server: TestServer;
      before(async () => {
        server = await startServer(engine, { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
      });
      after(() => server.close());

      test('both finish: the delete waits for the recording instead of deadlocking with it (was 503)', async () => {
        const shop = await createShop(server, 'Deleting');
        const hook = await call(server, 'POST', '/api/v1/webhooks', { token: shop.ownerToken, body: { url: 'http://127.0.0.1:9/hook', events: ['message.created'] } });
        assert.equal(hook.status, 201, JSON.stringify(hook.body));
        const db = server.storage.db;
        const deliveryId = randomUUID();
        await db
          .insertInto('webhook_deliveries')
          .values({ id: deliveryId, endpoint_id: hook.body.id, shop_id: shop.shopId, event_id: randomUUID(), event: 'message.created', payload: '{}', status: 'delivered', attempts: 1, next_attempt_at: null, retry_until: 0, locked_until: null, created_at: Date.now() })
          .execute();
        let deleted: ReturnType<typeof call> | undefined;
        // As the delivery job records an attempt: the delivery's row, then its endpoint's.
        await db.transaction().execute(async (tx) => {
          await tx.updateTable('webhook_deliveries').set({ response_status: 204 }).where('id', '=', deliveryId).execute();
          deleted = call(server, 'DELETE', `/api/v1/webhooks/${hook.body.id}`, { token: shop.ownerToken });
          await eventually('the delete waiting for a row lock', async () => {
            const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%webhook_deliveries%' and pid <> pg_backend_pid()`.execute(db);
            return rows[0]!.n > 0;
          });
          await tx.updateTable('webhook_endpoints').set({ succeeded_at: Date.now() }).where('id', '=', hook.body.id).execute();
        });
        assert.equal((await deleted!).status, 204);
        assert.equal((await call(server, 'GET', `/api/v1/webhooks/${hook.body.id}`, { token: shop.ownerToken })).status, 404);
        assert.deepEqual(await db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', hook.body.id).execute(), []);
      });
    });
  }
}
