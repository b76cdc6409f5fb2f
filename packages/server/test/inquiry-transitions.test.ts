import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, createShop, openWidget, send, setRouting, type Reply, type ShopFixture } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import { startServer, type TestServer } from './support/server.ts';
import { snapshotRows } from './support/snapshot.ts';
import { engines } from './support/storage.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

/**
 * Every way an inquiry changes status, through the routes that change it (a customer's first
 * message over WebSocket and a later one over HTTP, claim, transfer to a colleague and back to the
 * queue, automatic routing, close), and every refused move: each is decided by the table of
 * domain/inquiry-states.ts, and a move it forbids is answered 409 and writes nothing.
 */
for (const engine of engines) {
  describe(`inquiry transitions through the routes on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    const sockets: RawClient[] = [];
    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server, 'Transitions');
    });
    after(async () => {
      sockets.forEach((s) => s.close());
      await server.close();
    });

    const online = async (token: string, id: string) => {
      const ws = await rawAuthed(server, token);
      sockets.push(ws);
      await ws.next('presence', (f) => f.userId === id && f.status === 'online');
    };
    const inquiriesOf = (conversationId: string) =>
      server.storage.db.selectFrom('inquiries').select(['id', 'status', 'assignee_id', 'skip_agent_id']).where('conversation_id', '=', conversationId).orderBy('created_at').orderBy('id').execute();
    const loads = async () =>
      Object.fromEntries((await server.storage.db.selectFrom('agents').select(['staff_id', 'open_inquiries']).where('shop_id', '=', shop.shopId).execute()).map((a) => [a.staff_id, a.open_inquiries]));
    const lifecycle = (token: string, conversationId: string, action: string, body?: object) =>
      call(server, 'POST', `/api/v1/conversations/${conversationId}/${action}`, { token, ...(body && { body }) });

    /** A move the table forbids: 409 INVALID_TRANSITION, and not one row of the shop changed. */
    async function refused(what: string, request: () => Promise<Reply>): Promise<void> {
      const before = { rows: await snapshotRows(server.storage.db, { shopId: shop.shopId }), loads: await loads() };
      const reply = await request();
      assert.equal(reply.status, 409, `${what}: ${JSON.stringify(reply.body)}`);
      assert.equal(reply.body.error.code, 'INVALID_TRANSITION', what);
      assert.deepEqual({ rows: await snapshotRows(server.storage.db, { shopId: shop.shopId }), loads: await loads() }, before, `${what} wrote nothing`);
    }

    test('each allowed move through its route, and each forbidden one refused without a write', async () => {
      await online(shop.ownerToken, shop.ownerId);
      await online(shop.agentToken, shop.agentId);
      const customer = await openWidget(server, shop.shopId);
      const { conversationId } = customer;
      const customerWs = await rawAuthed(server, customer.token);
      sockets.push(customerWs);

      // (none) → queued: the customer's first message, over WebSocket.
      const first = randomUUID();
      customerWs.send({ type: 'send', conversationId, clientMsgId: first, text: 'hello' });
      await customerWs.next('ack', (f) => f.clientMsgId === first);
      assert.deepEqual((await inquiriesOf(conversationId)).map((i) => i.status), ['queued']);
      await refused('back to the queue while queued', () => lifecycle(shop.ownerToken, conversationId, 'transfer', { toStaffId: null }));

      // queued → assigned: the owner claims it.
      assert.equal((await lifecycle(shop.ownerToken, conversationId, 'claim')).status, 200);
      assert.deepEqual((await inquiriesOf(conversationId)).map((i) => [i.status, i.assignee_id]), [['assigned', shop.ownerId]]);
      assert.equal((await loads())[shop.ownerId], 1);
      await refused('a claim of an assigned inquiry', () => lifecycle(shop.agentToken, conversationId, 'claim'));

      // assigned → assigned: to a colleague; the owner's capacity goes back, the agent's is taken.
      assert.equal((await lifecycle(shop.ownerToken, conversationId, 'transfer', { toStaffId: shop.agentId })).status, 200);
      assert.deepEqual((await inquiriesOf(conversationId)).map((i) => [i.status, i.assignee_id]), [['assigned', shop.agentId]]);
      assert.deepEqual(await loads(), { [shop.ownerId]: 0, [shop.agentId]: 1 });

      // assigned → queued: handed back, never straight back to who returned it.
      assert.equal((await lifecycle(shop.agentToken, conversationId, 'transfer', { toStaffId: null })).status, 200);
      assert.deepEqual((await inquiriesOf(conversationId)).map((i) => [i.status, i.skip_agent_id]), [['queued', shop.agentId]]);
      assert.deepEqual(await loads(), { [shop.ownerId]: 0, [shop.agentId]: 0 });

      // queued → assigned by routing: a change of strategy runs the queue (a routing reaction).
      await setRouting(server, shop, 'least-busy');
      await eventually('routing assigns it', async () => (await inquiriesOf(conversationId))[0]!.status === 'assigned');
      assert.deepEqual((await inquiriesOf(conversationId)).map((i) => i.assignee_id), [shop.ownerId], 'not to the agent who handed it back');
      await setRouting(server, shop, 'manual');

      // assigned → closed.
      assert.equal((await lifecycle(shop.ownerToken, conversationId, 'close')).status, 200);
      assert.deepEqual((await inquiriesOf(conversationId)).map((i) => [i.status, i.assignee_id]), [['closed', shop.ownerId]]);
      assert.deepEqual(await loads(), { [shop.ownerId]: 0, [shop.agentId]: 0 });
      await refused('closing a closed inquiry', () => lifecycle(shop.ownerToken, conversationId, 'close'));
      await refused('claiming a closed inquiry', () => lifecycle(shop.agentToken, conversationId, 'claim'));
      await refused('transferring a closed inquiry', () => lifecycle(shop.ownerToken, conversationId, 'transfer', { toStaffId: shop.agentId }));
      await refused('queueing a closed inquiry', () => lifecycle(shop.ownerToken, conversationId, 'transfer', { toStaffId: null }));

      // closed → a new inquiry, queued: the customer writes again, over HTTP.
      assert.equal((await send(server, customer.token, conversationId, 'one more thing')).status, 201);
      assert.deepEqual((await inquiriesOf(conversationId)).map((i) => i.status), ['closed', 'queued']);

      // queued → closed, without an agent.
      assert.equal((await lifecycle(shop.agentToken, conversationId, 'close')).status, 200);
      assert.deepEqual((await inquiriesOf(conversationId)).map((i) => [i.status, i.assignee_id]), [['closed', shop.ownerId], ['closed', null]]);
    });
  });
}
