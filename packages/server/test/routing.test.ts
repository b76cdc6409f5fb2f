import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Agent } from '@frontdesk/protocol';
import { call, createShop, setRouting, type ShopFixture } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { changed, routingPeople, ROUTING_TIMINGS, since, type Person } from './support/routing.ts';
import { nothing, rawAuthed, type RawClient } from './support/ws-client.ts';

const timings = ROUTING_TIMINGS;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Visitor {
  readonly customerId: string;
  readonly token: string;
  readonly conversationId: string;
  readonly ws: RawClient;
}

function systemMessage(client: RawClient, conversationId: string, pattern: RegExp, visibility: 'public' | 'internal' = 'public') {
  return client.next('message', (f) =>
    f.message.conversationId === conversationId && f.message.kind === 'system' && f.message.senderKind === 'system' &&
    f.message.visibility === visibility && pattern.test(f.message.text ?? ''));
}

for (const engine of engines) {
  describe(`routing on ${engine}`, () => {
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

    async function agents(token: string): Promise<Map<string, Agent>> {
      const reply = await call(server, 'GET', '/api/v1/agents', { token });
      assert.equal(reply.status, 200);
      return new Map((reply.body as Agent[]).map((a) => [a.staffId, a]));
    }

    const inquiries = (conversationId: string) =>
      server.storage.db.selectFrom('inquiries').selectAll().where('conversation_id', '=', conversationId).orderBy('created_at').orderBy('id').execute();

    async function capacity(shop: ShopFixture, staffId: string, value: number | null) {
      const reply = await call(server, 'PATCH', `/api/v1/staff/${staffId}`, { token: shop.ownerToken, body: { capacity: value } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
    }

    test('sticky-then-least-busy: a returning customer goes back to their agent while online, else to another', async () => {
      const shop = await createShop(server, 'Sticky', 'sticky-then-least-busy');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const b = await addAgent(shop, 'Bob');
      const aWs = await online(a);
      const c1 = await visitor(shop);
      const c2 = await visitor(shop);
      await say(c1.ws, c1.conversationId, 'first question');
      assert.equal((await changed(aWs, c1.conversationId, 'assigned')).conversation.assigneeId, a.id);
      await say(c2.ws, c2.conversationId, 'keeps A busy');
      assert.equal((await changed(aWs, c2.conversationId, 'assigned')).conversation.assigneeId, a.id);
      assert.equal((await act(a.token, c1.conversationId, 'close')).body.status, 'closed');

      const bWs = await online(b);
      const load = await agents(a.token);
      assert.deepEqual([load.get(a.id)?.openInquiries, load.get(b.id)?.openInquiries], [1, 0], 'B is less busy');
      let fresh = since(c1.ws);
      await say(c1.ws, c1.conversationId, 'me again');
      const back = await changed(c1.ws, c1.conversationId, 'assigned', fresh);
      assert.equal(back.conversation.assigneeId, a.id, 'sticky wins over least-busy');
      assert.equal((await inquiries(c1.conversationId)).length, 2);

      // A leaves for longer than the grace period: their open inquiry stays theirs (issue 22), the next one goes to B.
      await act(a.token, c1.conversationId, 'close');
      aWs.close();
      await bWs.next('presence', (f) => f.userId === a.id && f.status === 'offline');
      assert.deepEqual((await inquiries(c2.conversationId)).map((r) => [r.status, r.assignee_id]), [['assigned', a.id]]);
      fresh = since(c1.ws);
      await say(c1.ws, c1.conversationId, 'third time');
      assert.equal((await changed(c1.ws, c1.conversationId, 'assigned', fresh)).conversation.assigneeId, b.id);
      const rows = await inquiries(c1.conversationId);
      assert.deepEqual(rows.map((r) => [r.status, r.assignee_id]), [['closed', a.id], ['closed', a.id], ['assigned', b.id]]);
    });

    test('least-busy picks the agent with fewer inquiries; a full agent gets none, the customer waits with a position', async () => {
      const shop = await createShop(server, 'Least busy', 'least-busy');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const b = await addAgent(shop, 'Bea');
      const aWs = await online(a);
      const c1 = await visitor(shop);
      await say(c1.ws, c1.conversationId, 'one');
      assert.equal((await changed(aWs, c1.conversationId, 'assigned')).conversation.assigneeId, a.id);
      const bWs = await online(b);
      const c2 = await visitor(shop);
      await say(c2.ws, c2.conversationId, 'two');
      assert.equal((await changed(bWs, c2.conversationId, 'assigned')).conversation.assigneeId, b.id, 'B had fewer open inquiries');

      await capacity(shop, a.id, 1);
      await capacity(shop, b.id, 1);
      const load = await agents(a.token);
      assert.deepEqual([a.id, b.id].map((id) => [load.get(id)?.openInquiries, load.get(id)?.capacity]), [[1, 1], [1, 1]]);
      const c3 = await visitor(shop);
      await say(c3.ws, c3.conversationId, 'three');
      const queued = await c3.ws.next('queue', (f) => f.conversationId === c3.conversationId);
      assert.equal(queued.position, 1);
      await nothing(aWs, (f) => f.type === 'conversation' && f.conversation.id === c3.conversationId && f.change === 'assigned', 300);
      assert.deepEqual((await call(server, 'GET', `/api/v1/conversations/${c3.conversationId}/queue`, { token: c3.token })).body, { position: 1 });
      assert.equal((await inquiries(c3.conversationId))[0]?.status, 'queued');
      const phone = track(await rawAuthed(server, c3.token));
      assert.equal((await phone.next('queue')).position, 1, 'a queued customer is told their place on connect');

      assert.equal((await act(a.token, c1.conversationId, 'close')).status, 200);
      assert.equal((await changed(c3.ws, c3.conversationId, 'assigned')).conversation.assigneeId, a.id, 'the freed agent takes the queue');
      const after = await agents(a.token);
      assert.deepEqual([after.get(a.id)?.openInquiries, after.get(b.id)?.openInquiries], [1, 1]);
    });

    test('transfer: to a colleague with a staff-only note, back to the queue, never to an offline agent', async () => {
      const shop = await createShop(server, 'Transfers', 'manual');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const b = await addAgent(shop, 'Bill');
      const offline = await addAgent(shop, 'Olga');
      const aWs = await online(a);
      const bWs = await online(b);
      const c = await visitor(shop);
      await say(c.ws, c.conversationId, 'I want a refund');
      assert.equal((await act(a.token, c.conversationId, 'claim')).body.assigneeId, a.id);

      const moved = await act(a.token, c.conversationId, 'transfer', { toStaffId: b.id, note: 'VIP, handle with care' });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.deepEqual([moved.body.status, moved.body.assigneeId], ['assigned', b.id]);
      for (const ws of [aWs, bWs, c.ws]) assert.equal((await changed(ws, c.conversationId, 'transferred')).conversation.assigneeId, b.id);
      for (const ws of [aWs, bWs]) await systemMessage(ws, c.conversationId, /VIP, handle with care/, 'internal');
      await systemMessage(c.ws, c.conversationId, /transferred the conversation to Bill/);
      const noteRow = await server.storage.db.selectFrom('messages').selectAll().where('conversation_id', '=', c.conversationId)
        .where('visibility', '=', 'internal').executeTakeFirstOrThrow();
      assert.deepEqual([noteRow.kind, noteRow.sender_kind, noteRow.sender_id], ['system', 'system', null]);

      const marks = [since(aWs), since(c.ws)];
      const requeued = await act(b.token, c.conversationId, 'transfer', { toStaffId: null });
      assert.deepEqual([requeued.status, requeued.body.status, requeued.body.assigneeId], [200, 'queued', null]);
      for (const [i, ws] of [aWs, c.ws].entries()) assert.equal((await changed(ws, c.conversationId, 'queued', marks[i])).conversation.assigneeId, null);
      // Back to the queue is for staff only (issue 22): the customer keeps a calm waiting state.
      await systemMessage(aWs, c.conversationId, /returned the conversation to the queue/, 'internal');
      const refused = await act(a.token, c.conversationId, 'transfer', { toStaffId: offline.id });
      assert.deepEqual([refused.status, refused.body.error?.code], [409, 'AGENT_UNAVAILABLE']);
      const rows = await inquiries(c.conversationId);
      assert.deepEqual(rows.map((r) => [r.status, r.assignee_id]), [['queued', null]], 'the refused transfer changed nothing');
      const load = await agents(a.token);
      assert.deepEqual([a.id, b.id, offline.id].map((id) => load.get(id)?.openInquiries), [0, 0, 0], 'every unit of capacity returned');
      await nothing(c.ws, (f) => f.type === 'message' && (f.message.visibility === 'internal' || /VIP/.test(f.message.text ?? '')), 200);
    });

    test('invite: the colleague becomes a member, everyone is told, the assignee stays', async () => {
      const shop = await createShop(server, 'Invites', 'manual');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const b = await addAgent(shop, 'Ivy');
      const aWs = await online(a);
      const bWs = await online(b);
      const c = await visitor(shop);
      await say(c.ws, c.conversationId, 'complicated question');
      assert.equal((await act(a.token, c.conversationId, 'claim')).status, 200);
      const invited = await act(a.token, c.conversationId, 'invite', { staffId: b.id });
      assert.equal(invited.status, 200, JSON.stringify(invited.body));
      assert.deepEqual([invited.body.status, invited.body.assigneeId], ['assigned', a.id]);
      for (const ws of [aWs, bWs, c.ws]) {
        const event = await changed(ws, c.conversationId, 'invited');
        assert.equal(event.conversation.assigneeId, a.id);
      }
      await systemMessage(c.ws, c.conversationId, /invited Ivy/);
      const member = await server.storage.db.selectFrom('members').selectAll()
        .where('conversation_id', '=', c.conversationId).where('user_id', '=', b.id).executeTakeFirst();
      assert.deepEqual([member?.user_kind, member?.role], ['staff', 'agent']);
      assert.deepEqual((await inquiries(c.conversationId)).map((r) => [r.status, r.assignee_id]), [['assigned', a.id]]);
    });

    test('close and reopen: a new inquiry per return, and the console views list the right conversations', async () => {
      const shop = await createShop(server, 'Views', 'least-busy');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const aWs = await online(a);
      const c1 = await visitor(shop);
      await say(c1.ws, c1.conversationId, 'hi');
      await changed(aWs, c1.conversationId, 'assigned');
      const closed = await act(a.token, c1.conversationId, 'close');
      assert.deepEqual([closed.status, closed.body.status], [200, 'closed']);
      for (const ws of [aWs, c1.ws]) await changed(ws, c1.conversationId, 'closed');
      await systemMessage(c1.ws, c1.conversationId, /closed the conversation/);

      const fresh = since(c1.ws);
      await say(c1.ws, c1.conversationId, 'one more thing');
      await changed(c1.ws, c1.conversationId, 'queued', fresh);
      assert.equal((await changed(c1.ws, c1.conversationId, 'assigned', fresh)).conversation.assigneeId, a.id);
      const queuedAt = c1.ws.frames.findIndex((f) => fresh(f) && f.type === 'conversation' && f.change === 'queued');
      const assignedAt = c1.ws.frames.findIndex((f) => fresh(f) && f.type === 'conversation' && f.change === 'assigned');
      assert.ok(queuedAt < assignedAt, 'queued, then assigned');
      assert.deepEqual((await inquiries(c1.conversationId)).map((r) => r.status), ['closed', 'assigned']);
      await act(a.token, c1.conversationId, 'close');

      const c2 = await visitor(shop);
      await say(c2.ws, c2.conversationId, 'mine');
      await changed(aWs, c2.conversationId, 'assigned');
      await capacity(shop, a.id, 1);
      const c3 = await visitor(shop);
      await say(c3.ws, c3.conversationId, 'waiting');
      await c3.ws.next('queue');
      const view = async (name: string) => {
        const reply = await call(server, 'GET', `/api/v1/conversations?view=${name}`, { token: a.token });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        return (reply.body.items as { id: string }[]).map((i) => i.id).sort();
      };
      assert.deepEqual(await view('closed'), [c1.conversationId]);
      assert.deepEqual(await view('mine'), [c2.conversationId]);
      assert.deepEqual(await view('queue'), [c3.conversationId]);
      assert.deepEqual(await view('open'), [c2.conversationId, c3.conversationId].sort());
    });

    test('the reassignment policy leaves an answered inquiry and one whose agent is online alone', async () => {
      const shop = await createShop(server, 'Reassign', 'least-busy');
      await setRouting(server, shop, 'least-busy', { autoReassignSeconds: 1 });
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const b = await addAgent(shop, 'Ben');
      const ws = new Map([[a.id, await online(a)], [b.id, await online(b)]]);
      const c1 = await visitor(shop);
      await say(c1.ws, c1.conversationId, 'anyone?');
      const first = (await changed(c1.ws, c1.conversationId, 'assigned')).conversation.assigneeId!;
      const c2 = await visitor(shop);
      await say(c2.ws, c2.conversationId, 'quick one');
      const owner = (await changed(c2.ws, c2.conversationId, 'assigned')).conversation.assigneeId!;
      await say(ws.get(owner)!, c2.conversationId, 'Right here.');
      // The agent who answered goes away: the customer is not waiting, nothing moves.
      ws.get(owner)!.send({ type: 'presence', id: 'away', status: 'away' });
      await ws.get(owner)!.next('presence', (f) => f.id === 'away');
      const settled = [since(c1.ws), since(c2.ws)] as const;
      await sleep(1_500);
      await nothing(c1.ws, (f) => settled[0](f) && f.type === 'conversation', 0);
      await nothing(c2.ws, (f) => settled[1](f) && f.type === 'conversation', 0);
      if (owner !== first) assert.deepEqual((await inquiries(c1.conversationId)).map((r) => [r.status, r.assignee_id]), [['assigned', first]]);
      const answered = (await inquiries(c2.conversationId))[0]!;
      assert.deepEqual([answered.status, answered.assignee_id], ['assigned', owner]);
      assert.notEqual(answered.first_response_at, null);
    });

    test('presence: a reconnect within the grace period changes nothing; a longer absence keeps the assignment; away takes nothing new', async () => {
      const shop = await createShop(server, 'Presence', 'least-busy');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const b = await addAgent(shop, 'Bo');
      const aWs = await online(a);
      const c1 = await visitor(shop);
      await say(c1.ws, c1.conversationId, 'hello');
      await changed(aWs, c1.conversationId, 'assigned');
      const bWs = await online(b);
      const quiet = since(c1.ws);

      aWs.close();
      await aWs.closed;
      await sleep(100);
      const aBack = track(await rawAuthed(server, a.token));
      await sleep(600);
      await nothing(bWs, (f) => f.type === 'presence' && f.userId === a.id && f.status === 'offline', 0);
      await nothing(c1.ws, (f) => quiet(f) && f.type === 'conversation', 0);
      assert.equal((await agents(b.token)).get(a.id)?.presence, 'online');
      assert.deepEqual((await inquiries(c1.conversationId)).map((r) => [r.status, r.assignee_id]), [['assigned', a.id]]);

      aBack.close();
      await bWs.next('presence', (f) => f.userId === a.id && f.status === 'offline');
      await sleep(300);
      // Offline keeps what they had (issue 22): nothing moves, the customer reads nothing.
      assert.deepEqual((await inquiries(c1.conversationId)).map((r) => [r.status, r.assignee_id]), [['assigned', a.id]]);
      await nothing(c1.ws, (f) => quiet(f) && (f.type === 'conversation' || f.type === 'message'), 0);

      bWs.send({ type: 'presence', id: 'away', status: 'away' });
      assert.equal((await bWs.next('presence', (f) => f.id === 'away')).status, 'away');
      assert.equal((await agents(b.token)).get(b.id)?.presence, 'away');
      const c2 = await visitor(shop);
      await say(c2.ws, c2.conversationId, 'anyone there?');
      await c2.ws.next('queue');
      await nothing(bWs, (f) => f.type === 'conversation' && f.conversation.id === c2.conversationId && f.change === 'assigned', 400);
      bWs.send({ type: 'presence', id: 'back', status: 'online' });
      await bWs.next('presence', (f) => f.id === 'back');
      assert.equal((await changed(c2.ws, c2.conversationId, 'assigned')).conversation.assigneeId, b.id);
    });

    test('devices restored after the node was taken for dead: an away device stays away, and none comes back for a socket that closed meanwhile', async () => {
      const shop = await createShop(server, 'Restore', 'least-busy');
      const team = [{ id: shop.agentId, token: shop.agentToken }, await addAgent(shop, 'Cy'), await addAgent(shop, 'Di')];
      // Three devices each; presence is told once per agent, so only the first waits for it.
      const sockets: RawClient[] = [];
      for (const agent of team) sockets.push(await online(agent), track(await rawAuthed(server, agent.token)), track(await rawAuthed(server, agent.token)));
      const devices = async () =>
        (await server.storage.db.selectFrom('agent_devices').select(['staff_id', 'away']).where('shop_id', '=', shop.shopId).execute()).map((d) => [d.staff_id, Number(d.away)]);
      await eventually('nine devices', async () => (await devices()).length === 9, 5_000);
      sockets[0]!.send({ type: 'presence', id: 'away', status: 'away' });
      await sockets[0]!.next('presence', (f) => f.id === 'away');
      // What the other nodes do to a node they took for dead: its devices dropped.
      await server.storage.db.deleteFrom('agent_devices').where('shop_id', '=', shop.shopId).execute();
      const restoring = server.app.gateway.restoreDevices();
      // Sockets closing while their devices are written back.
      for (const index of [1, 4, 7, 8]) sockets[index]!.close();
      await restoring;
      await Promise.all([1, 4, 7, 8].map((index) => sockets[index]!.closed));
      await eventually('five devices', async () => (await devices()).length === 5, 5_000);
      await sleep(300); // sweeps refresh what is recorded; nothing comes back
      const left = await devices();
      assert.equal(left.length, 5, JSON.stringify(left));
      assert.deepEqual(left.filter(([, away]) => away === 1), [[team[0]!.id, 1]], 'the away device is restored away');
      assert.deepEqual(new Set(left.map(([staffId]) => staffId)), new Set([team[0]!.id, team[1]!.id, team[2]!.id]));
    });

    test('manual: nothing is assigned automatically; of two simultaneous claims exactly one wins; claims are tenant- and role-checked', async () => {
      const shop = await createShop(server, 'Manual', 'manual');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const b = await addAgent(shop, 'Max');
      const aWs = await online(a);
      await online(b);
      const c = await visitor(shop);
      await say(c.ws, c.conversationId, 'help');
      await changed(aWs, c.conversationId, 'queued');
      await nothing(aWs, (f) => f.type === 'conversation' && f.change === 'assigned', 300);
      assert.equal((await inquiries(c.conversationId))[0]?.status, 'queued');

      const customerClaim = await act(c.token, c.conversationId, 'claim');
      assert.deepEqual([customerClaim.status, customerClaim.body.error?.code], [403, 'FORBIDDEN']);
      const other = await createShop(server, 'Elsewhere', 'manual');
      const foreign = await act(other.agentToken, c.conversationId, 'claim');
      assert.deepEqual([foreign.status, foreign.body.error?.code], [404, 'CONVERSATION_NOT_FOUND']);

      const replies = await Promise.all([act(a.token, c.conversationId, 'claim'), act(b.token, c.conversationId, 'claim')]);
      assert.deepEqual(replies.map((r) => r.status).sort(), [200, 409]);
      const winner = replies.find((r) => r.status === 200)!;
      assert.equal(replies.find((r) => r.status === 409)!.body.error?.code, 'INVALID_TRANSITION');
      const winnerId = winner.body.assigneeId as string;
      assert.ok([a.id, b.id].includes(winnerId));
      assert.equal((await changed(c.ws, c.conversationId, 'assigned')).conversation.assigneeId, winnerId);
      const load = await agents(a.token);
      assert.deepEqual([a.id, b.id].map((id) => load.get(id)?.openInquiries), [a.id, b.id].map((id) => (id === winnerId ? 1 : 0)));
      assert.deepEqual((await inquiries(c.conversationId)).map((r) => [r.status, r.assignee_id]), [['assigned', winnerId]]);
    });

    test('a customer put back in the queue is told their position again', async () => {
      const shop = await createShop(server, 'Requeue position', 'manual');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      await online(a);
      const c = await visitor(shop);
      await say(c.ws, c.conversationId, 'hello');
      assert.equal((await c.ws.next('queue')).position, 1);
      assert.equal((await act(a.token, c.conversationId, 'claim')).status, 200);
      const mark = since(c.ws);
      assert.equal((await act(a.token, c.conversationId, 'transfer', { toStaffId: null })).status, 200);
      assert.deepEqual((await call(server, 'GET', `/api/v1/conversations/${c.conversationId}/queue`, { token: c.token })).body, { position: 1 });
      const again = await c.ws.next('queue', (f) => mark(f) && f.conversationId === c.conversationId, 800);
      assert.equal(again.position, 1);
    });

    test('an inquiry no online agent may take does not hold up the ones behind it', async () => {
      const shop = await createShop(server, 'Head of line', 'least-busy');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const aWs = await online(a);
      const c1 = await visitor(shop);
      const mark = since(c1.ws);
      await say(c1.ws, c1.conversationId, 'handed back');
      await changed(c1.ws, c1.conversationId, 'assigned', mark);
      // A hands c1 back: it may not return to A, the only agent online.
      assert.equal((await act(a.token, c1.conversationId, 'transfer', { toStaffId: null })).status, 200);
      await systemMessage(aWs, c1.conversationId, /returned the conversation to the queue/, 'internal');
      const load = (await agents(a.token)).get(a.id)!;
      assert.deepEqual([load.presence, load.openInquiries, load.capacity], ['online', 0, 5], 'A has room');
      const c2 = await visitor(shop);
      await say(c2.ws, c2.conversationId, 'a new customer');
      assert.equal((await changed(c2.ws, c2.conversationId, 'assigned', () => true, 800)).conversation.assigneeId, a.id);
      assert.deepEqual((await inquiries(c1.conversationId)).map((r) => [r.status, r.assignee_id]), [['queued', null]]);
    });

    test('agent statistics: inquiries, closed and first response per agent, for owners only', async () => {
      const shop = await createShop(server, 'Stats', 'manual');
      const a: Person = { id: shop.agentId, token: shop.agentToken };
      const b = await addAgent(shop, 'Sam');
      const aWs = await online(a);
      await online(b);
      const stats = async () => {
        const reply = await call(server, 'GET', '/api/v1/stats/agents', { token: shop.ownerToken });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        return new Map((reply.body as { staffId: string }[]).map((s) => [s.staffId, s as Record<string, unknown>]));
      };
      const c1 = await visitor(shop);
      await say(c1.ws, c1.conversationId, 'question one');
      assert.equal((await act(a.token, c1.conversationId, 'claim')).status, 200);
      assert.deepEqual((await stats()).get(a.id), { staffId: a.id, inquiries: 1, closed: 0, avgFirstResponseMs: null, avgHandlingMs: null });
      await sleep(20);
      await say(aWs, c1.conversationId, 'answer one');
      assert.equal((await act(a.token, c1.conversationId, 'close')).status, 200);
      const c2 = await visitor(shop);
      await say(c2.ws, c2.conversationId, 'question two');
      assert.equal((await act(b.token, c2.conversationId, 'claim')).status, 200);

      const all = await stats();
      const ofA = all.get(a.id)!;
      assert.deepEqual([ofA.inquiries, ofA.closed], [1, 1]);
      assert.ok(typeof ofA.avgFirstResponseMs === 'number' && ofA.avgFirstResponseMs >= 20, `first response ${ofA.avgFirstResponseMs}`);
      assert.ok(typeof ofA.avgHandlingMs === 'number' && ofA.avgHandlingMs >= 0);
      assert.deepEqual(all.get(b.id), { staffId: b.id, inquiries: 1, closed: 0, avgFirstResponseMs: null, avgHandlingMs: null });
      const byAgent = await call(server, 'GET', '/api/v1/stats/agents', { token: a.token });
      assert.deepEqual([byAgent.status, byAgent.body.error?.code], [403, 'FORBIDDEN']);
    });
  });
}
