import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { call, createShop, identityToken, type ShopFixture } from './support/client.ts';
import { platformSecret, startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';

const key = (secret: string) => new TextEncoder().encode(secret);
const hmac = (secret: string, value: string) => createHmac('sha256', secret).update(value).digest('hex');

for (const engine of engines) {
  describe(`customer identity on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    const session = (body: Record<string, unknown>) => call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: shop.shopId, ...body } });

    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server);
    });
    after(() => server.close());

    test('a JWT signed with the shop secret identifies a shop customer, with its claims', async () => {
      const jwt = await identityToken(shop.identitySecret, 'user-1', { name: 'Grace', email: 'grace@example.test' });
      const reply = await session({ identity: { jwt } });
      assert.equal(reply.status, 200);
      assert.equal(reply.body.customer.kind, 'shop');
      assert.equal(reply.body.customer.externalId, 'user-1');
      assert.equal(reply.body.customer.name, 'Grace');
      assert.equal(reply.body.visitorToken, null);
    });

    test('an identifier hash made with the shop secret identifies the same person as their JWT', async () => {
      const viaHash = await session({ identity: { externalId: 'user-1', identifierHash: hmac(shop.identitySecret, 'user-1') } });
      assert.equal(viaHash.status, 200);
      const jwt = await identityToken(shop.identitySecret, 'user-1');
      const viaJwt = await session({ identity: { jwt } });
      assert.equal(viaHash.body.customer.id, viaJwt.body.customer.id);
      assert.equal(viaHash.body.conversation.id, viaJwt.body.conversation.id);
    });

    const refusals: Array<[string, () => Promise<Record<string, unknown>>]> = [
      ['a forged JWT (signed with another key)', async () => ({
        jwt: await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('user-1').setExpirationTime('10m').sign(key('not-the-shop-secret-at-all-0123456789')),
      })],
      ['an expired JWT', async () => ({
        jwt: await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('user-1').setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(key(shop.identitySecret)),
      })],
      ['a JWT without exp', async () => ({
        jwt: await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('user-1').sign(key(shop.identitySecret)),
      })],
      ['a JWT without sub', async () => ({
        jwt: await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(key(shop.identitySecret)),
      })],
      ['an unsigned JWT (alg none)', async () => {
        const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return { jwt: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'user-1', exp: Math.floor(Date.now() / 1000) + 600 })}.` };
      }],
      ['a shop-signed JWT that claims a platform identity', async () => ({
        jwt: await new SignJWT({ platform: true }).setProtectedHeader({ alg: 'HS256' }).setSubject('user-1').setExpirationTime('10m').sign(key(shop.identitySecret)),
      })],
      ['something that is not a JWT', async () => ({ jwt: 'hello' })],
      ['a wrong identifier hash', async () => ({ externalId: 'user-1', identifierHash: hmac(shop.identitySecret, 'user-2') })],
      ['an identifier hash made with the platform secret for a shop identity', async () => ({
        externalId: 'user-1',
        identifierHash: hmac(platformSecret, 'user-1'),
      })],
      ['a shop-secret identifier hash that claims a platform identity', async () => ({
        externalId: 'user-1',
        identifierHash: hmac(shop.identitySecret, 'user-1'),
        platform: true,
      })],
    ];
    for (const [name, make] of refusals) {
      test(`refuses ${name}`, async () => {
        const before = await server.storage.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        const reply = await session({ identity: await make() });
        assert.equal(reply.status, 401);
        assert.equal(reply.body.error.code, 'IDENTITY_INVALID');
        assert.equal(reply.body.token, undefined);
        const after = await server.storage.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        assert.equal(Number(after.n), Number(before.n), 'no customer is created');
      });
    }

    test('a platform-signed JWT makes one person across shops; a rotated shop secret stops old shop tokens', async () => {
      const other = await createShop(server, 'Other');
      const jwt = await identityToken(platformSecret, 'p-1', { platform: true });
      const a = await session({ identity: { jwt } });
      const b = await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: other.shopId, identity: { jwt } } });
      assert.equal(a.body.customer.kind, 'platform');
      assert.equal(a.body.customer.id, b.body.customer.id);
      assert.notEqual(a.body.conversation.id, b.body.conversation.id);

      const oldJwt = await identityToken(other.identitySecret, 'user-9');
      const rotated = await call(server, 'POST', '/api/v1/shop/identity-secret', { token: other.ownerToken });
      assert.equal(rotated.status, 200);
      const refused = await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: other.shopId, identity: { jwt: oldJwt } } });
      assert.equal(refused.body.error.code, 'IDENTITY_INVALID');
      const agentTries = await call(server, 'POST', '/api/v1/shop/identity-secret', { token: other.agentToken });
      assert.equal(agentTries.status, 403);
    });

    test('an anonymous visitor resumes with the visitor token, only in its own shop', async () => {
      const first = await session({});
      assert.equal(first.body.customer.kind, 'anonymous');
      assert.ok(first.body.visitorToken);
      const again = await session({ visitorToken: first.body.visitorToken });
      assert.equal(again.body.customer.id, first.body.customer.id);
      assert.equal(again.body.conversation.id, first.body.conversation.id);
      assert.equal(again.body.visitorToken, null);
      const other = await createShop(server, 'Elsewhere');
      const elsewhere = await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: other.shopId, visitorToken: first.body.visitorToken } });
      assert.equal(elsewhere.status, 401);
      assert.equal(elsewhere.body.error.code, 'VISITOR_TOKEN_INVALID');
      const unknownShop = await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: '0190f0f0-0000-7000-8000-000000000000' } });
      assert.equal(unknownShop.body.error.code, 'SHOP_NOT_FOUND');
    });
  });
}
