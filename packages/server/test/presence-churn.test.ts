/**
 * Issue 22, item 1: presence churn never reaches customers. Going offline keeps the assignment; only
 * the shop's policy (unanswered while the assignee is away or offline) moves a conversation, once,
 * to an online colleague and never back; a transfer is not undone; queue positions only go down.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ServerFrame } from '@frontdesk/protocol';
import { call, createShop, setRouting } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { changed, routingPeople, ROUTING_TIMINGS, since, type Person } from './support/routing.ts';
import { nothing, type RawClient } from './support/ws-client.ts';

const timings = ROUTING_TIMINGS;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


for (const engine of engines) {
  describe(`presence churn on ${engine}`, () => {
    let server: TestServer;
    const sockets: RawClient[] = [];

    before(async () => {
      server = await startServer(engine, timings);
    });
    after(async () => {
      sockets.forEach((s) => s.close());
      await server.close();
    });

    const { track, addAgent, online, visitor, say } = routingPeople(() => server, sockets);

    const act = (token: string, conversationId: string, action: string, body?: unknown) =>
      call(server, 'POST', `/api/v1/conversations/${conversationId}/${action}`, { token, ...(body !== undefined && { body }) });

    const inquiries = async (conversationId: string) =>
      (await server.storage.db.selectFrom('inquiries').select(['status', 'assignee_id']).where('conversation_id', '=', conversationId).execute()).map((r) => [r.status, r.assignee_id]);

    const presenceOf = async (token: string, staffId: string) =>
      ((await call(server, 'GET', '/api/v1/agents', { token })).body as Array<{ staffId: string; presence: string; openInquiries: number }>).find((a) => a.staffId === staffId);

    const calm = async (token: string, conversationId: string) => {
      const team = await call(server, 'GET', `/api/v1/conversations/${conversationId}/team`, { token });
      return [team.body.available, team.body.assigneeAway];
    };

    /** What a customer would read that is not their own: system lines and conversation moves. */
    const churn = (mark: (f: ServerFrame) => boolean) => (f: ServerFrame) =>
      mark(f) && ((f.type === 'message' && f.message.kind === 'system') || f.type === 'conversation' || f.type === 'queue');

    test('an agent gone for longer than the grace period keeps the conversation; the customer reads nothing new', async () => {
      const shop = await createShop(server, 'Keeps', 'least-busy');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const b = await addAgent(shop, 'Bea');
      const aWs = await online(a);
      const c = await visitor(shop);
      await say(c.ws, c.conversationId, 'hello');
      assert.equal((await changed(c.ws, c.conversationId, 'assigned')).conversation.assigneeId, a.id);
      const bWs = await online(b);
      const quiet = since(c.ws);

      aWs.close();
      await bWs.next('presence', (f) => f.userId === a.id && f.status === 'offline');
      await sleep(500); // several sweeps after the grace period
      assert.deepEqual(await inquiries(c.conversationId), [['assigned', a.id]]);
      assert.deepEqual(await presenceOf(b.token, a.id), { staffId: a.id, presence: 'offline', openInquiries: 1, capacity: 5, name: 'Agent', role: 'agent' });
      await nothing(c.ws, churn(quiet), 0);
      await nothing(bWs, (f) => f.type === 'conversation' && f.conversation.id === c.conversationId && f.change !== 'updated', 0);
      const view = await call(server, 'GET', `/api/v1/conversations/${c.conversationId}`, { token: b.token });
      assert.deepEqual([view.body.status, view.body.assigneeId], ['assigned', a.id]);
      // The widget's calm state: someone is online, but the customer's agent is away.
      assert.deepEqual(await calm(c.token, c.conversationId), [true, true]);

      // Back again: still theirs, still quiet.
      await online(a);
      await sleep(300);
      assert.deepEqual(await inquiries(c.conversationId), [['assigned', a.id]]);
      assert.deepEqual(await calm(c.token, c.conversationId), [true, false]);
      await nothing(c.ws, churn(quiet), 0);
    });

    test('the policy: unanswered while the assignee is away moves once to an online colleague, never back, staff-only', async () => {
      const shop = await createShop(server, 'Policy', 'least-busy');
      await setRouting(server, shop, 'least-busy', { autoReassignSeconds: 1 });
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const b = await addAgent(shop, 'Ben');
      const ws = new Map([[a.id, await online(a)], [b.id, await online(b)]]);
      const c = await visitor(shop);
      const mark = since(c.ws);
      await say(c.ws, c.conversationId, 'anyone?');
      const first = (await changed(c.ws, c.conversationId, 'assigned')).conversation.assigneeId!;
      const other = first === a.id ? b.id : a.id;
      // Online but silent: the policy waits for an absence.
      await sleep(1_400);
      assert.deepEqual(await inquiries(c.conversationId), [['assigned', first]]);

      const firstWs = ws.get(first)!;
      const staffMark = since(ws.get(other)!);
      firstWs.send({ type: 'presence', id: 'away', status: 'away' });
      await firstWs.next('presence', (f) => f.id === 'away');
      const moved = await changed(c.ws, c.conversationId, 'transferred', mark, 4_000);
      assert.equal(moved.conversation.assigneeId, other);
      const line = await ws.get(other)!.next('message', (f) => staffMark(f) && f.message.conversationId === c.conversationId && f.message.kind === 'system');
      assert.equal(line.message.visibility, 'internal');
      assert.deepEqual(line.message.notice, { code: 'inquiry.reassigned', actorId: null, userIds: [first, other] });
      // The customer saw who answered first and nothing of the move.
      const seen = c.ws.frames.filter((f) => mark(f) && f.type === 'message' && f.message.kind === 'system').map((f) => f.type === 'message' && f.message.notice?.code);
      assert.deepEqual(seen, ['inquiry.assigned']);

      // Now the colleague is away and the first agent back: it never goes back.
      const otherWs = ws.get(other)!;
      otherWs.send({ type: 'presence', id: 'away2', status: 'away' });
      await otherWs.next('presence', (f) => f.id === 'away2');
      firstWs.send({ type: 'presence', id: 'back', status: 'online' });
      await firstWs.next('presence', (f) => f.id === 'back');
      await sleep(1_500);
      assert.deepEqual(await inquiries(c.conversationId), [['assigned', other]]);
      assert.equal(c.ws.frames.filter((f) => mark(f) && f.type === 'conversation' && f.change === 'transferred').length, 1, 'moved once');
    });

    test('a transfer to a colleague is never undone by the system, even when the colleague goes offline', async () => {
      const shop = await createShop(server, 'Transfer', 'manual');
      await setRouting(server, shop, 'manual', { autoReassignSeconds: 1 });
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const b = await addAgent(shop, 'Cat');
      await online(a);
      const bWs = await online(b);
      const c = await visitor(shop);
      await say(c.ws, c.conversationId, 'a question');
      assert.equal((await act(a.token, c.conversationId, 'claim')).status, 200);
      assert.equal((await act(a.token, c.conversationId, 'transfer', { toStaffId: b.id })).status, 200);
      const mark = since(c.ws);
      bWs.close();
      await sleep(1_800); // past the grace period and the policy's second
      assert.deepEqual(await inquiries(c.conversationId), [['assigned', b.id]]);
      assert.equal((await presenceOf(a.token, b.id))?.presence, 'offline');
      await nothing(c.ws, churn(mark), 0);
    });

    test('queue positions only go down: an agent going offline with conversations puts nobody back in front', async () => {
      const shop = await createShop(server, 'Positions', 'manual');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const b = await addAgent(shop, 'Dan');
      const aWs = await online(a);
      await online(b);
      const held = await visitor(shop);
      await say(held.ws, held.conversationId, 'first');
      await held.ws.next('queue');
      assert.equal((await act(a.token, held.conversationId, 'claim')).status, 200);
      const waiting = [await visitor(shop), await visitor(shop)];
      for (const [index, w] of waiting.entries()) {
        await say(w.ws, w.conversationId, `waiting ${index}`);
        assert.equal((await w.ws.next('queue')).position, index + 1);
      }
      const marks = waiting.map((w) => since(w.ws));
      aWs.close();
      await sleep(900);
      for (const [index, w] of waiting.entries()) {
        assert.deepEqual((await call(server, 'GET', `/api/v1/conversations/${w.conversationId}/queue`, { token: w.token })).body, { position: index + 1 });
        await nothing(w.ws, (f) => marks[index]!(f) && f.type === 'queue', 0);
      }
      assert.deepEqual(await inquiries(held.conversationId), [['assigned', a.id]]);
      // A colleague hands the held conversation back: it joins the end of the queue, nobody moves down.
      assert.equal((await act(b.token, held.conversationId, 'transfer', { toStaffId: null })).status, 200);
      assert.equal((await held.ws.next('queue', (f) => f.conversationId === held.conversationId && f.position !== 1)).position, 3);
      for (const [index, w] of waiting.entries()) {
        assert.deepEqual((await call(server, 'GET', `/api/v1/conversations/${w.conversationId}/queue`, { token: w.token })).body, { position: index + 1 });
      }
      // Served from the front: the others move up, never down.
      assert.equal((await act(b.token, waiting[0]!.conversationId, 'claim')).status, 200);
      assert.equal((await waiting[1]!.ws.next('queue', (f) => marks[1]!(f))).position, 1);
      assert.equal((await held.ws.next('queue', (f) => f.conversationId === held.conversationId && f.position === 2)).position, 2);
      for (const [index, w] of waiting.entries()) await nothing(w.ws, (f) => marks[index]!(f) && f.type === 'queue' && f.position > index + 1, 0);
    });

    test('a disabled agent hands their conversations back to the queue, with a line for staff only', async () => {
      const shop = await createShop(server, 'Disabled', 'manual');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      await online(a);
      const c = await visitor(shop);
      await say(c.ws, c.conversationId, 'hi');
      assert.equal((await act(a.token, c.conversationId, 'claim')).status, 200);
      const mark = since(c.ws);
      assert.equal((await call(server, 'PATCH', `/api/v1/staff/${a.id}`, { token: shop.ownerToken, body: { disabled: true } })).status, 200);
      await changed(c.ws, c.conversationId, 'queued', mark, 4_000);
      assert.deepEqual(await inquiries(c.conversationId), [['queued', null]]);
      const lines = await server.storage.db.selectFrom('messages').select(['visibility', 'notice']).where('conversation_id', '=', c.conversationId).where('kind', '=', 'system').execute();
      assert.deepEqual(lines.map((l) => [l.visibility, JSON.parse(l.notice!).code]), [['public', 'inquiry.assigned'], ['internal', 'inquiry.queued']]);
      await nothing(c.ws, (f) => mark(f) && f.type === 'message', 0);

      // Disabled while already offline: the sweep of a node with the shop's staff hands it back too.
      const b = await addAgent(shop, 'Eve');
      const bWs = await online(b);
      assert.equal((await act(b.token, c.conversationId, 'claim')).status, 200);
      bWs.close();
      await sleep(900); // offline, still holding it
      assert.deepEqual(await inquiries(c.conversationId), [['assigned', b.id]]);
      assert.equal((await call(server, 'PATCH', `/api/v1/staff/${b.id}`, { token: shop.ownerToken, body: { disabled: true } })).status, 200);
      const owner = await online({ id: shop.ownerId, token: shop.ownerToken });
      await changed(owner, c.conversationId, 'queued', () => true, 4_000);
      assert.deepEqual(await inquiries(c.conversationId), [['queued', null]]);
    });

    test('the sweep looks for shops with work in one go: a queue, or an inquiry held by disabled staff; only the shops asked about', async () => {
      const idle = await createShop(server, 'Idle', 'manual');
      const waiting = await createShop(server, 'Waiting', 'manual');
      const w = await visitor(waiting);
      await say(w.ws, w.conversationId, 'anyone?');
      await eventually('the waiting shop’s inquiry', async () => JSON.stringify(await inquiries(w.conversationId)) === JSON.stringify([['queued', null]]));
      const held = await createShop(server, 'Held', 'manual');
      const aWs = await online({ id: held.agentId, token: held.agentToken });
      const h = await visitor(held);
      await say(h.ws, h.conversationId, 'hi');
      assert.equal((await act(held.agentToken, h.conversationId, 'claim')).status, 200);
      aWs.close();
      // Once no one of the shop is on this node, its sweep leaves the shop alone; then the agent is
      // disabled behind the domain's back (as by another node), which only a look like this finds.
      const devices = () => server.storage.db.selectFrom('agent_devices').select('id').where('staff_id', '=', held.agentId).execute();
      await eventually('the agent’s device gone', async () => (await devices()).length === 0);
      await server.storage.db.updateTable('staff').set({ disabled_at: Date.now() }).where('id', '=', held.agentId).execute();

      const work = await server.app.store.routing.sweepable([idle.shopId, waiting.shopId, held.shopId]);
      assert.deepEqual([[...work.queued], [...work.heldByDisabled]], [[waiting.shopId], [held.shopId]]);
      const other = await server.app.store.routing.sweepable([idle.shopId]);
      assert.deepEqual([other.queued.size, other.heldByDisabled.size], [0, 0]);
      const none = await server.app.store.routing.sweepable([]);
      assert.deepEqual([none.queued.size, none.heldByDisabled.size], [0, 0]);
    });
  });
}
