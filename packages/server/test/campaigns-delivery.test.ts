import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Campaign, Message } from '@frontdesk/protocol';
import { call, createShop, identityToken, openWidget, setRouting, type ShopFixture } from './support/client.ts';
import { seedContacts } from './support/contacts.ts';
import { eventually } from './support/eventually.ts';
import { platformSecret, startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { Receiver } from './support/webhook-receiver.ts';
import { nothing, rawAuthed, type RawClient } from './support/ws-client.ts';

/**
 * Campaign messages as customers and staff see them (docs/campaigns.md): pushed live to the
 * customer online, not to every console of the shop; a reply opens an inquiry that is routed;
 * ongoing (widget) campaigns shown once per visitor.
 */
for (const engine of engines) {
  describe(`campaign delivery on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    const sockets: RawClient[] = [];
    const receiver = new Receiver();

    before(async () => {
      server = await startServer(engine, { CAMPAIGN_POLL_MS: '50', ROUTING_SWEEP_MS: '200', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_MS: '100' });
      shop = await createShop(server, 'Delivery');
      await receiver.start();
    });
    after(async () => {
      sockets.forEach((s) => s.close());
      await server.close();
      await receiver.stop();
    });

    const ok = <T = any>(reply: { status: number; body: unknown }, status = 200): T => {
      assert.equal(reply.status, status, JSON.stringify(reply.body));
      return reply.body as T;
    };
    const connect = async (token: string) => {
      const socket = await rawAuthed(server, token);
      sockets.push(socket);
      return socket;
    };
    async function run(body: Record<string, unknown>): Promise<Campaign> {
      const campaign: Campaign = ok(await call(server, 'POST', '/api/v1/campaigns', { token: shop.ownerToken, body: { name: 'News', kind: 'one_off', senderId: shop.agentId, ...body } }), 201);
      ok(await call(server, 'POST', `/api/v1/campaigns/${campaign.id}/start`, { token: shop.ownerToken }));
      return campaign;
    }
    const history = async (token: string, conversationId: string): Promise<Message[]> =>
      ok<{ items: Message[] }>(await call(server, 'GET', `/api/v1/conversations/${conversationId}/messages?limit=100`, { token })).items;

    test('an online customer gets the message live; the shop’s other consoles do not, its owners see the progress', async () => {
      await seedContacts(server.storage.db, shop.shopId, [{ externalId: 'live-1' }, { externalId: 'live-2' }]);
      const online = await openWidget(server, shop.shopId, { identity: { jwt: await identityToken(shop.identitySecret, 'live-1') } });
      const customer = await connect(online.token);
      const owner = await connect(shop.ownerToken);
      const agent = await connect(shop.agentToken);
      const campaign = await run({ text: 'Spring sale, live', audience: { externalIds: ['live-1', 'live-2'] } });
      const pushed = await customer.next('message', (f) => f.message.text === 'Spring sale, live');
      assert.equal(pushed.message.conversationId, online.conversationId, 'into the customer’s service conversation');
      assert.deepEqual([pushed.message.senderId, pushed.message.senderKind, pushed.message.clientMsgId], [shop.agentId, 'staff', `campaign:${campaign.id}`]);
      const done = await owner.next('campaign', (f) => f.campaign.id === campaign.id && f.campaign.status === 'completed');
      assert.deepEqual([done.campaign.counts.sent, done.campaign.counts.total], [2, 2]);
      await nothing(owner, (f) => f.type === 'message' && f.message.text === 'Spring sale, live');
      await nothing(agent, (f) => (f.type === 'message' && f.message.text === 'Spring sale, live') || f.type === 'campaign');
      // The customer's conversation holds it once, and no inquiry was opened by it.
      assert.deepEqual((await history(online.token, online.conversationId)).map((m) => m.text), ['Spring sale, live']);
      const conversation = ok(await call(server, 'GET', `/api/v1/conversations/${online.conversationId}`, { token: shop.agentToken }));
      assert.equal(conversation.status, null, 'a campaign message alone opens no inquiry');
      assert.equal((await server.storage.db.selectFrom('inquiries').select('id').where('conversation_id', '=', online.conversationId).execute()).length, 0);
    });

    test('webhooks: campaign.completed carries the figures, recorded with the last batch', async () => {
      const hook = await call(server, 'POST', '/api/v1/webhooks', { token: shop.ownerToken, body: { url: `${receiver.url}/campaigns`, events: ['campaign.progressed', 'campaign.completed'] } });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      await seedContacts(server.storage.db, shop.shopId, [{ externalId: 'hook-1' }, { externalId: 'hook-2' }, { externalId: 'hook-3', optedOut: true }]);
      const campaign = await run({ text: 'Hooked', audience: { externalIds: ['hook-1', 'hook-2', 'hook-3'] } });
      const completed = await eventually('campaign.completed delivered', async () => receiver.requests.find((r) => r.json.event === 'campaign.completed' && r.json.data.campaign.id === campaign.id));
      assert.equal(completed.json.shopId, shop.shopId);
      assert.deepEqual(completed.json.data.campaign, { id: campaign.id, name: 'News', status: 'completed', total: 2, sent: 2, failed: 0, skipped: 0 });
      assert.equal(receiver.requests.filter((r) => r.json.event === 'campaign.completed' && r.json.data.campaign.id === campaign.id).length, 1);
      assert.equal((await call(server, 'DELETE', `/api/v1/webhooks/${hook.body.id}`, { token: shop.ownerToken })).status, 204);
    });

    test('a reply to a campaign message opens an inquiry, routed to an online agent', async () => {
      await setRouting(server, shop, 'least-busy');
      const agent = await connect(shop.agentToken);
      await eventually('the agent online', async () => {
        const agents = ok<Array<{ staffId: string; presence: string }>>(await call(server, 'GET', '/api/v1/agents', { token: shop.ownerToken }));
        return agents.some((a) => a.staffId === shop.agentId && a.presence === 'online');
      });
      await seedContacts(server.storage.db, shop.shopId, [{ externalId: 'replier' }]);
      const campaign = await run({ text: 'Tell us what you think', audience: { externalIds: ['replier'] } });
      await eventually('sent', async () => (ok<Campaign>(await call(server, 'GET', `/api/v1/campaigns/${campaign.id}`, { token: shop.ownerToken })).status === 'completed'));
      // The customer comes later, signed in by the shop: their conversation, made by the campaign, holds the message.
      const customer = await openWidget(server, shop.shopId, { identity: { jwt: await identityToken(shop.identitySecret, 'replier') } });
      assert.deepEqual((await history(customer.token, customer.conversationId)).map((m) => m.text), ['Tell us what you think']);
      const reply = ok(await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/messages`, { token: customer.token, body: { clientMsgId: randomUUID(), text: 'I love it' } }), 201);
      assert.equal(reply.text, 'I love it');
      // Routed like any inquiry: to one of the shop's staff online (the owner's console from the test above is online too).
      const assigned = await agent.next('conversation', (f) => f.conversation.id === customer.conversationId && f.change === 'assigned');
      assert.ok([shop.agentId, shop.ownerId].includes(assigned.conversation.assigneeId!));
      const inquiries = await server.storage.db.selectFrom('inquiries').select(['status', 'assignee_id']).where('conversation_id', '=', customer.conversationId).execute();
      assert.deepEqual(inquiries.map((i) => [i.status, i.assignee_id]), [['assigned', assigned.conversation.assigneeId]]);
      const counted = ok<Campaign>(await call(server, 'GET', `/api/v1/campaigns/${campaign.id}`, { token: shop.ownerToken }));
      assert.deepEqual([counted.counts.sent, counted.counts.replied, counted.counts.read], [1, 1, 1], 'sending marks read, and the reply counts');
      await setRouting(server, shop, 'manual');
    });

    test('a platform campaign reaches platform customers in every shop they dealt with, from each shop’s owner, and nobody else', async () => {
      const second = await createShop(server, 'Second shop');
      const platform = async (shopId: string, sub: string) => openWidget(server, shopId, { identity: { jwt: await identityToken(platformSecret, sub, { platform: true }) } });
      const inFirst = await platform(shop.shopId, 'p-everywhere');
      const inSecond = await platform(second.shopId, 'p-everywhere');
      const onlySecond = await platform(second.shopId, 'p-second');
      // A shop's own customer with the same external id is another person: not a platform customer.
      const lookalike = await openWidget(server, shop.shopId, { identity: { jwt: await identityToken(shop.identitySecret, 'p-everywhere') } });
      const created = await server.app.services.platformCampaigns.create({ name: 'Platform news', text: 'From the platform', externalIds: ['p-everywhere', 'p-nobody'] });
      assert.deepEqual(new Set(created.map((c) => c.shopId)), new Set([shop.shopId, second.shopId]));
      assert.ok(created.every((c) => c.total === 1));
      for (const c of created) {
        await eventually('sent', async () => (ok<Campaign>(await call(server, 'GET', `/api/v1/campaigns/${c.campaignId}`, { token: c.shopId === shop.shopId ? shop.ownerToken : second.ownerToken })).status === 'completed'));
      }
      for (const [customer, ownerId] of [[inFirst, shop.ownerId], [inSecond, second.ownerId]] as const) {
        const texts = (await history(customer.token, customer.conversationId)).filter((m) => m.text === 'From the platform');
        assert.deepEqual(texts.map((m) => m.senderId), [ownerId]);
      }
      for (const other of [onlySecond, lookalike]) assert.deepEqual((await history(other.token, other.conversationId)).filter((m) => m.text === 'From the platform'), []);
    });

    test('an ongoing campaign shows on matching pages, once per visitor, into their conversation', async () => {
      const created: Campaign = ok(
        await call(server, 'POST', '/api/v1/campaigns', {
          token: shop.ownerToken,
          body: { name: 'Help on products', kind: 'ongoing', senderId: shop.agentId, text: 'Need a hand choosing?', trigger: { urlPattern: 'https://shop.example/products/*', delaySeconds: 5, businessHoursOnly: false } },
        }),
        201,
      );
      const visitor = await openWidget(server, shop.shopId);
      const list = (url: string, token = visitor.token) => call(server, 'GET', `/api/v1/widget/campaigns?url=${encodeURIComponent(url)}`, { token });
      assert.deepEqual(ok(await list('https://shop.example/products/42')).items, [], 'a draft shows nowhere');
      ok(await call(server, 'POST', `/api/v1/campaigns/${created.id}/start`, { token: shop.ownerToken }));
      assert.deepEqual(ok(await list('https://shop.example/products/42')).items, [{ id: created.id, text: 'Need a hand choosing?', delaySeconds: 5, senderName: 'Agent' }]);
      assert.deepEqual(ok(await list('https://shop.example/cart')).items, []);
      assert.deepEqual(ok(await list('https://evil.example/?u=https://shop.example/products/1')).items, [], 'the pattern covers the whole URL');
      const ws = await connect(visitor.token);
      const shown = (token = visitor.token) => call(server, 'POST', `/api/v1/widget/campaigns/${created.id}/shown`, { token });
      const first = ok<Message>(await shown());
      assert.equal((await ws.next('message', (f) => f.message.id === first.id)).message.text, 'Need a hand choosing?');
      const again = ok<Message>(await shown());
      assert.equal(again.id, first.id, 'shown twice, stored once');
      assert.deepEqual((await history(visitor.token, visitor.conversationId)).map((m) => m.id), [first.id]);
      assert.deepEqual(ok(await list('https://shop.example/products/42')).items, [], 'not offered again to this visitor');
      const second = await openWidget(server, shop.shopId);
      assert.equal(ok(await list('https://shop.example/products/7', second.token)).items.length, 1, 'another visitor is offered it');
      assert.equal((await shown(shop.agentToken)).body.error.code, 'FORBIDDEN', 'a widget route, for customer sessions');
      const counts = ok<Campaign>(await call(server, 'GET', `/api/v1/campaigns/${created.id}`, { token: shop.ownerToken })).counts;
      assert.deepEqual([counts.total, counts.sent], [1, 1]);

      // Business hours only: closed every day, so offered to no one.
      ok(await call(server, 'PATCH', `/api/v1/campaigns/${created.id}`, { token: shop.ownerToken, body: { trigger: { urlPattern: 'https://shop.example/*', delaySeconds: 0, businessHoursOnly: true } } }));
      ok(await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { businessHours: { timezone: 'UTC', days: {} } } } }));
      assert.deepEqual(ok(await list('https://shop.example/products/7', second.token)).items, []);
      ok(await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { businessHours: null } } }));
      assert.equal(ok(await list('https://shop.example/products/7', second.token)).items.length, 1);
      ok(await call(server, 'POST', `/api/v1/campaigns/${created.id}/pause`, { token: shop.ownerToken }));
      assert.deepEqual(ok(await list('https://shop.example/products/7', second.token)).items, [], 'paused: shown to no one');
      assert.equal((await shown(second.token)).body.error.code, 'CAMPAIGN_NOT_FOUND');
    });
  });
}
