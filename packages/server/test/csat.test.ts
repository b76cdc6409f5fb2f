import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, createShop, openWidget, send, type CustomerFixture, type ShopFixture } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { Receiver } from './support/webhook-receiver.ts';
import { rawAuthed } from './support/ws-client.ts';

/** Customer satisfaction (docs/api.md#customer-satisfaction-csat): who rates what, once, and who hears of it. */

const fast = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_POLL_MS: '100' };
const DAY = 86_400_000;

for (const engine of engines) {
  describe(`CSAT on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let other: ShopFixture;
    const receiver = new Receiver();

    before(async () => {
      server = await startServer(engine, fast);
      await receiver.start();
      shop = await createShop(server, 'Rated');
      other = await createShop(server, 'Other');
      for (const s of [shop, other]) await csatSwitch(s, true);
    });
    after(async () => {
      await server.close();
      await receiver.stop();
    });

    async function csatSwitch(s: ShopFixture, enabled: boolean) {
      const reply = await call(server, 'PATCH', '/api/v1/shop', { token: s.ownerToken, body: { settings: { csat: { enabled } } } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.deepEqual(reply.body.settings.csat, { enabled });
    }
    const prompt = (customer: CustomerFixture) => call(server, 'GET', '/api/v1/widget/csat', { token: customer.token });
    const rate = (token: string, body: unknown) => call(server, 'POST', '/api/v1/widget/csat', { token, body });
    const refused = (reply: { status: number; body: any }, status: number, code: string) => {
      assert.equal(reply.status, status, JSON.stringify(reply.body));
      assert.equal(reply.body.error.code, code);
    };

    /** A customer who wrote, was served by the shop's agent, and (unless `open`) whose inquiry was closed. */
    async function served(s: ShopFixture, open = false) {
      const customer = await openWidget(server, s.shopId);
      assert.equal((await send(server, customer.token, customer.conversationId, 'help me')).status, 201);
      const db = server.storage.db;
      await db.updateTable('conversations').set({ status: 'assigned', assignee_id: s.agentId }).where('id', '=', customer.conversationId).execute();
      await db.updateTable('inquiries').set({ status: 'assigned', assignee_id: s.agentId, assigned_at: Date.now() }).where('conversation_id', '=', customer.conversationId).execute();
      if (!open) {
        const closed = await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/close`, { token: s.agentToken });
        assert.equal(closed.status, 200, JSON.stringify(closed.body));
      }
      const asked = await prompt(customer);
      assert.equal(asked.status, 200, JSON.stringify(asked.body));
      const inquiry = await db.selectFrom('inquiries').select('id').where('conversation_id', '=', customer.conversationId).executeTakeFirstOrThrow();
      return { customer, inquiryId: inquiry.id, asked: asked.body };
    }

    test('after a close the customer is asked, rates once, and may change it; the agent at the close is recorded', async () => {
      const { customer, inquiryId, asked } = await served(shop);
      assert.equal(asked.ask, true);
      assert.equal(asked.inquiryId, inquiryId);
      assert.equal(asked.rating, null);
      assert.ok(Date.parse(asked.editableUntil) > Date.now() + 6 * DAY);

      const first = await rate(customer.token, { inquiryId, rating: 4, comment: '  Quick and kind <b>thanks</b>  ' });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual({ ...first.body, submittedAt: undefined, updatedAt: undefined }, {
        inquiryId, conversationId: customer.conversationId, customerId: customer.customerId, agentId: shop.agentId, rating: 4,
        comment: 'Quick and kind <b>thanks</b>', submittedAt: undefined, updatedAt: undefined,
      });
      assert.deepEqual((await prompt(customer)).body.rating, first.body, 'a reload shows the answer given');

      const second = await rate(customer.token, { inquiryId, rating: 2 });
      assert.equal(second.status, 200);
      assert.equal(second.body.rating, 2);
      assert.equal(second.body.comment, null);
      assert.equal(second.body.submittedAt, first.body.submittedAt, 'the first submission’s time stays');
      const rows = await server.storage.db.selectFrom('csat_ratings').selectAll().where('inquiry_id', '=', inquiryId).execute();
      assert.equal(rows.length, 1, 'one rating per inquiry');
      assert.equal(Number(rows[0]!.rating), 2);
    });

    test('not for an open inquiry, not after 7 days, not by anyone but its customer', async () => {
      const open = await served(shop, true);
      assert.equal(open.asked.ask, false, 'an open inquiry is not asked about');
      refused(await rate(open.customer.token, { inquiryId: open.inquiryId, rating: 5 }), 409, 'INQUIRY_NOT_CLOSED');

      const { customer, inquiryId } = await served(shop);
      const stranger = await openWidget(server, shop.shopId);
      refused(await rate(stranger.token, { inquiryId, rating: 1 }), 404, 'INQUIRY_NOT_FOUND');
      refused(await rate(shop.agentToken, { inquiryId, rating: 1 }), 403, 'FORBIDDEN');
      refused(await rate(shop.ownerToken, { inquiryId, rating: 1 }), 403, 'FORBIDDEN');
      refused(await call(server, 'POST', '/api/v1/widget/csat', { body: { inquiryId, rating: 1 } }), 401, 'AUTH_REQUIRED');

      await server.storage.db.updateTable('inquiries').set({ closed_at: Date.now() - 7 * DAY - 1000 }).where('id', '=', inquiryId).execute();
      assert.equal((await prompt(customer)).body.ask, false, 'no longer asked after 7 days');
      refused(await rate(customer.token, { inquiryId, rating: 5 }), 409, 'CSAT_WINDOW_CLOSED');
      assert.equal((await server.storage.db.selectFrom('csat_ratings').select('inquiry_id').where('inquiry_id', 'in', [inquiryId, open.inquiryId]).execute()).length, 0);
    });

    test('a customer of another shop, even with the id, is refused', async () => {
      const { inquiryId } = await served(shop);
      const elsewhere = await served(other);
      refused(await rate(elsewhere.customer.token, { inquiryId, rating: 5 }), 404, 'INQUIRY_NOT_FOUND');
      const theirs = await rate(elsewhere.customer.token, { inquiryId: elsewhere.inquiryId, rating: 5 });
      assert.equal(theirs.status, 200);
      assert.equal(theirs.body.agentId, other.agentId);
    });

    test('with the switch off the widget is not asked and a rating is refused', async () => {
      const off = await createShop(server, 'Unasked');
      const { customer, inquiryId, asked } = await served(off);
      assert.deepEqual(asked, { ask: false, inquiryId: null, rating: null, editableUntil: null }, 'off by default');
      refused(await rate(customer.token, { inquiryId, rating: 3 }), 409, 'CSAT_DISABLED');
      await csatSwitch(off, true);
      assert.equal((await prompt(customer)).body.ask, true);
      await csatSwitch(off, false);
      refused(await rate(customer.token, { inquiryId, rating: 3 }), 409, 'CSAT_DISABLED');
    });

    test('ratings and comments are validated', async () => {
      const { customer, inquiryId } = await served(shop);
      for (const body of [{ inquiryId, rating: 0 }, { inquiryId, rating: 6 }, { inquiryId, rating: 4.5 }, { inquiryId, rating: '4' }, { inquiryId }, { rating: 3 }, { inquiryId, rating: 3, comment: 'x'.repeat(1001) }, { inquiryId, rating: 3, extra: 1 }]) {
        refused(await rate(customer.token, body), 400, 'VALIDATION_FAILED');
      }
      assert.equal((await rate(customer.token, { inquiryId, rating: 3, comment: 'x'.repeat(1000) })).status, 200);
    });

    test('owners and admins of the shop get the rating live; agents, the customer and other shops do not', async () => {
      const { customer, inquiryId } = await served(shop);
      const [owner, agent, own, otherOwner] = await Promise.all([rawAuthed(server, shop.ownerToken), rawAuthed(server, shop.agentToken), rawAuthed(server, customer.token), rawAuthed(server, other.ownerToken)]);
      try {
        const rated = await rate(customer.token, { inquiryId, rating: 5, comment: 'Live' });
        const frame = (await owner.next('csat')) as any;
        assert.deepEqual(frame.rating, rated.body);
        // A later frame every socket gets shows the others had their chance: a message in the conversation.
        assert.equal((await send(server, customer.token, customer.conversationId, 'one more thing')).status, 201);
        await own.next('message');
        await agent.next('message');
        for (const socket of [agent, own, otherOwner]) assert.equal(socket.frames.filter((f) => f.type === 'csat').length, 0);
      } finally {
        for (const socket of [owner, agent, own, otherOwner]) socket.ws.close();
      }
    });

    test('the csat.submitted webhook carries the rating and the conversation', async () => {
      const hook = await call(server, 'POST', '/api/v1/webhooks', { token: shop.ownerToken, body: { url: `${receiver.url}/csat`, events: ['csat.submitted'] } });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      const { customer, inquiryId } = await served(shop);
      assert.equal((await rate(customer.token, { inquiryId, rating: 5, comment: 'Great' })).status, 200);
      const delivered = await eventually('the csat webhook', async () => receiver.requests.find((r) => r.path === '/csat' && r.json.data.csat?.inquiryId === inquiryId));
      assert.equal(delivered.json.event, 'csat.submitted');
      assert.equal(delivered.json.shopId, shop.shopId);
      assert.deepEqual(delivered.json.data.csat, { inquiryId, customerId: customer.customerId, agentId: shop.agentId, rating: 5, comment: 'Great' });
      assert.equal(delivered.json.data.conversation.id, customer.conversationId);
      // The other shop's ratings never reach this endpoint.
      const elsewhere = await served(other);
      assert.equal((await rate(elsewhere.customer.token, { inquiryId: elsewhere.inquiryId, rating: 1 })).status, 200);
      assert.equal(receiver.requests.filter((r) => r.json.shopId !== shop.shopId).length, 0);
    });
  });
}
