import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { webhookEvents } from '@frontdesk/protocol/schemas';
import { isPublicAddress, type Lookup } from '../src/integrations/webhooks/address-policy.ts';
import { nextAttemptAt } from '../src/integrations/webhooks/delivery-job.ts';
import { call, createShop, identityToken, openWidget, send, type ShopFixture } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { seedContacts } from './support/contacts.ts';
import { Receiver, verifyWebhook, type Received } from './support/webhook-receiver.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

/**
 * Webhooks end to end: real receivers on 127.0.0.1, real deliveries, checked the way docs/webhooks.md
 * tells receivers to check them. Retries are made fast (WEBHOOK_RETRY_BASE_MS) and attempts short
 * (WEBHOOK_TIMEOUT_MS) so the failure paths run in seconds.
 */
const fast = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_POLL_MS: '100' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('webhook address policy', () => {
  test('only public unicast addresses pass', () => {
    const refused = [
      '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '169.254.1.1', '100.64.0.1', '100.100.100.200',
      '0.0.0.0', '224.0.0.1', '255.255.255.255', '192.0.0.192', '198.18.0.1', '203.0.113.5',
      '::1', '::', 'fe80::1', 'fc00::1', 'fd00:ec2::254', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::7f00:1',
      '64:ff9b::a00:1', '2002:7f00:1::', '2001::1', '2001:db8::1', 'not an address',
    ];
    const allowed = ['93.184.216.34', '1.1.1.1', '8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001::200e', '::ffff:93.184.216.34'];
    assert.deepEqual(refused.filter(isPublicAddress), []);
    assert.deepEqual(allowed.filter((a) => !isPublicAddress(a)), []);
  });

  test('retries back off exponentially with full jitter, and stop at the window’s end', () => {
    assert.equal(nextAttemptAt(1, 1000, 10_000_000, 100, () => 0.999), 1000 + 99);
    assert.equal(nextAttemptAt(4, 1000, 10_000_000, 100, () => 0.999), 1000 + 799);
    assert.equal(nextAttemptAt(4, 1000, 10_000_000, 100, () => 0), 1000, 'full jitter reaches down to no wait');
    assert.equal(nextAttemptAt(40, 0, 100 * 3_600_000, 100, () => 0.999999), 3_599_996, 'at most an hour between attempts');
    assert.equal(nextAttemptAt(10, 1000, 1500, 100, () => 0.999), 1500, 'the last attempt falls on the end of the window');
    assert.equal(nextAttemptAt(10, 1500, 1500, 100, () => 0.5), null);
  });
});

for (const engine of engines) {
  describe(`webhooks on ${engine}`, () => {
    let server: TestServer;
    const receiver = new Receiver();
    const sockets: RawClient[] = [];
    before(async () => {
      server = await startServer(engine, { ...fast, WEBHOOK_ALLOW_PRIVATE: 'true' });
      await receiver.start();
    });
    after(async () => {
      sockets.forEach((s) => s.close());
      await server.close();
      await receiver.stop();
    });

    const hooks = (shop: ShopFixture, token = shop.ownerToken) => ({
      create: (body: unknown) => call(server, 'POST', '/api/v1/webhooks', { token, body }),
      list: () => call(server, 'GET', '/api/v1/webhooks', { token }),
      patch: (id: string, body: unknown) => call(server, 'PATCH', `/api/v1/webhooks/${id}`, { token, body }),
      remove: (id: string) => call(server, 'DELETE', `/api/v1/webhooks/${id}`, { token }),
      log: (id: string, query = '') => call(server, 'GET', `/api/v1/webhooks/${id}/deliveries${query}`, { token }),
    });
    const subscriptions = (endpointId: string) =>
      server.storage.db.selectFrom('webhook_subscriptions').select('event').where('endpoint_id', '=', endpointId).orderBy('event').execute().then((rows) => rows.map((r) => r.event));
    /** Owner and agent online (claim and transfer need them so). */
    const online = async (shop: ShopFixture) => {
      const owner = await rawAuthed(server, shop.ownerToken);
      sockets.push(owner, await rawAuthed(server, shop.agentToken));
      for (const id of [shop.ownerId, shop.agentId]) await owner.next('presence', (f) => f.userId === id && f.status === 'online');
    };

    test('owners manage endpoints, the secret is shown once and kept sealed; agents are refused', async () => {
      const shop = await createShop(server, 'Managing');
      const api = hooks(shop);
      const agent = hooks(shop, shop.agentToken);
      const created = await api.create({ url: `${receiver.url}/managed`, events: ['message.created', 'inquiry.closed'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.match(created.body.secret, /^whsec_/);
      assert.deepEqual(await subscriptions(created.body.id), ['inquiry.closed', 'message.created']);
      const stored = await server.storage.db.selectFrom('webhook_endpoints').select('secret').where('id', '=', created.body.id).executeTakeFirstOrThrow();
      assert.ok(!stored.secret.includes(created.body.secret.slice(6)), 'the secret is not stored in the clear');
      assert.match(stored.secret, /^v1\./);

      const listed = await api.list();
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.items.map((w: { id: string }) => w.id), [created.body.id]);
      assert.ok(!JSON.stringify(listed.body).includes(created.body.secret), 'GET never shows the secret');
      assert.equal(listed.body.items[0].active, true);

      for (const reply of [await agent.list(), await agent.create({ url: `${receiver.url}/x`, events: ['message.created'] }), await agent.patch(created.body.id, { active: false }), await agent.remove(created.body.id), await agent.log(created.body.id)]) {
        assert.equal(reply.status, 403);
        assert.equal(reply.body.error.code, 'FORBIDDEN');
      }

      const changed = await api.patch(created.body.id, { events: ['staff.created'], includeInternal: true, secret: 'a-new-secret-of-enough-length' });
      assert.equal(changed.status, 200);
      assert.deepEqual([changed.body.events, changed.body.includeInternal], [['staff.created'], true]);
      assert.ok(!('secret' in changed.body));
      assert.deepEqual(await subscriptions(created.body.id), ['staff.created']);

      const disabled = await api.patch(created.body.id, { active: false });
      assert.deepEqual([disabled.body.active, disabled.body.disabledReason], [false, 'Disabled by staff.']);
      assert.deepEqual(await subscriptions(created.body.id), [], 'a disabled endpoint subscribes to nothing');
      const enabled = await api.patch(created.body.id, { active: true });
      assert.deepEqual([enabled.body.active, enabled.body.disabledReason], [true, null]);
      assert.deepEqual(await subscriptions(created.body.id), ['staff.created']);

      for (const body of [{ url: 'ftp://example.test/hook', events: ['message.created'] }, { url: 'https://user:pw@example.test/', events: ['message.created'] }]) {
        const refused = await api.create(body);
        assert.equal(refused.status, 422, JSON.stringify(refused.body));
        assert.equal(refused.body.error.code, 'WEBHOOK_URL_REFUSED');
      }
      for (const body of [{ url: `${receiver.url}/x`, events: ['typing.started'] }, { url: `${receiver.url}/x`, events: [] }, { url: `${receiver.url}/x`, events: ['message.created'], extra: 1 }]) {
        assert.equal((await api.create(body)).status, 400, JSON.stringify(body));
      }

      assert.equal((await api.remove(created.body.id)).status, 204);
      assert.deepEqual(await subscriptions(created.body.id), []);
      assert.equal((await api.remove(created.body.id)).body.error.code, 'WEBHOOK_NOT_FOUND');
      assert.deepEqual((await api.list()).body.items, []);
    });

    test('a shop has at most 20 endpoints', async () => {
      const shop = await createShop(server, 'Busy');
      const api = hooks(shop);
      const made = await Promise.all(Array.from({ length: 20 }, (_, i) => api.create({ url: `${receiver.url}/n${i}`, events: ['staff.updated'] })));
      assert.deepEqual(made.map((r) => r.status), Array(20).fill(201));
      const refused = await api.create({ url: `${receiver.url}/n20`, events: ['staff.updated'] });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'WEBHOOK_LIMIT');
      assert.equal((await api.list()).body.items.length, 20);
    });

    test('every subscribed event arrives once, signed; internal notes only where asked', async () => {
      const shop = await createShop(server, 'Events');
      const api = hooks(shop);
      const all = (await api.create({ url: `${receiver.url}/all`, events: [...webhookEvents] })).body;
      const notes = (await api.create({ url: `${receiver.url}/notes`, events: ['message.created'], includeInternal: true })).body;
      await online(shop);

      const visitor = await openWidget(server, shop.shopId);
      assert.equal((await send(server, visitor.token, visitor.conversationId, 'hello from a visitor')).status, 201);
      const jwt = await identityToken(shop.identitySecret, `c-${randomUUID()}`);
      const customer = await openWidget(server, shop.shopId, { visitorToken: visitor.visitorToken, identity: { jwt } });
      const conversation = customer.conversationId;
      // The same customer back with a name: an update; back again unchanged: nothing.
      await openWidget(server, shop.shopId, { identity: { jwt }, profile: { name: 'Named Customer' } });
      await openWidget(server, shop.shopId, { identity: { jwt }, profile: { name: 'Named Customer' } });
      const act = async (path: string, body?: unknown) => {
        const reply = await call(server, 'POST', `/api/v1/conversations/${conversation}/${path}`, { token: shop.ownerToken, ...(body !== undefined && { body }) });
        assert.equal(reply.status, 200, `${path}: ${JSON.stringify(reply.body)}`);
      };
      await act('claim');
      await act('invite', { staffId: shop.agentId });
      await act('transfer', { toStaffId: shop.agentId });
      const note = await send(server, shop.ownerToken, conversation, 'an internal note', { visibility: 'internal' });
      assert.equal(note.status, 201);
      await act('close');
      // The customer rates the closed inquiry (the shop asks).
      assert.equal((await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { csat: { enabled: true } } } })).status, 200);
      const asked = await call(server, 'GET', '/api/v1/widget/csat', { token: customer.token });
      assert.equal((await call(server, 'POST', '/api/v1/widget/csat', { token: customer.token, body: { inquiryId: asked.body.inquiryId, rating: 5, comment: 'Thanks' } })).status, 200);
      const staff = await call(server, 'POST', '/api/v1/staff', { token: shop.ownerToken, body: { email: `new-${randomUUID()}@example.test`, name: 'New', role: 'agent', password: 'long enough secret' } });
      assert.equal(staff.status, 201);
      assert.equal((await call(server, 'PATCH', `/api/v1/staff/${staff.body.staff.id}`, { token: shop.ownerToken, body: { name: 'Renamed' } })).status, 200);
      // A campaign to the shop's contacts (the customer and one imported), one a second: it progresses, then completes.
      await seedContacts(server.storage.db, shop.shopId, [{ externalId: `imported-${randomUUID()}` }]);
      const campaign = await call(server, 'POST', '/api/v1/campaigns', {
        token: shop.ownerToken,
        body: { name: 'Hooked', kind: 'one_off', senderId: shop.ownerId, text: 'a campaign message', audience: { all: true }, throttlePerSecond: 1 },
      });
      assert.equal((await call(server, 'POST', `/api/v1/campaigns/${campaign.body.id}/start`, { token: shop.ownerToken })).body.counts.total, 2);

      const at = (path: string) => receiver.requests.filter((r) => r.path === path);
      await eventually('every event type at /all', async () => webhookEvents.every((event) => at('/all').some((r) => r.json.event === event)));
      await eventually('the note at /notes', async () => at('/notes').some((r) => r.json.data.message?.id === note.body.id));

      for (const [endpoint, requests] of [[all, at('/all')], [notes, at('/notes')]] as const) {
        for (const r of requests) {
          assert.ok(verifyWebhook(endpoint.secret, r.headers, r.body), `signature of ${r.json.event}`);
          assert.ok(!verifyWebhook('whsec_another', r.headers, r.body), 'a wrong secret does not verify');
          assert.equal(r.headers['x-frontdesk-event'], r.json.event);
          assert.match(String(r.headers['x-frontdesk-delivery']), UUID);
          assert.equal(r.headers['user-agent'], 'Frontdesk-Webhooks/1');
          assert.equal(r.headers['content-type'], 'application/json');
          assert.deepEqual(Object.keys(r.json), ['id', 'event', 'createdAt', 'shopId', 'data']);
          assert.equal(r.json.shopId, shop.shopId);
        }
        // Each event once: one request, one delivery id.
        const ids = requests.map((r) => r.json.id);
        assert.equal(new Set(ids).size, ids.length, `duplicates at ${endpoint.url}`);
      }
      const first = (event: string) => at('/all').find((r) => r.json.event === event)!.json;
      assert.equal(first('message.created').data.message.text, 'hello from a visitor');
      assert.equal(first('message.created').data.conversation.shopId, shop.shopId);
      assert.deepEqual(first('conversation.merged').data.fromConversationId, visitor.conversationId);
      assert.equal(first('conversation.merged').data.conversation.id, conversation);
      assert.deepEqual(
        [first('inquiry.assigned').data.status, first('inquiry.assigned').data.assigneeId, first('inquiry.assigned').data.conversation.id],
        ['assigned', shop.ownerId, conversation],
      );
      assert.deepEqual([first('inquiry.transferred').data.assigneeId, first('inquiry.transferred').data.previousAssigneeId], [shop.agentId, shop.ownerId]);
      assert.equal(first('inquiry.closed').data.status, 'closed');
      assert.deepEqual([first('campaign.progressed').data.campaign.id, first('campaign.progressed').data.campaign.sent], [campaign.body.id, 1]);
      assert.deepEqual([first('campaign.completed').data.campaign.status, first('campaign.completed').data.campaign.sent], ['completed', 2]);
      assert.equal(first('member.added').data.userId, shop.agentId);
      assert.deepEqual([first('csat.submitted').data.csat.rating, first('csat.submitted').data.csat.agentId, first('csat.submitted').data.conversation.id], [5, shop.agentId, conversation]);
      assert.equal(first('staff.created').data.staff.id, staff.body.staff.id);
      assert.ok(at('/all').some((r) => r.json.event === 'staff.updated' && r.json.data.staff.name === 'Renamed'));
      assert.ok(!at('/all').some((r) => /passwordHash|password_hash|scrypt\$/.test(r.body)), 'no password hash in any payload');
      // The visitor and the signed-in customer each appeared once. The payload is read when it is
      // delivered: the visitor's, if delivered after the merge took the visitor away, is null.
      const created = at('/all').filter((r) => r.json.event === 'customer.created').map((r) => r.json.data.customer?.id ?? null);
      assert.equal(created.length, 2);
      assert.deepEqual(created.filter((id) => id === customer.customerId), [customer.customerId]);
      assert.ok([visitor.customerId, null].includes(created.find((id) => id !== customer.customerId)!), `the visitor's event: ${created}`);
      const updated = at('/all').filter((r) => r.json.event === 'customer.updated');
      assert.equal(updated.length, 1, 'one update: the unchanged return records nothing');
      assert.equal(updated[0]!.json.data.customer.name, 'Named Customer');
      assert.equal(updated[0]!.json.data.customer.id, customer.customerId);

      assert.ok(!at('/all').some((r) => r.json.data.message?.visibility === 'internal' || r.body.includes('an internal note')), 'no internal note without includeInternal');
      assert.ok(at('/notes').every((r) => r.json.event === 'message.created'));

      // The log tells the same (once the answers are recorded, a moment after they came): delivered, 200, one attempt.
      const log = await eventually('the answers recorded', async () => {
        const page = await api.log(all.id, '?limit=2');
        return page.body.items?.every((d: { status: string }) => d.status === 'delivered') && page;
      });
      assert.equal(log.status, 200);
      assert.equal(log.body.items.length, 2);
      assert.deepEqual([log.body.items[0].status, log.body.items[0].responseStatus, log.body.items[0].attempts], ['delivered', 200, 1]);
      const next = await api.log(all.id, `?limit=100&cursor=${log.body.nextCursor}`);
      assert.ok(next.body.items.every((d: { id: string }) => d.id < log.body.items[1].id), 'newest first, the next page older');
      assert.equal(next.body.items.length + 2, at('/all').length);
    });

    test('a receiver that is down gets every event once it is back, each under one delivery id', async (t) => {
      const shop = await createShop(server, 'Outage');
      const down = new Receiver();
      await down.start();
      t.after(() => down.stop());
      const hook = (await hooks(shop).create({ url: `${down.url}/down`, events: ['message.created'] })).body;
      await down.stop();
      const customer = await openWidget(server, shop.shopId);
      const sent: string[] = [];
      for (let i = 0; i < 5; i++) sent.push((await send(server, customer.token, customer.conversationId, `while down ${i}`)).body.id);

      // While it is down: attempts are made and fail, and are retried.
      const failing = await eventually('attempts failing while down', async () => {
        const log = (await hooks(shop).log(hook.id)).body.items as Array<{ status: string; attempts: number; error: string; responseStatus: number | null }>;
        return log.length === 5 && log.every((d) => d.status === 'pending' && d.attempts >= 2) && log;
      });
      assert.ok(failing.every((d) => d.responseStatus === null && /ECONNREFUSED/.test(d.error)), JSON.stringify(failing[0]));
      assert.ok((await hooks(shop).list()).body.items[0].failingSince !== null);

      await down.start(down.port);
      await eventually('every event delivered after the outage', async () => sent.every((id) => down.requests.some((r) => r.json.data.message.id === id && r.status === 200)));
      for (const id of sent) {
        const requests = down.requests.filter((r: Received) => r.json.data.message.id === id);
        assert.equal(new Set(requests.map((r) => r.headers['x-frontdesk-delivery'])).size, 1, 'one delivery id per event');
        assert.equal(new Set(requests.map((r) => r.json.id)).size, 1);
      }
      // Recorded a moment after the answers came.
      const log = await eventually('the deliveries recorded', async () => {
        const items = (await hooks(shop).log(hook.id)).body.items as Array<{ status: string; attempts: number }>;
        return items.every((d) => d.status === 'delivered') && items;
      });
      assert.equal(log.length, 5);
      assert.ok(log.every((d) => d.attempts >= 3));
      assert.equal((await hooks(shop).list()).body.items[0].failingSince, null, 'a success ends the failing run');
    });

    test('redirects are not followed, a silent receiver times out, and a delivery can be sent again', async (t) => {
      const shop = await createShop(server, 'Edges');
      const landing = new Receiver();
      await landing.start();
      // Even when an assertion fails: a receiver left listening would keep the test process alive.
      t.after(async () => {
        receiver.answer = () => ({ status: 200 });
        await landing.stop();
      });
      receiver.answer = (r) => (r.path === '/redirect' ? { status: 302, location: `${landing.url}/landed` } : r.path === '/slow' ? 'hang' : { status: 200 });
      const api = hooks(shop);
      const redirect = (await api.create({ url: `${receiver.url}/redirect`, events: ['message.created'] })).body;
      const slow = (await api.create({ url: `${receiver.url}/slow`, events: ['message.created'] })).body;
      const ok = (await api.create({ url: `${receiver.url}/ok`, events: ['message.created'] })).body;
      const customer = await openWidget(server, shop.shopId);
      await send(server, customer.token, customer.conversationId, 'edge cases');

      const redirected = await eventually('the redirect recorded', async () => (await api.log(redirect.id)).body.items.find((d: { attempts: number }) => d.attempts >= 1));
      assert.equal(redirected.responseStatus, 302);
      assert.match(redirected.error, /redirect to .*\/landed not followed/);
      assert.equal(redirected.status, 'pending', 'a 3xx is a failure: retried');
      const timedOut = await eventually('the timeout recorded', async () => (await api.log(slow.id)).body.items.find((d: { attempts: number }) => d.attempts >= 1));
      assert.match(timedOut.error, /no answer within 1000 ms/);
      assert.equal(timedOut.responseStatus, null);
      assert.deepEqual(landing.requests, [], 'nothing reached the redirect target');

      const delivered = await eventually('the ok delivery', async () => (await api.log(ok.id)).body.items.find((d: { status: string }) => d.status === 'delivered'));
      const again = await call(server, 'POST', `/api/v1/webhooks/${ok.id}/deliveries/${delivered.id}/redeliver`, { token: shop.ownerToken });
      assert.equal(again.status, 202);
      const copies = await eventually('the redelivery', async () => {
        const found = receiver.requests.filter((r) => r.path === '/ok' && r.json.id === delivered.eventId);
        return found.length === 2 && found;
      });
      assert.equal(copies[0]!.headers['x-frontdesk-delivery'], copies[1]!.headers['x-frontdesk-delivery']);
      assert.equal(copies[0]!.body, copies[1]!.body, 'the same body');
      // The receiver has the copy before the sender records the attempt.
      await eventually('the second attempt recorded', async () => (await api.log(ok.id)).body.items[0].attempts === 2);
      const missing = await call(server, 'POST', `/api/v1/webhooks/${ok.id}/deliveries/${randomUUID()}/redeliver`, { token: shop.ownerToken });
      assert.deepEqual([missing.status, missing.body.error.code], [404, 'WEBHOOK_DELIVERY_NOT_FOUND']);
      const other = await call(server, 'POST', `/api/v1/webhooks/${redirect.id}/deliveries/${delivered.id}/redeliver`, { token: shop.ownerToken });
      assert.deepEqual([other.status, other.body.error.code], [404, 'WEBHOOK_DELIVERY_NOT_FOUND'], "another endpoint's delivery");
    });
  });

  describe(`webhook addresses on ${engine} (private addresses refused)`, () => {
    let server: TestServer;
    const receiver = new Receiver();
    /** The resolver the server uses: a test changes its answers, as a DNS record can change. */
    const answers = new Map<string, string[]>([
      ['hooks.example.test', ['93.184.216.34']],
      ['mixed.example.test', ['93.184.216.34', '10.1.2.3']],
      ['metadata.example.test', ['169.254.169.254']],
      ['v6.example.test', ['2606:4700:4700::1111', 'fd00:ec2::254']],
    ]);
    const lookup: Lookup = async (host) => {
      const found = answers.get(host);
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    let shop: ShopFixture;
    before(async () => {
      server = await startServer(engine, fast, undefined, { lookup });
      await receiver.start();
      shop = await createShop(server, 'Careful');
    });
    after(async () => {
      await server.close();
      await receiver.stop();
    });
    const create = (url: string) => call(server, 'POST', '/api/v1/webhooks', { token: shop.ownerToken, body: { url, events: ['message.created'] } });

    test('URLs reaching private, loopback, link-local or metadata addresses are refused when saved', async () => {
      const port = receiver.port;
      for (const url of [
        `http://127.0.0.1:${port}/hook`, `http://localhost.:${port}/hook`, `http://[::1]:${port}/hook`, 'http://169.254.169.254/latest/meta-data/',
        'http://[fd00:ec2::254]/', 'http://100.64.0.1/', 'http://10.0.0.1/', 'http://192.168.1.1/', 'http://[fe80::1]/', 'http://[::ffff:127.0.0.1]/',
        'http://0.0.0.0/', 'http://224.0.0.1/', 'http://mixed.example.test/', 'http://metadata.example.test/', 'http://v6.example.test/',
        'http://nowhere.example.test/', 'http://2130706433/',
      ]) {
        const reply = await create(url);
        assert.equal(reply.status, 422, `${url}: ${JSON.stringify(reply.body)}`);
        assert.equal(reply.body.error.code, 'WEBHOOK_URL_REFUSED');
      }
      assert.equal((await create(`http://hooks.example.test:${port}/hook`)).status, 201, 'a public address is accepted');
    });

    test('a host whose DNS answer turns private after it was saved is refused at delivery (rebinding)', async () => {
      const other = await createShop(server, 'Rebound');
      const saved = await call(server, 'POST', '/api/v1/webhooks', {
        token: other.ownerToken,
        body: { url: `http://hooks.example.test:${receiver.port}/rebound`, events: ['message.created'] },
      });
      assert.equal(saved.status, 201);
      const refused = await call(server, 'PATCH', `/api/v1/webhooks/${saved.body.id}`, { token: other.ownerToken, body: { url: `http://127.0.0.1:${receiver.port}/x` } });
      assert.equal(refused.body.error?.code, 'WEBHOOK_URL_REFUSED');
      // The name now points at the receiver on 127.0.0.1, which is listening.
      answers.set('hooks.example.test', ['127.0.0.1']);
      const customer = await openWidget(server, other.shopId);
      await send(server, customer.token, customer.conversationId, 'rebound');
      const attempt = await eventually('the refused attempt', async () =>
        (await call(server, 'GET', `/api/v1/webhooks/${saved.body.id}/deliveries`, { token: other.ownerToken })).body.items.find((d: { attempts: number }) => d.attempts >= 2),
      );
      assert.match(attempt.error, /hooks\.example\.test resolves to 127\.0\.0\.1, which is not a public address/);
      assert.equal(attempt.status, 'pending');
      assert.deepEqual(receiver.requests, [], 'no request reached the private address');
    });
  });
}
