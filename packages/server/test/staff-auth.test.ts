import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, createShop, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';

for (const engine of engines) {
  describe(`staff sessions and administration on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;

    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server);
    });
    after(() => server.close());

    test('login gives a bearer token; logout revokes it; wrong passwords and unknown e-mails look alike', async () => {
      const created = await call(server, 'POST', '/api/v1/staff', {
        token: shop.ownerToken,
        body: { email: 'New.Agent@Example.test', name: 'New agent', role: 'agent', password: 'a long enough password' },
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.staff.email, 'new.agent@example.test');
      assert.equal(created.body.password, undefined);
      const login = await call(server, 'POST', '/api/v1/auth/login', { body: { email: 'new.agent@example.test', password: 'a long enough password' } });
      assert.equal(login.status, 200);
      const me = await call(server, 'GET', '/api/v1/me', { token: login.body.token });
      assert.equal(me.body.staff.id, created.body.staff.id);
      const plain = await call(server, 'POST', '/api/v1/auth/logout', { token: login.body.token, rawBody: 'bye', headers: { 'content-type': 'text/plain' } });
      assert.equal(plain.status, 415, 'a non-JSON body is refused, not ignored');
      assert.equal((await call(server, 'GET', '/api/v1/me', { token: login.body.token })).status, 200);
      assert.equal((await call(server, 'POST', '/api/v1/auth/logout', { token: login.body.token })).status, 204);
      const after = await call(server, 'GET', '/api/v1/me', { token: login.body.token });
      assert.equal(after.status, 401);
      assert.equal(after.body.error.code, 'TOKEN_INVALID');
      const wrong = await call(server, 'POST', '/api/v1/auth/login', { body: { email: 'new.agent@example.test', password: 'wrong password!' } });
      const unknown = await call(server, 'POST', '/api/v1/auth/login', { body: { email: 'nobody@example.test', password: 'wrong password!' } });
      assert.deepEqual([wrong.status, wrong.body], [unknown.status, unknown.body]);
      assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
      assert.equal((await call(server, 'GET', '/api/v1/me')).body.error.code, 'AUTH_REQUIRED');
      assert.equal((await call(server, 'GET', '/api/v1/me', { token: 'fds_madeup' })).body.error.code, 'TOKEN_INVALID');
    });

    test('sessions expire', async () => {
      const expiring = await startServer(engine, { STAFF_SESSION_HOURS: '1' });
      try {
        const s = await createShop(expiring);
        const hash = (await expiring.storage.db.selectFrom('sessions').select('token_hash').where('user_id', '=', s.agentId).executeTakeFirstOrThrow()).token_hash;
        await expiring.storage.db.updateTable('sessions').set({ expires_at: Date.now() - 1 }).where('token_hash', '=', hash).execute();
        const reply = await call(expiring, 'GET', '/api/v1/me', { token: s.agentToken });
        assert.equal(reply.body.error.code, 'TOKEN_INVALID');
      } finally {
        await expiring.close();
      }
    });

    test('disabling an account signs it out and blocks login; the last owner cannot be removed', async () => {
      const disabled = await call(server, 'PATCH', `/api/v1/staff/${shop.agentId}`, { token: shop.ownerToken, body: { disabled: true } });
      assert.equal(disabled.status, 200);
      assert.equal(disabled.body.disabled, true);
      assert.equal((await call(server, 'GET', '/api/v1/me', { token: shop.agentToken })).status, 401);
      const email = (await call(server, 'GET', '/api/v1/staff', { token: shop.ownerToken })).body.items.find((s: { id: string }) => s.id === shop.agentId).email;
      const login = await call(server, 'POST', '/api/v1/auth/login', { body: { email, password: 'correct horse battery staple' } });
      assert.equal(login.body.error.code, 'ACCOUNT_DISABLED');
      const lastOwner = await call(server, 'PATCH', `/api/v1/staff/${shop.ownerId}`, { token: shop.ownerToken, body: { role: 'agent' } });
      assert.equal(lastOwner.status, 409);
      assert.equal(lastOwner.body.error.code, 'LAST_OWNER');
    });

    test('roles: agents cannot administer; admins cannot create owners', async () => {
      const s = await createShop(server, 'Roles');
      assert.equal((await call(server, 'GET', '/api/v1/staff', { token: s.agentToken })).body.error.code, 'FORBIDDEN');
      assert.equal((await call(server, 'PATCH', '/api/v1/shop', { token: s.agentToken, body: { name: 'Mine now' } })).status, 403);
      const admin = await call(server, 'POST', '/api/v1/staff', { token: s.ownerToken, body: { email: `admin-${s.shopId}@example.test`, name: 'Admin', role: 'admin' } });
      assert.equal(admin.status, 201);
      assert.ok(admin.body.password.length >= 10, 'a generated password is returned once');
      const adminLogin = await call(server, 'POST', '/api/v1/auth/login', { body: { email: admin.body.staff.email, password: admin.body.password } });
      const owner = await call(server, 'POST', '/api/v1/staff', { token: adminLogin.body.token, body: { email: `o-${s.shopId}@example.test`, name: 'O', role: 'owner' } });
      assert.equal(owner.status, 403);
      const dup = await call(server, 'POST', '/api/v1/staff', { token: s.ownerToken, body: { email: admin.body.staff.email, name: 'Again', role: 'agent' } });
      assert.equal(dup.body.error.code, 'EMAIL_TAKEN');
    });

    test('shop settings are read and updated by admins and validated', async () => {
      const fresh = await server.app.services.shops.create('Defaults');
      assert.equal(fresh.settings.routingStrategy, 'sticky-then-least-busy', "a new shop routes by the product's default");
      const s = await createShop(server, 'Settings', 'least-busy');
      const shopReply = await call(server, 'GET', '/api/v1/shop', { token: s.ownerToken });
      assert.equal(shopReply.body.settings.routingStrategy, 'least-busy');
      assert.equal(shopReply.body.identitySecret, s.identitySecret);
      const updated = await call(server, 'PATCH', '/api/v1/shop', {
        token: s.ownerToken,
        body: { settings: { routingStrategy: 'round-robin', widgetOrigins: ['https://shop.example'] } },
      });
      assert.equal(updated.status, 200);
      assert.equal(updated.body.settings.routingStrategy, 'round-robin');
      assert.equal(updated.body.settings.defaultCapacity, 5);
      const reread = await call(server, 'GET', '/api/v1/shop', { token: s.ownerToken });
      assert.deepEqual(reread.body.settings, updated.body.settings);
      const badOrigin = await call(server, 'PATCH', '/api/v1/shop', { token: s.ownerToken, body: { settings: { widgetOrigins: ['javascript:alert(1)'] } } });
      assert.equal(badOrigin.body.error.code, 'VALIDATION_FAILED');
      const badStrategy = await call(server, 'PATCH', '/api/v1/shop', { token: s.ownerToken, body: { settings: { routingStrategy: 'whoever' } } });
      assert.equal(badStrategy.body.error.code, 'VALIDATION_FAILED');
    });

    test('login is rate limited per address', async () => {
      const limited = await startServer(engine, { LOGIN_RATE_LIMIT: '3' });
      try {
        const statuses = [];
        for (let i = 0; i < 5; i++) {
          statuses.push((await call(limited, 'POST', '/api/v1/auth/login', { body: { email: 'x@example.test', password: 'whatever' } })).status);
        }
        assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
        const reply = await call(limited, 'POST', '/api/v1/auth/login', { body: { email: 'x@example.test', password: 'whatever' } });
        assert.equal(reply.body.error.code, 'RATE_LIMITED');
      } finally {
        await limited.close();
      }
    });
  });
}
