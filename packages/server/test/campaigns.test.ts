import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Campaign, CampaignAudience } from '@frontdesk/protocol';
import { call, createShop, openWidget, send, type ShopFixture } from './support/client.ts';
import { optOut, seedContacts } from './support/contacts.ts';
import { eventually } from './support/eventually.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed } from './support/ws-client.ts';

/** Campaigns (docs/campaigns.md): audiences, the lifecycle, opt-out. Delivery and replies: campaigns-delivery.test.ts. */
for (const engine of engines) {
  describe(`campaigns on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let other: ShopFixture;
    let people: Map<string, string>;
    let labels: Map<string, string>;
    let otherLabels: Map<string, string>;

    before(async () => {
      server = await startServer(engine, { CAMPAIGN_POLL_MS: '50', CAMPAIGN_BATCH: '7' });
      shop = await createShop(server, 'Campaigns');
      other = await createShop(server, 'Elsewhere');
      ({ ids: people, labels } = await seedContacts(server.storage.db, shop.shopId, [
        { externalId: 'a1', labels: ['vip'], attributes: { plan: 'gold', orders: 5, active: true } },
        { externalId: 'a2', labels: ['vip', 'new'], attributes: { plan: 'silver', orders: 1 } },
        { externalId: 'a3', labels: ['new'], attributes: { plan: 'gold', orders: 12, city: 'Berlin' } },
        { externalId: 'a4' },
        { externalId: 'a5', labels: ['vip'], attributes: { plan: 'gold', orders: 30 }, optedOut: true },
        { externalId: 'a6', attributes: { plan: 5, orders: '7' } },
      ]));
      ({ labels: otherLabels } = await seedContacts(server.storage.db, other.shopId, [{ externalId: 'b1', labels: ['vip'], attributes: { plan: 'gold', orders: 50 } }]));
    });
    after(async () => server.close());

    const ok = <T = any>(reply: { status: number; body: unknown }, status = 200): T => {
      assert.equal(reply.status, status, JSON.stringify(reply.body));
      return reply.body as T;
    };
    const create = async (body: Record<string, unknown>, token = shop.ownerToken): Promise<Campaign> =>
      ok(await call(server, 'POST', '/api/v1/campaigns', { token, body: { name: 'Spring', kind: 'one_off', senderId: shop.ownerId, text: 'Hello from the shop', ...body } }), 201);
    const act = (id: string, action: string, token = shop.ownerToken) => call(server, 'POST', `/api/v1/campaigns/${id}/${action}`, { token });
    const get = async (id: string): Promise<Campaign> => ok(await call(server, 'GET', `/api/v1/campaigns/${id}`, { token: shop.agentToken }));
    const finished = (id: string) => eventually(`campaign ${id} completed`, async () => ((await get(id)).status === 'completed' ? get(id) : false));
    async function recipients(id: string, status?: string): Promise<Array<{ customerId: string; status: string; conversationId: string | null }>> {
      const all = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ limit: '2', ...(status && { status }), ...(cursor && { cursor }) });
        const page: any = ok(await call(server, 'GET', `/api/v1/campaigns/${id}/recipients?${query}`, { token: shop.agentToken }));
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return all;
    }
    const names = (ids: Iterable<string>) => [...ids].map((id) => [...people].find(([, v]) => v === id)?.[0] ?? `stranger ${id}`).sort();
    /** Each of these customers has exactly one message of the campaign. */
    async function messagesOf(campaignId: string, customerIds: readonly string[]): Promise<number[]> {
      const rows = await server.storage.db
        .selectFrom('messages as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
        .select(['c.customer_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('m.client_msg_id', '=', `campaign:${campaignId}`)
        .groupBy('c.customer_id')
        .execute();
      const counts = new Map(rows.map((r) => [r.customer_id, Number(r.n)]));
      return customerIds.map((id) => counts.get(id) ?? 0);
    }

    /** The audience as counted, and as fixed by a started campaign: the same set of customers. */
    async function addressed(audience: CampaignAudience): Promise<string[]> {
      const { count } = ok<{ count: number }>(await call(server, 'POST', '/api/v1/campaigns/audience', { token: shop.ownerToken, body: { audience } }));
      const campaign = await create({ audience });
      ok(await act(campaign.id, 'start'));
      const done = await finished(campaign.id);
      const fixed = (await recipients(campaign.id)).map((r) => r.customerId);
      assert.equal(fixed.length, count, 'the count and the fixed audience agree');
      assert.equal(done.counts.total, count);
      assert.equal(done.counts.sent, count);
      assert.deepEqual(await messagesOf(campaign.id, fixed), fixed.map(() => 1), 'one message each');
      return names(fixed);
    }

    test('audience by label is exact: any of the labels, never an opted-out contact, never another shop’s', async () => {
      assert.deepEqual(await addressed({ labelIds: [labels.get('vip')!] }), ['a1', 'a2']);
      assert.deepEqual(await addressed({ labelIds: [labels.get('vip')!, labels.get('new')!] }), ['a1', 'a2', 'a3']);
      assert.deepEqual(await addressed({ labelIds: [otherLabels.get('vip')!] }), [], 'another shop’s label addresses no one here');
      assert.deepEqual(await addressed({ all: true }), ['a1', 'a2', 'a3', 'a4', 'a6']);
    });

    test('audience by attribute is exact, with JSON types respected', async () => {
      const only = (...attributes: CampaignAudience['attributes'] & object) => addressed({ all: true, attributes });
      assert.deepEqual(await only({ key: 'plan', op: 'eq', value: 'gold' }), ['a1', 'a3']);
      assert.deepEqual(await only({ key: 'plan', op: 'neq', value: 'gold' }), ['a2', 'a4', 'a6'], 'a missing attribute differs too');
      assert.deepEqual(await only({ key: 'orders', op: 'gt', value: 3 }), ['a1', 'a3'], 'the text "7" is not a number');
      assert.deepEqual(await only({ key: 'orders', op: 'lte', value: 1 }), ['a2']);
      assert.deepEqual(await only({ key: 'city', op: 'contains', value: 'ERL' }), ['a3']);
      assert.deepEqual(await only({ key: 'active', op: 'exists' }), ['a1']);
      assert.deepEqual(await only({ key: 'active', op: 'eq', value: true }), ['a1']);
      assert.deepEqual(await only({ key: 'plan', op: 'eq', value: 'gold' }, { key: 'orders', op: 'gte', value: 12 }), ['a3'], 'every condition holds');
      assert.deepEqual(await addressed({ labelIds: [labels.get('vip')!], attributes: [{ key: 'orders', op: 'lt', value: 3 }] }), ['a2']);
      assert.deepEqual(await addressed({ externalIds: ['a1', 'a4', 'a5', 'b1', 'nobody'] }), ['a1', 'a4'], 'the list, less the opted-out and other shops’');
    });

    test('an audience takes exactly one base, and conditions that make sense', async () => {
      for (const audience of [{}, { all: true, labelIds: [labels.get('vip')] }, { all: true, attributes: [{ key: 'x', op: 'exists', value: 1 }] }, { all: true, attributes: [{ key: 'x', op: 'gt', value: true }] }]) {
        const reply = await call(server, 'POST', '/api/v1/campaigns/audience', { token: shop.ownerToken, body: { audience } });
        assert.equal(reply.status, 400, JSON.stringify(audience));
        assert.equal(reply.body.error.code, 'VALIDATION_FAILED');
      }
      const ongoingWithAudience = await call(server, 'POST', '/api/v1/campaigns', { token: shop.ownerToken, body: { name: 'x', kind: 'ongoing', senderId: shop.ownerId, text: 'x', audience: { all: true } } });
      assert.equal(ongoingWithAudience.status, 400);
    });

    test('agents read campaigns but cannot write them; a sender from another shop is refused', async () => {
      const draft = await create({ audience: { all: true } });
      assert.equal((await call(server, 'GET', '/api/v1/campaigns', { token: shop.agentToken })).status, 200);
      assert.equal((await act(draft.id, 'start', shop.agentToken)).body.error.code, 'FORBIDDEN');
      const reply = await call(server, 'POST', '/api/v1/campaigns', { token: shop.agentToken, body: { name: 'x', kind: 'one_off', senderId: shop.agentId, text: 'x', audience: { all: true } } });
      assert.equal(reply.body.error.code, 'FORBIDDEN');
      const stranger = await call(server, 'POST', '/api/v1/campaigns', { token: shop.ownerToken, body: { name: 'x', kind: 'one_off', senderId: other.ownerId, text: 'x', audience: { all: true } } });
      assert.equal(stranger.body.error.code, 'STAFF_NOT_FOUND');
    });

    test('pause stops sending, resume carries on, cancel ends it; each move only from where the table allows', async () => {
      const { ids } = await seedContacts(server.storage.db, shop.shopId, Array.from({ length: 40 }, (_, i) => ({ externalId: `bulk-${i}`, labels: ['bulk'] })));
      const [bulk] = [(await server.storage.db.selectFrom('labels').select('id').where('shop_id', '=', shop.shopId).where('name', '=', 'bulk').executeTakeFirstOrThrow()).id];
      const campaign = await create({ audience: { labelIds: [bulk] }, throttlePerSecond: 20 });
      assert.equal((await act(campaign.id, 'pause')).body.error.code, 'CAMPAIGN_INVALID_TRANSITION', 'a draft cannot pause');
      assert.equal(ok<Campaign>(await act(campaign.id, 'start')).status, 'running');
      await eventually('some sent', async () => (await get(campaign.id)).counts.sent >= 5);
      const paused = ok<Campaign>(await act(campaign.id, 'pause'));
      assert.equal(paused.status, 'paused');
      const sentAtPause = (await get(campaign.id)).counts.sent;
      assert.ok(sentAtPause < 40, `paused at ${sentAtPause}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal((await get(campaign.id)).counts.sent, sentAtPause, 'nothing is sent while paused');
      assert.equal((await call(server, 'PATCH', `/api/v1/campaigns/${campaign.id}`, { token: shop.ownerToken, body: { text: 'changed' } })).body.error.code, 'CAMPAIGN_INVALID_TRANSITION');
      assert.equal((await call(server, 'DELETE', `/api/v1/campaigns/${campaign.id}`, { token: shop.ownerToken })).body.error.code, 'CAMPAIGN_INVALID_TRANSITION');
      assert.equal(ok<Campaign>(await act(campaign.id, 'resume')).status, 'running');
      const done = await finished(campaign.id);
      assert.equal(done.counts.sent, 40);
      assert.ok(done.finishedAt !== null);
      assert.deepEqual(await messagesOf(campaign.id, [...ids.values()]), [...ids.values()].map(() => 1));
      assert.equal((await act(campaign.id, 'cancel')).body.error.code, 'CAMPAIGN_INVALID_TRANSITION', 'a completed campaign stays completed');

      const second = await create({ audience: { labelIds: [bulk] }, throttlePerSecond: 10 });
      ok(await act(second.id, 'start'));
      await eventually('some sent', async () => (await get(second.id)).counts.sent >= 2);
      const cancelled = ok<Campaign>(await act(second.id, 'cancel'));
      assert.equal(cancelled.status, 'cancelled');
      const sentAtCancel = (await get(second.id)).counts.sent;
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal((await get(second.id)).counts.sent, sentAtCancel);
      assert.ok((await recipients(second.id, 'pending')).length > 0, 'the rest stays pending, never sent');
      assert.equal((await act(second.id, 'resume')).body.error.code, 'CAMPAIGN_INVALID_TRANSITION');

      const draft = await create({ audience: { all: true } });
      assert.equal(ok<Campaign>(await call(server, 'PATCH', `/api/v1/campaigns/${draft.id}`, { token: shop.ownerToken, body: { text: 'Better words' } })).text, 'Better words');
      assert.equal((await call(server, 'DELETE', `/api/v1/campaigns/${draft.id}`, { token: shop.ownerToken })).status, 204);
      assert.equal((await call(server, 'GET', `/api/v1/campaigns/${draft.id}`, { token: shop.ownerToken })).body.error.code, 'CAMPAIGN_NOT_FOUND');
    });

    test('a scheduled campaign waits for its time, then fixes its audience and sends', async () => {
      const at = new Date(Date.now() + 700).toISOString();
      const campaign = await create({ audience: { externalIds: ['a1', 'a2'] }, scheduledAt: at });
      assert.equal(ok<Campaign>(await act(campaign.id, 'start')).status, 'scheduled');
      assert.equal((await recipients(campaign.id)).length, 0, 'not fixed before its time');
      const done = await finished(campaign.id);
      assert.equal(done.counts.sent, 2);
      assert.ok(Date.parse(done.startedAt!) >= Date.parse(at));
    });

    test('a draft’s schedule and throttle can be taken away: started, it sends at once', async () => {
      const campaign = await create({ audience: { externalIds: ['a1', 'a2'] }, scheduledAt: new Date(Date.now() + 3_600_000).toISOString(), throttlePerSecond: 5 });
      const patch = (body: unknown) => call(server, 'PATCH', `/api/v1/campaigns/${campaign.id}`, { token: shop.ownerToken, body });
      const cleared = ok<Campaign>(await patch({ scheduledAt: null, throttlePerSecond: null }));
      assert.deepEqual([cleared.scheduledAt, cleared.throttlePerSecond], [null, null]);
      assert.equal((await patch({ scheduledAt: 'tomorrow' })).body.error.code, 'VALIDATION_FAILED');
      assert.equal((await patch({ throttlePerSecond: 0 })).body.error.code, 'VALIDATION_FAILED');
      assert.equal(ok<Campaign>(await act(campaign.id, 'start')).status, 'running', 'no schedule left: it starts now');
      assert.equal((await finished(campaign.id)).counts.sent, 2);
    });

    test('opt-out is respected when the audience is fixed and again at each recipient’s turn', async () => {
      const { ids } = await seedContacts(server.storage.db, shop.shopId, Array.from({ length: 12 }, (_, i) => ({ externalId: `oo-${String(i).padStart(2, '0')}`, labels: ['oo'], optedOut: i === 0 })));
      const oo = (await server.storage.db.selectFrom('labels').select('id').where('shop_id', '=', shop.shopId).where('name', '=', 'oo').executeTakeFirstOrThrow()).id;
      const campaign = await create({ audience: { labelIds: [oo] }, throttlePerSecond: 4 });
      ok(await act(campaign.id, 'start'));
      const fixed = (await recipients(campaign.id)).map((r) => r.customerId);
      assert.equal(fixed.length, 11, 'the contact opted out before the start is not addressed');
      assert.ok(!fixed.includes(ids.get('oo-00')!));
      // The last in the sender's order opts out after the start, before their turn.
      const last = [...fixed].sort().at(-1)!;
      await optOut(server.storage.db, shop.shopId, last);
      const done = await finished(campaign.id);
      assert.deepEqual([done.counts.sent, done.counts.skipped, done.counts.total], [10, 1, 11]);
      assert.deepEqual((await recipients(campaign.id, 'skipped')).map((r) => r.customerId), [last]);
      assert.deepEqual(await messagesOf(campaign.id, [last, ids.get('oo-00')!]), [0, 0]);
    });

    // Last: its visitor becomes one more contact of the shop, which the audience tests above count.
    test('a staff member’s sync skips campaign messages, as the live fan-out does, and still has the customers’ own', async () => {
      // The first sync gives a place in the shop's stream; the next ones what came after it.
      const agent = await rawAuthed(server, shop.agentToken);
      agent.send({ type: 'sync', id: 'start' });
      let token: string | undefined = (await agent.next('sync.result', (f) => f.id === 'start')).token;
      const campaign = await create({ audience: { labelIds: [labels.get('new')!] } });
      ok(await act(campaign.id, 'start'));
      await finished(campaign.id);
      const sent = (await recipients(campaign.id)).map((r) => r.customerId);
      assert.deepEqual(await messagesOf(campaign.id, sent), sent.map(() => 1), 'the campaign messages are stored');
      const visitor = await openWidget(server, shop.shopId);
      assert.equal((await send(server, visitor.token, visitor.conversationId, 'A question of my own')).status, 201);

      const synced: Array<{ clientMsgId: string | null; text: string | null }> = [];
      for (let page = 0, more = true; more; page++) {
        agent.send({ type: 'sync', id: `s${page}`, ...(token && { token }), limit: 5 });
        const reply = await agent.next('sync.result', (f) => f.id === `s${page}`);
        synced.push(...reply.messages);
        token = reply.token;
        more = reply.hasMore;
      }
      agent.close();
      assert.deepEqual(synced.filter((m) => m.clientMsgId?.startsWith('campaign:')), [], 'no campaign message in the staff sync');
      assert.ok(synced.some((m) => m.text === 'A question of my own'), 'a customer’s message is in it');
    });
  });
}
