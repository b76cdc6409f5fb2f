import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { limits } from '@frontdesk/protocol';
import { newId } from '../src/domain/ids.ts';
import { call, createShop, type CustomerFixture, identityToken, openWidget, send, type ShopFixture } from './support/client.ts';
import { platformSecret, startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';

/** The server APIs of the agent console: canned responses, inbox counts, search, daily statistics, the customer panel. */

const DAY = 86_400_000;

for (const engine of engines) {
  describe(`console API on ${engine}`, () => {
    let server: TestServer;
    let a: ShopFixture;
    let b: ShopFixture;

    before(async () => {
      server = await startServer(engine);
      a = await createShop(server, 'Alpha');
      b = await createShop(server, 'Bravo');
    });
    after(() => server.close());

    const get = (token: string, path: string) => call(server, 'GET', `/api/v1${path}`, { token });
    const refused = (reply: { status: number; body: any }, status: number, code: string, label = '') => {
      assert.equal(reply.status, status, `${label} ${JSON.stringify(reply.body)}`);
      assert.equal(reply.body.error.code, code, label);
    };

    /** Moves a conversation's open inquiry to an agent, as a claim would (a claim needs the agent online). */
    async function assign(conversationId: string, staffId: string) {
      const db = server.storage.db;
      await db.updateTable('conversations').set({ status: 'assigned', assignee_id: staffId }).where('id', '=', conversationId).execute();
      await db.updateTable('inquiries').set({ status: 'assigned', assignee_id: staffId, assigned_at: Date.now() }).where('conversation_id', '=', conversationId).where('status', '<>', 'closed').execute();
    }

    describe('canned responses', () => {
      const create = (token: string, body: unknown) => call(server, 'POST', '/api/v1/canned-responses', { token, body });

      test('owners create them, every staff member lists them sorted by shortcut, narrowed by q', async () => {
        const made = await create(a.ownerToken, { shortcut: 'refund', title: 'Refund policy', text: '  You can return any item within 30 days.\n' });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        assert.deepEqual(Object.keys(made.body).sort(), ['createdAt', 'createdBy', 'id', 'shortcut', 'text', 'title', 'updatedAt']);
        assert.equal(made.body.createdBy, a.ownerId);
        assert.equal(made.body.text, 'You can return any item within 30 days.', 'trimmed like a sent message');
        for (const [shortcut, title] of [['hello', 'Greeting'], ['ship-time', 'Shipping times'], ['a_100pct', '100% satisfaction']]) {
          assert.equal((await create(a.ownerToken, { shortcut, title, text: `${title}.` })).status, 201);
        }
        assert.equal((await create(b.ownerToken, { shortcut: 'refund', title: 'Bravo refunds', text: 'B only' })).status, 201, 'shortcuts are unique per shop');

        const list = await get(a.agentToken, '/canned-responses');
        assert.equal(list.status, 200);
        assert.deepEqual(list.body.items.map((r: any) => r.shortcut), ['a_100pct', 'hello', 'refund', 'ship-time']);
        assert.deepEqual(list.body.items.find((r: any) => r.shortcut === 'refund'), made.body);

        const shortcuts = async (q: string) => (await get(a.agentToken, `/canned-responses?q=${encodeURIComponent(q)}`)).body.items.map((r: any) => r.shortcut);
        assert.deepEqual(await shortcuts('REF'), ['refund'], 'prefix of a shortcut, any case');
        assert.deepEqual(await shortcuts('policy'), ['refund'], 'inside a title');
        assert.deepEqual(await shortcuts('SHIPPING'), ['ship-time'], 'title, any case');
        assert.deepEqual(await shortcuts('%'), ['a_100pct'], 'a % matches itself only');
        assert.deepEqual(await shortcuts('_'), ['a_100pct'], 'an _ matches itself only');
        assert.deepEqual(await shortcuts('\\'), []);
        assert.deepEqual(await shortcuts('bravo'), [], "another shop's are not there");
        assert.equal((await get(a.agentToken, '/canned-responses?q=')).body.items.length, 4, 'an empty q lists all');
      });

      test('owners change and delete them; a taken shortcut is SHORTCUT_TAKEN; unknown ids are not found', async () => {
        const first = (await create(a.ownerToken, { shortcut: 'bye', title: 'Goodbye', text: 'Have a nice day!' })).body;
        const second = (await create(a.ownerToken, { shortcut: 'thanks', title: 'Thanks', text: 'Thank you!' })).body;
        refused(await create(a.ownerToken, { shortcut: 'bye', title: 'Again', text: 'x' }), 409, 'SHORTCUT_TAKEN');

        const patch = (token: string, id: string, body: unknown) => call(server, 'PATCH', `/api/v1/canned-responses/${id}`, { token, body });
        const changed = await patch(a.ownerToken, first.id, { title: 'Farewell', text: 'Bye for now.' });
        assert.equal(changed.status, 200, JSON.stringify(changed.body));
        assert.deepEqual({ ...changed.body, updatedAt: undefined }, { ...first, title: 'Farewell', text: 'Bye for now.', updatedAt: undefined });
        assert.ok(changed.body.updatedAt >= first.updatedAt);
        refused(await patch(a.ownerToken, second.id, { shortcut: 'bye' }), 409, 'SHORTCUT_TAKEN', 'renamed onto a taken shortcut');
        assert.equal((await patch(a.ownerToken, second.id, { shortcut: 'thank-you' })).body.shortcut, 'thank-you');
        refused(await patch(a.ownerToken, randomUUID(), { title: 'x' }), 404, 'CANNED_RESPONSE_NOT_FOUND');
        refused(await patch(a.ownerToken, first.id, { title: '   ' }), 400, 'VALIDATION_FAILED', 'a blank title');
        refused(await patch(a.ownerToken, first.id, {}), 400, 'VALIDATION_FAILED', 'an empty patch');

        const remove = (token: string, id: string) => call(server, 'DELETE', `/api/v1/canned-responses/${id}`, { token });
        assert.equal((await remove(a.ownerToken, first.id)).status, 204);
        refused(await remove(a.ownerToken, first.id), 404, 'CANNED_RESPONSE_NOT_FOUND', 'deleted twice');
        refused(await patch(a.ownerToken, first.id, { title: 'x' }), 404, 'CANNED_RESPONSE_NOT_FOUND');
        assert.equal((await create(a.ownerToken, { shortcut: 'bye', title: 'Goodbye', text: 'Bye!' })).status, 201, 'a deleted shortcut is free again');
      });

      test('agents only read them, customers not at all', async () => {
        const made = (await create(a.ownerToken, { shortcut: 'agent-test', title: 'T', text: 'T' })).body;
        refused(await create(a.agentToken, { shortcut: 'mine', title: 'T', text: 'T' }), 403, 'FORBIDDEN');
        refused(await call(server, 'PATCH', `/api/v1/canned-responses/${made.id}`, { token: a.agentToken, body: { title: 'x' } }), 403, 'FORBIDDEN');
        refused(await call(server, 'DELETE', `/api/v1/canned-responses/${made.id}`, { token: a.agentToken }), 403, 'FORBIDDEN');
        const customer = await openWidget(server, a.shopId);
        refused(await get(customer.token, '/canned-responses'), 403, 'FORBIDDEN');
        assert.equal((await get(a.ownerToken, '/canned-responses?q=agent-test')).body.items[0].title, 'T', 'nothing changed');
      });

      test('bad input is refused at the edge', async () => {
        const bad: Array<[string, unknown]> = [
          ['an upper-case shortcut', { shortcut: 'Refund', title: 'T', text: 'T' }],
          ['a shortcut with a space', { shortcut: 'a b', title: 'T', text: 'T' }],
          ['a shortcut starting with -', { shortcut: '-x', title: 'T', text: 'T' }],
          ['a 33-character shortcut', { shortcut: 'a'.repeat(33), title: 'T', text: 'T' }],
          ['an empty title', { shortcut: 'x', title: '', text: 'T' }],
          ['a 121-character title', { shortcut: 'x', title: 't'.repeat(121), text: 'T' }],
          ['an empty text', { shortcut: 'x', title: 'T', text: '' }],
          ['a blank text', { shortcut: 'x', title: 'T', text: ' \n ' }],
          ['a text over the message limit', { shortcut: 'x', title: 'T', text: 't'.repeat(limits.textMaxChars + 1) }],
          ['no text', { shortcut: 'x', title: 'T' }],
          ['an unknown field', { shortcut: 'x', title: 'T', text: 'T', shopId: b.shopId }],
        ];
        for (const [label, body] of bad) refused(await create(a.ownerToken, body), 400, 'VALIDATION_FAILED', label);
        assert.equal((await create(a.ownerToken, { shortcut: 'a'.repeat(32), title: 't'.repeat(120), text: 't'.repeat(limits.textMaxChars) })).status, 201, 'the limits themselves');
        refused(await get(a.ownerToken, `/canned-responses?q=${'q'.repeat(101)}`), 400, 'VALIDATION_FAILED');
        refused(await call(server, 'PATCH', '/api/v1/canned-responses/not-a-uuid', { token: a.ownerToken, body: { title: 'x' } }), 400, 'VALIDATION_FAILED');
      });

      test('the list stops at 200', async () => {
        const shop = await createShop(server, 'Many templates');
        const now = Date.now();
        for (let i = 0; i < 205; i++) {
          await server.app.store.cannedResponses.create({
            id: newId(), shopId: shop.shopId, shortcut: `r${String(i).padStart(3, '0')}`, title: `Reply ${i}`, text: 'x', createdBy: shop.ownerId, createdAt: now, updatedAt: now,
          });
        }
        const list = await get(shop.agentToken, '/canned-responses');
        assert.equal(list.body.items.length, 200);
        assert.equal(list.body.items[0].shortcut, 'r000');
        assert.equal(list.body.items[199].shortcut, 'r199');
        assert.deepEqual((await get(shop.agentToken, '/canned-responses?q=r20')).body.items.map((r: any) => r.shortcut), ['r200', 'r201', 'r202', 'r203', 'r204']);
      });
    });

    describe('inbox counts', () => {
      test('each count is what its view lists; the static path is not taken for a conversation id', async () => {
        const shop = await createShop(server, 'Counts');
        const customers: CustomerFixture[] = [];
        for (let i = 0; i < 5; i++) customers.push(await openWidget(server, shop.shopId));
        const [queued, mine, owners, closed] = customers as [CustomerFixture, CustomerFixture, CustomerFixture, CustomerFixture];
        for (const c of customers) assert.equal((await send(server, c.token, c.conversationId, 'hello')).status, 201);
        await assign(mine.conversationId, shop.agentId);
        await assign(owners.conversationId, shop.ownerId);
        assert.equal((await call(server, 'POST', `/api/v1/conversations/${closed.conversationId}/close`, { token: shop.agentToken })).status, 200);
        // A visitor who never wrote has no inquiry: their conversation is in no view.
        await openWidget(server, shop.shopId);

        const counts = await get(shop.agentToken, '/conversations/counts');
        assert.equal(counts.status, 200, JSON.stringify(counts.body));
        assert.deepEqual(counts.body, { queue: 2, mine: 1, open: 4, closed: 1, snoozed: 0 });
        assert.deepEqual((await get(shop.ownerToken, '/conversations/counts')).body, { queue: 2, mine: 1, open: 4, closed: 1, snoozed: 0 });

        for (const token of [shop.agentToken, shop.ownerToken]) {
          const own = (await get(token, '/conversations/counts')).body;
          for (const view of ['queue', 'mine', 'open', 'closed']) {
            const listed = await get(token, `/conversations?view=${view}&limit=100`);
            assert.equal(listed.body.items.length, own[view], `${view} lists as many as it counts`);
          }
        }
        // Another shop's conversations count nowhere; the id route still works beside the static one.
        assert.deepEqual((await get(b.agentToken, '/conversations/counts')).body.open, 0);
        assert.equal((await get(shop.agentToken, `/conversations/${queued.conversationId}`)).body.id, queued.conversationId);
        refused(await get(shop.agentToken, '/conversations/count'), 400, 'VALIDATION_FAILED', 'a near miss is an id');
        refused(await get(queued.token, '/conversations/counts'), 403, 'FORBIDDEN', 'customers have no views');
      });
    });

    describe('search', () => {
      let shop: ShopFixture;
      let zelda: CustomerFixture;
      let ivan: CustomerFixture;
      const ids: Record<string, string> = {};

      before(async () => {
        shop = await createShop(server, 'Search');
        zelda = await openWidget(server, shop.shopId, { profile: { name: 'Zelda Quux', email: 'zelda.q@example.test' } });
        ivan = await openWidget(server, shop.shopId, {
          identity: { jwt: await identityToken(shop.identitySecret, 'CRM-7731', { name: 'Ivan Petrov' }) },
        });
        const post = async (label: string, token: string, conversationId: string, text: string, extra: Record<string, unknown> = {}) => {
          const sent = await send(server, token, conversationId, text, extra);
          assert.equal(sent.status, 201);
          ids[label] = sent.body.id;
        };
        await post('parcel', zelda.token, zelda.conversationId, 'Where is my Parcel?');
        await post('note', shop.agentToken, zelda.conversationId, 'parcel flagged by the courier', { visibility: 'internal' });
        await post('deleted', zelda.token, zelda.conversationId, 'parcel number is 1234');
        await post('discount', ivan.token, ivan.conversationId, 'Is there a 50% discount on the_blue_one?');
        await post('plain', ivan.token, ivan.conversationId, 'A parcel for 50 people, please');
        assert.equal((await call(server, 'DELETE', `/api/v1/conversations/${zelda.conversationId}/messages/${ids.deleted}`, { token: zelda.token })).status, 200);
        // Another shop has a customer and a message that match too.
        const other = await openWidget(server, b.shopId, { profile: { name: 'Zelda Other' } });
        await send(server, other.token, other.conversationId, 'my parcel in shop B');
      });

      const search = (query: string, token = shop.agentToken) => get(token, `/search?${query}`);

      test('messages by text, any case, newest first, internal notes in, deleted ones out, with their conversation', async () => {
        const found = await search('q=PARCEL');
        assert.equal(found.status, 200, JSON.stringify(found.body));
        assert.deepEqual(found.body.messages.map((hit: any) => hit.message.id), [ids.plain, ids.note, ids.parcel]);
        const history = await get(shop.agentToken, `/conversations/${zelda.conversationId}/messages`);
        const note = found.body.messages[1];
        assert.deepEqual(note.message, history.body.items.find((m: any) => m.id === ids.note), 'the message as history shows it');
        const conversation = (await get(shop.agentToken, `/conversations/${zelda.conversationId}`)).body;
        const { readSeq, unread, ...summary } = conversation;
        assert.deepEqual(note.conversation, summary, 'the conversation as every viewer sees it');
        assert.equal(note.message.visibility, 'internal');
      });

      test('conversations by the customer’s name, e-mail or external id (any case, in part) or exact id', async () => {
        const conversations = async (q: string) => (await search(`q=${encodeURIComponent(q)}`)).body.conversations.map((c: any) => c.id);
        assert.deepEqual(await conversations('zelda'), [zelda.conversationId]);
        assert.deepEqual(await conversations('ELDA Q'), [zelda.conversationId]);
        assert.deepEqual(await conversations('q@example'), [zelda.conversationId], 'e-mail');
        assert.deepEqual(await conversations('crm-77'), [ivan.conversationId], 'external id');
        assert.deepEqual(await conversations(ivan.customerId), [ivan.conversationId], 'customer id');
        assert.deepEqual(await conversations(ivan.customerId.slice(0, 13)), [], 'ids match exactly, not in part');
        assert.deepEqual(await conversations('@example.test'), [zelda.conversationId]);
        const listed = (await get(shop.agentToken, `/conversations/${zelda.conversationId}`)).body;
        assert.deepEqual((await search('q=zelda')).body.conversations[0], listed, 'the conversation as the list shows it');
      });

      test('LIKE wildcards in q match only themselves', async () => {
        const texts = async (q: string) => (await search(`q=${encodeURIComponent(q)}`)).body.messages.map((hit: any) => hit.message.id);
        assert.deepEqual(await texts('50%'), [ids.discount]);
        assert.deepEqual(await texts('%'), [ids.discount]);
        assert.deepEqual(await texts('_'), [ids.discount]);
        assert.deepEqual(await texts('e_b'), [ids.discount]);
        assert.deepEqual(await texts('\\'), []);
        assert.deepEqual((await search(`q=${encodeURIComponent('%')}`)).body.conversations, []);
      });

      test('limit applies to each list; bad queries are refused; customers may not search', async () => {
        const limited = await search('q=parcel&limit=2');
        assert.deepEqual(limited.body.messages.map((hit: any) => hit.message.id), [ids.plain, ids.note]);
        assert.equal((await search('q=e&limit=1')).body.conversations.length, 1);
        for (const query of ['', 'q=', 'q=%20%20', `q=${'x'.repeat(101)}`, 'q=x&limit=0', 'q=x&limit=51', 'q=x&limit=1.5', 'q=x&shopId=1']) {
          refused(await search(query), 400, 'VALIDATION_FAILED', query);
        }
        assert.equal((await search(`q=${'x'.repeat(100)}&limit=50`)).status, 200);
        refused(await search('q=parcel', zelda.token), 403, 'FORBIDDEN');
      });
    });

    describe('daily statistics', () => {
      let shop: ShopFixture;

      /** Inquiries at chosen times: each in a conversation of its own (a conversation has one open inquiry at most). */
      async function inquiry(target: ShopFixture, createdAt: string, status: 'queued' | 'assigned' | 'closed', firstResponseMs: number | null, channel = 'web') {
        const customer = await openWidget(server, target.shopId);
        const created = Date.parse(createdAt);
        await server.storage.db.updateTable('conversations').set({ channel }).where('id', '=', customer.conversationId).execute();
        await server.storage.db
          .insertInto('inquiries')
          .values({
            id: newId(),
            shop_id: target.shopId,
            conversation_id: customer.conversationId,
            customer_id: customer.customerId,
            status,
            assignee_id: status === 'queued' ? null : target.agentId,
            created_at: created,
            assigned_at: status === 'queued' ? null : created,
            first_response_at: firstResponseMs === null ? null : created + firstResponseMs,
            closed_at: status === 'closed' ? created + 600_000 : null,
            queued_at: created,
          })
          .execute();
      }

      before(async () => {
        shop = await createShop(server, 'Stats');
        // UTC+08:00: 10 January runs from 9 January 16:00 UTC to 10 January 16:00 UTC.
        await inquiry(shop, '2026-01-09T15:59:59.999Z', 'closed', 1000); // 9 January +08:00: before the period
        await inquiry(shop, '2026-01-09T16:00:00.000Z', 'closed', 60_000); // 10 January 00:00 +08:00
        await inquiry(shop, '2026-01-10T02:00:00.000Z', 'closed', 30_000);
        await inquiry(shop, '2026-01-10T09:00:00.000Z', 'assigned', 90_000, 'wechat');
        await inquiry(shop, '2026-01-10T15:59:59.000Z', 'closed', 120_000); // 10 January 23:59:59 +08:00
        await inquiry(shop, '2026-01-10T16:00:00.000Z', 'assigned', null); // 11 January
        await inquiry(shop, '2026-01-11T03:00:00.000Z', 'closed', 10_000);
        await inquiry(shop, '2026-01-11T04:00:00.000Z', 'queued', null);
        await inquiry(shop, '2026-01-12T16:00:00.000Z', 'closed', 5000); // 13 January +08:00: at `to`, outside
        await inquiry(b, '2026-01-10T02:00:00.000Z', 'closed', 1); // another shop
      });

      const daily = (query: string, token = shop.ownerToken) => get(token, `/stats/daily?${query}`);

      test('one entry per local day, zeros included; counts SQL-side, the median of first responses', async () => {
        const reply = await daily(`from=${encodeURIComponent('2026-01-10T00:00:00+08:00')}&to=${encodeURIComponent('2026-01-13T00:00:00+08:00')}&tzOffsetMinutes=480`);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.deepEqual(reply.body, {
          days: [
            { day: '2026-01-10', inquiries: 4, closed: 3, answered: 4, medianFirstResponseMs: 75_000, byChannel: { web: 3, wechat: 1 } },
            { day: '2026-01-11', inquiries: 3, closed: 1, answered: 1, medianFirstResponseMs: 10_000, byChannel: { web: 3 } },
            { day: '2026-01-12', inquiries: 0, closed: 0, answered: 0, medianFirstResponseMs: null, byChannel: {} },
          ],
        });
      });

      test('the offset decides which day an inquiry belongs to', async () => {
        const utc = await daily('from=2026-01-09T00:00:00Z&to=2026-01-13T00:00:00Z');
        assert.deepEqual(
          utc.body.days.map((d: any) => [d.day, d.inquiries, d.medianFirstResponseMs]),
          [['2026-01-09', 2, 30_500], ['2026-01-10', 4, 90_000], ['2026-01-11', 2, 10_000], ['2026-01-12', 1, 5000]],
        );
        // UTC−05:00; the period's edges cut the first and last days short.
        const west = await daily('from=2026-01-10T00:00:00Z&to=2026-01-11T12:00:00Z&tzOffsetMinutes=-300');
        assert.deepEqual(west.body.days.map((d: any) => [d.day, d.inquiries]), [['2026-01-09', 1], ['2026-01-10', 5], ['2026-01-11', 0]]);
      });

      test('periods: 92 days at most, from before to, offsets within ±14 hours; the default is the last 7 days', async () => {
        const quarter = await daily('from=2026-01-01T00:00:00Z&to=2026-04-03T00:00:00Z');
        assert.equal(quarter.status, 200);
        assert.equal(quarter.body.days.length, 92);
        assert.equal(quarter.body.days.at(-1).day, '2026-04-02');
        for (const query of [
          'from=2026-01-01T00:00:00Z&to=2026-04-03T00:00:00.001Z',
          'from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
          'from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
          'from=2026-01-01&to=2026-01-02',
          'tzOffsetMinutes=841',
          'tzOffsetMinutes=-841',
          'tzOffsetMinutes=1.5',
          'tzOffsetMinutes=abc',
          'unknown=1',
        ]) {
          refused(await daily(query), 400, 'VALIDATION_FAILED', query);
        }
        assert.equal((await daily('tzOffsetMinutes=840')).status, 200);
        const recent = await daily('');
        assert.equal(recent.status, 200);
        assert.ok([7, 8].includes(recent.body.days.length), `${recent.body.days.length} days`);
        assert.equal(recent.body.days.at(-1).day, new Date().toISOString().slice(0, 10));
      });

      test('owners and admins only; another shop sees only its own', async () => {
        refused(await daily('', shop.agentToken), 403, 'FORBIDDEN');
        const customer = await openWidget(server, shop.shopId);
        refused(await daily('', customer.token), 403, 'FORBIDDEN');
        const other = await daily('from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z', b.ownerToken);
        assert.deepEqual(other.body.days, [{ day: '2026-01-10', inquiries: 1, closed: 1, answered: 1, medianFirstResponseMs: 1, byChannel: { web: 1 } }]);
        // The agents' statistics keep their own rules.
        refused(await get(shop.ownerToken, '/stats/agents?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'), 400, 'VALIDATION_FAILED');
        assert.equal((await get(shop.ownerToken, '/stats/agents?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z')).status, 200, 'longer than 92 days is fine there');
      });
    });

    describe('customer panel', () => {
      const panel = (token: string, customerId: string) => get(token, `/customers/${customerId}`);
      const session = (shopId: string, body: Record<string, unknown>) => call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId, ...body } });

      test('the customer, their attributes and their inquiries here, newest first', async () => {
        const visitor = await openWidget(server, a.shopId, { profile: { name: 'Vera', attributes: { plan: 'gold', orders: 3, vip: true, 'crm.id': 'V-1' } } });
        assert.equal((await send(server, visitor.token, visitor.conversationId, 'first question')).status, 201);
        assert.equal((await call(server, 'POST', `/api/v1/conversations/${visitor.conversationId}/close`, { token: a.agentToken })).status, 200);
        assert.equal((await send(server, visitor.token, visitor.conversationId, 'second question')).status, 201);
        await assign(visitor.conversationId, a.agentId);

        const reply = await panel(a.agentToken, visitor.customerId);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        const listed = (await get(a.agentToken, `/conversations/${visitor.conversationId}`)).body;
        assert.deepEqual(reply.body.customer, listed.customer, 'the customer as conversations show them');
        assert.deepEqual(reply.body.attributes, { plan: 'gold', orders: 3, vip: true, 'crm.id': 'V-1' });
        const [current, earlier] = reply.body.inquiries;
        assert.equal(reply.body.inquiries.length, 2);
        assert.deepEqual(Object.keys(current).sort(), ['assignedAt', 'assigneeId', 'closedAt', 'conversationId', 'createdAt', 'firstResponseAt', 'id', 'status']);
        assert.deepEqual([current.status, current.assigneeId, current.closedAt, current.conversationId], ['assigned', a.agentId, null, visitor.conversationId]);
        assert.equal(earlier.status, 'closed');
        assert.ok(earlier.createdAt <= current.createdAt && earlier.closedAt !== null);
      });

      test('attributes: given ones replace the stored ones; a visitor without any keeps theirs', async () => {
        const visitor = await openWidget(server, a.shopId, { profile: { attributes: { plan: 'free', seats: 1 } } });
        assert.equal((await session(a.shopId, { visitorToken: visitor.visitorToken, profile: { attributes: { plan: 'pro' } } })).status, 200);
        assert.deepEqual((await panel(a.agentToken, visitor.customerId)).body.attributes, { plan: 'pro' }, 'replaced, not merged');
        assert.equal((await session(a.shopId, { visitorToken: visitor.visitorToken })).status, 200);
        assert.deepEqual((await panel(a.agentToken, visitor.customerId)).body.attributes, { plan: 'pro' }, 'none given: unchanged');
        assert.equal((await session(a.shopId, { visitorToken: visitor.visitorToken, profile: { attributes: {} } })).status, 200);
        assert.deepEqual((await panel(a.agentToken, visitor.customerId)).body.attributes, {}, 'an empty set clears them');
        const plain = await openWidget(server, a.shopId);
        assert.deepEqual((await panel(a.agentToken, plain.customerId)).body.attributes, {}, 'never told: empty');
      });

      test('attributes in the body are checked by the schema', async () => {
        const many = Object.fromEntries(Array.from({ length: limits.attributesMax + 1 }, (_, i) => [`k${i}`, i]));
        const bad: Array<[string, unknown]> = [
          ['21 keys', many],
          ['a key with a space', { 'a b': 1 }],
          ['a 41-character key', { ['k'.repeat(41)]: 1 }],
          ['a 201-character value', { note: 'x'.repeat(limits.attributeValueMaxChars + 1) }],
          ['an object value', { nested: { a: 1 } }],
          ['an array value', { list: [1] }],
          ['a null value', { gone: null }],
          ['not an object', ['plan']],
        ];
        for (const [label, attributes] of bad) refused(await session(a.shopId, { profile: { attributes } }), 400, 'VALIDATION_FAILED', label);
        const fits = await session(a.shopId, { profile: { attributes: Object.fromEntries(Object.entries(many).slice(0, limits.attributesMax)) } });
        assert.equal(fits.status, 200, 'the limit itself');
      });

      test('an identified customer’s attributes come from the token’s claim, cleaned; the unsigned profile’s are ignored', async () => {
        const claim: Record<string, unknown> = { plan: 'enterprise', ltv: 1234.5, beta: false, 'bad key': 1, nested: { a: 1 }, list: [1], none: null, long: 'x'.repeat(201), ok: 'x'.repeat(200) };
        for (let i = 0; i < 25; i++) claim[`extra${i}`] = i;
        const identity = { jwt: await identityToken(a.identitySecret, 'attr-user', { attributes: claim }) };
        const first = await session(a.shopId, { identity, profile: { attributes: { plan: 'forged' } } });
        assert.equal(first.status, 200, JSON.stringify(first.body));
        const customerId = first.body.customer.id;
        const stored = (await panel(a.agentToken, customerId)).body.attributes;
        const expected = { plan: 'enterprise', ltv: 1234.5, beta: false, ok: 'x'.repeat(200), ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`extra${i}`, i])) };
        assert.deepEqual(stored, expected, 'invalid entries dropped, the first 20 valid ones kept');

        for (const [label, claims] of [['no claim', {}], ['a claim that is not an object', { attributes: 'gold' }], ['an array', { attributes: ['gold'] }]] as const) {
          const again = await session(a.shopId, { identity: { jwt: await identityToken(a.identitySecret, 'attr-user', claims) }, profile: { attributes: { plan: 'forged' } } });
          assert.equal(again.status, 200);
          assert.deepEqual((await panel(a.agentToken, customerId)).body.attributes, expected, `${label}: unchanged`);
        }
        const replaced = await session(a.shopId, { identity: { jwt: await identityToken(a.identitySecret, 'attr-user', { attributes: { plan: 'team' } }) } });
        assert.equal(replaced.status, 200);
        assert.deepEqual((await panel(a.agentToken, customerId)).body.attributes, { plan: 'team' });
        const identifierHash = createHmac('sha256', a.identitySecret).update('attr-user').digest('hex');
        const viaHash = await session(a.shopId, { identity: { externalId: 'attr-user', identifierHash }, profile: { attributes: { plan: 'forged' } } });
        assert.equal(viaHash.status, 200);
        assert.deepEqual((await panel(a.agentToken, customerId)).body.attributes, { plan: 'team' }, 'an identifier hash carries none');
      });

      test('a platform customer is seen by each shop they talk to, with that shop’s inquiries only', async () => {
        const jwt = await identityToken(platformSecret, `platform-${randomUUID()}`, { platform: true, name: 'Pat' });
        const inA = await session(a.shopId, { identity: { jwt } });
        const inB = await session(b.shopId, { identity: { jwt } });
        const customerId = inA.body.customer.id;
        assert.equal(inB.body.customer.id, customerId);
        assert.equal((await send(server, inA.body.token, inA.body.conversation.id, 'hello A')).status, 201);
        assert.equal((await send(server, inB.body.token, inB.body.conversation.id, 'hello B')).status, 201);
        const seenByA = await panel(a.agentToken, customerId);
        assert.deepEqual(seenByA.body.inquiries.map((i: any) => i.conversationId), [inA.body.conversation.id]);
        const seenByB = await panel(b.agentToken, customerId);
        assert.deepEqual(seenByB.body.inquiries.map((i: any) => i.conversationId), [inB.body.conversation.id]);

        // Someone who only talked to B does not exist for A: the same answer as an unknown id.
        const onlyB = await openWidget(server, b.shopId, { profile: { name: 'Bea' } });
        const foreign = await panel(a.ownerToken, onlyB.customerId);
        const unknown = await panel(a.ownerToken, randomUUID());
        refused(foreign, 404, 'CUSTOMER_NOT_FOUND');
        assert.deepEqual(foreign.body, unknown.body);
        refused(await panel(inA.body.token, customerId), 403, 'FORBIDDEN', 'customers have no panel');
        refused(await panel(a.agentToken, 'not-a-uuid'), 400, 'VALIDATION_FAILED');
      });

      test('at most 100 inquiries, the newest', async () => {
        const customer = await openWidget(server, a.shopId);
        const base = Date.now() - 1000 * DAY;
        await server.storage.db
          .insertInto('inquiries')
          .values(Array.from({ length: 105 }, (_, i) => ({
            id: newId(), shop_id: a.shopId, conversation_id: customer.conversationId, customer_id: customer.customerId, status: 'closed',
            assignee_id: null, created_at: base + i * DAY, assigned_at: null, first_response_at: null, closed_at: base + i * DAY + 1000,
            queued_at: base + i * DAY,
          })))
          .execute();
        const inquiries = (await panel(a.agentToken, customer.customerId)).body.inquiries;
        assert.equal(inquiries.length, 100);
        assert.equal(inquiries[0].createdAt, new Date(base + 104 * DAY).toISOString());
        assert.equal(inquiries[99].createdAt, new Date(base + 5 * DAY).toISOString());
      });
    });
  });
}
