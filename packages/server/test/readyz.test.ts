import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { healthRoutes } from '../src/http/routes/health.ts';
import { call, createShop } from './support/client.ts';
import { fetchOperations } from './support/openapi.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawConnect } from './support/ws-client.ts';

/** Milliseconds the promise took. */
async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
}

for (const engine of engines) {
  describe(`/readyz on ${engine}`, () => {
    let server: TestServer;

    before(async () => {
      server = await startServer(engine);
    });
    after(() => server.close());

    test('a node that accepts work and reaches its database is ready', async () => {
      const reply = await call(server, 'GET', '/readyz');
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { status: 'ready' });
    });

    test('probes are not rate limited', async () => {
      // A tiny limit, so that being exempt shows.
      const limited = await startServer(engine, { RATE_LIMIT: '3' });
      try {
        for (let i = 0; i < 10; i++) assert.equal((await call(limited, 'GET', '/readyz')).status, 200, `probe ${i}`);
        // The same client is limited elsewhere: the exemption is the route's, not a high limit.
        const statuses = [];
        for (let i = 0; i < 5; i++) statuses.push((await call(limited, 'GET', '/docs/json')).status);
        assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
        assert.equal((await call(limited, 'GET', '/readyz')).status, 200);
      } finally {
        await limited.close();
      }
    });

    test('the API document lists it beside /healthz', async () => {
      const keys = (await fetchOperations(server)).map((op) => op.key);
      assert.ok(keys.includes('GET /readyz'), keys.join(', '));
      assert.ok(keys.includes('GET /healthz'));
    });

    test('a hung database gives 503 within about a second, not a hanging probe; ready again once it answers', async () => {
      // Every database connection is taken and held (the test storage's pool has 20; SQLite has one):
      // the readiness query waits, as it would on a database that stopped answering.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const held = Array.from({ length: 20 }, () => server.storage.db.connection().execute(() => gate));
      try {
        const probes = await Promise.all(Array.from({ length: 3 }, () => timed(call(server, 'GET', '/readyz'))));
        for (const { value, ms } of probes) {
          assert.equal(value.status, 503);
          assert.deepEqual(value.body, { status: 'unavailable' });
          assert.ok(ms >= 900 && ms < 3000, `answered after ${Math.round(ms)} ms`);
        }
      } finally {
        release();
        await Promise.all(held);
      }
      const again = await call(server, 'GET', '/readyz');
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, { status: 'ready' });
    });

    test('503 "draining" from the moment the node starts shutting down', async () => {
      const draining = await startServer(engine);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let closing: Promise<void> | undefined;
      try {
        const shop = await createShop(draining);
        // A connection whose auth waits for the (held) database keeps the gateway draining, so the
        // node stays up, shutting down, while it is asked.
        const held = Array.from({ length: 20 }, () => draining.storage.db.connection().execute(() => gate));
        const client = await rawConnect(draining);
        client.send({ type: 'auth', token: shop.ownerToken });
        await new Promise((resolve) => setTimeout(resolve, 50));
        closing = draining.app.close();
        const { value, ms } = await timed(call(draining, 'GET', '/readyz'));
        assert.deepEqual([value.status, value.body], [503, { status: 'draining' }]);
        assert.ok(ms < 500, `answered after ${Math.round(ms)} ms`);
        release();
        await Promise.all(held);
        await closing;
      } finally {
        release();
        await closing?.catch(() => {});
        await draining.close();
      }
    });
  });
}

describe('/readyz answers', () => {
  async function probe(check: () => Promise<void>, accepting?: () => boolean, timeoutMs?: number) {
    const app = Fastify({ logger: false });
    await app.register(healthRoutes(check, accepting, timeoutMs));
    try {
      const reply = await timed(app.inject({ method: 'GET', url: '/readyz' }));
      return { status: reply.value.statusCode, body: reply.value.json(), ms: reply.ms };
    } finally {
      await app.close();
    }
  }

  test('503 "draining" once the node is shutting down, without asking the database', async () => {
    let asked = 0;
    const reply = await probe(async () => void asked++, () => false);
    assert.deepEqual([reply.status, reply.body], [503, { status: 'draining' }]);
    assert.equal(asked, 0);
  });

  test('503 "unavailable" when the database check fails', async () => {
    const reply = await probe(() => Promise.reject(new Error('connection refused')));
    assert.deepEqual([reply.status, reply.body], [503, { status: 'unavailable' }]);
  });

  test('a check that never answers is cut at the bound, and concurrent probes share one check', async () => {
    let asked = 0;
    const app = Fastify({ logger: false });
    await app.register(healthRoutes(() => (asked++, new Promise<void>(() => {})), () => true, 200));
    try {
      const replies = await Promise.all(Array.from({ length: 5 }, () => timed(app.inject({ method: 'GET', url: '/readyz' }))));
      for (const { value, ms } of replies) {
        assert.equal(value.statusCode, 503);
        assert.ok(ms < 1000, `answered after ${Math.round(ms)} ms`);
      }
      // Later probes while the first check still hangs do not start more database queries either.
      assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
      assert.equal(asked, 1);
    } finally {
      await app.close();
    }
  });
});
