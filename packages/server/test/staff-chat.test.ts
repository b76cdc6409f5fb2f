import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Group, Message, TeamDirectory } from '@frontdesk/protocol';
import { call, createShop, openWidget, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { nothing, rawAuthed, type RawClient } from './support/ws-client.ts';

/** Staff chat end to end (docs/staff-chat.md): direct chats, groups and their notices, mute, mentions, edits, broadcasts. */
for (const engine of engines) {
  describe(`staff chat on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    const sockets: RawClient[] = [];
    const password = 'correct horse battery staple';

    before(async () => {
      server = await startServer(engine, { GROUP_MEMBER_LIMIT: '4' });
      shop = await createShop(server, 'Team');
    });
    after(async () => {
      sockets.forEach((s) => s.close());
      await server.close();
    });

    /** A colleague in the shop, signed in. */
    async function colleague(name: string, role: 'agent' | 'admin' = 'agent') {
      const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.test`;
      const { staff } = await server.app.services.staff.createInShop(shop.shopId, { email, name, role, password });
      return { id: staff.id, email, token: await login(email) };
    }
    async function login(email: string): Promise<string> {
      const reply = await call(server, 'POST', '/api/v1/auth/login', { body: { email, password } });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.token;
    }
    async function connect(token: string): Promise<RawClient> {
      const socket = await rawAuthed(server, token);
      sockets.push(socket);
      return socket;
    }
    const ok = <T = any>(reply: { status: number; body: T }, status = 200): T => {
      assert.equal(reply.status, status, JSON.stringify(reply.body));
      return reply.body;
    };
    const say = (token: string, conversationId: string, text: string, extra: Record<string, unknown> = {}) =>
      call(server, 'POST', `/api/v1/conversations/${conversationId}/messages`, { token, body: { clientMsgId: randomUUID(), text, ...extra } });
    const history = async (token: string, conversationId: string): Promise<Message[]> =>
      ok(await call(server, 'GET', `/api/v1/conversations/${conversationId}/messages?limit=100`, { token })).items;
    const team = async (token: string): Promise<TeamDirectory> => ok(await call(server, 'GET', '/api/v1/team', { token }));

    test('the direct chat of a pair is one conversation, even under 20 concurrent first opens from both sides', async () => {
      const a = await colleague('Ana');
      const b = await colleague('Bo');
      const opens = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0
            ? call(server, 'POST', '/api/v1/direct', { token: a.token, body: { staffId: b.id } })
            : call(server, 'POST', '/api/v1/direct', { token: b.token, body: { staffId: a.id } }),
        ),
      );
      const ids = new Set(opens.map((reply) => ok(reply).id));
      assert.equal(ids.size, 1, 'one conversation');
      const [id] = [...ids];
      assert.equal(opens[0]!.body.kind, 'direct');
      const count = await server.storage.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'direct').where('shop_id', '=', shop.shopId).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 1);

      // Both ways, live: b's socket gets a's message, a's socket gets b's answer.
      const [sa, sb] = [await connect(a.token), await connect(b.token)];
      ok(await say(a.token, id!, 'hello Bo'), 201);
      assert.equal((await sb.next('message', (f) => f.message.conversationId === id)).message.text, 'hello Bo');
      ok(await say(b.token, id!, 'hi Ana'), 201);
      // a's socket has a's own message too (every device of every member), then b's answer.
      assert.deepEqual([(await sa.next('message')).message.text, (await sa.next('message')).message.text], ['hello Bo', 'hi Ana']);

      // Recent contacts: the chat with its peer and unread count; colleagues with presence.
      const seen = await team(a.token);
      const chat = seen.chats.find((c) => c.conversation.id === id);
      assert.equal(chat?.peerId, b.id);
      assert.equal(chat?.conversation.unread, 1);
      assert.equal(chat?.conversation.lastMessage?.preview, 'hi Ana');
      assert.ok(seen.colleagues.some((c) => c.id === b.id && c.presence === 'online'), JSON.stringify(seen.colleagues));
      assert.ok(!seen.colleagues.some((c) => c.id === a.id), 'not oneself');

      // Not with oneself, not with a stranger.
      assert.equal((await call(server, 'POST', '/api/v1/direct', { token: a.token, body: { staffId: a.id } })).status, 400);
      const other = await createShop(server, 'Elsewhere');
      assert.deepEqual((await call(server, 'POST', '/api/v1/direct', { token: a.token, body: { staffId: other.agentId } })).body.error.code, 'STAFF_NOT_FOUND');
    });

    test('group: creation, rename, additions, removal and leaving write notices every member sees; the owner hands over', async () => {
      const owner = await colleague('Olga');
      const m1 = await colleague('Max');
      const m2 = await colleague('Nia');
      const late = await colleague('Lev');
      const [so, s1] = [await connect(owner.token), await connect(m1.token)];

      const created: Group = ok(await call(server, 'POST', '/api/v1/groups', { token: owner.token, body: { title: 'Night shift', memberIds: [m1.id, m2.id] } }), 201);
      const id = created.conversation.id;
      assert.equal(created.ownerId, owner.id);
      assert.deepEqual(created.members.map((m) => [m.id, m.role]), [[owner.id, 'owner'], [m1.id, 'member'], [m2.id, 'member']]);
      assert.equal(created.memberLimit, 4);

      ok(await call(server, 'PATCH', `/api/v1/groups/${id}`, { token: m1.token, body: { title: 'Night owls' } }));
      ok(await call(server, 'POST', `/api/v1/groups/${id}/members`, { token: m2.token, body: { staffIds: [late.id, m1.id] } }));
      const full = await call(server, 'POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { staffIds: [(await colleague('Extra')).id] } });
      assert.deepEqual([full.status, full.body.error.code], [409, 'GROUP_FULL']);
      // An agent member may not remove; the owner may.
      assert.equal((await call(server, 'DELETE', `/api/v1/groups/${id}/members/${m2.id}`, { token: m1.token })).status, 403);
      assert.equal((await call(server, 'DELETE', `/api/v1/groups/${id}/members/${m2.id}`, { token: owner.token })).status, 204);
      // The owner leaves: the longest-standing member owns it now.
      assert.equal((await call(server, 'DELETE', `/api/v1/groups/${id}/members/${owner.id}`, { token: owner.token })).status, 204);

      const notices = (await history(m1.token, id)).filter((m) => m.kind === 'system').map((m) => m.notice);
      assert.deepEqual(
        notices.map((n) => [n?.code, n?.actorId, n?.userIds, n?.title]),
        [
          ['group.created', owner.id, [m1.id, m2.id], 'Night shift'],
          ['group.renamed', m1.id, [], 'Night owls'],
          ['members.added', m2.id, [late.id], undefined],
          ['member.removed', owner.id, [m2.id], undefined],
          ['member.left', owner.id, [owner.id], undefined],
          ['owner.changed', null, [m1.id], undefined],
        ],
      );
      const group: Group = ok(await call(server, 'GET', `/api/v1/groups/${id}`, { token: m1.token }));
      assert.equal(group.conversation.title, 'Night owls');
      assert.equal(group.ownerId, m1.id);
      assert.deepEqual(group.members.map((m) => m.id).sort(), [m1.id, late.id].sort());

      // Live: m1 saw every notice; the owner, who left, saw the notice of their leaving and the removal event, nothing after.
      for (const code of ['group.renamed', 'members.added', 'member.removed', 'member.left', 'owner.changed']) {
        await s1.next('message', (f) => f.message.notice?.code === code);
      }
      await so.next('message', (f) => f.message.notice?.code === 'member.left');
      const gone = await so.next('conversation', (f) => f.change === 'removed' && f.userId === owner.id);
      assert.equal(gone.conversation.id, id);
      await nothing(so, (f) => f.type === 'message' && f.message.notice?.code === 'owner.changed');
      // Those who left can read it no more.
      for (const token of [owner.token, m2.token]) assert.equal((await call(server, 'GET', `/api/v1/conversations/${id}/messages`, { token })).status, 404);
      assert.equal((await say(m2.token, id, 'still here?')).status, 404);
    });

    test('the owner names admins: an admin removes members and mentions @all; an agent member names nobody', async () => {
      const owner = await colleague('Oda');
      const helper = await colleague('Hal');
      const other = await colleague('Ola');
      const group: Group = ok(await call(server, 'POST', '/api/v1/groups', { token: owner.token, body: { title: 'Admins', memberIds: [helper.id, other.id] } }), 201);
      const id = group.conversation.id;
      const refused = await call(server, 'PATCH', `/api/v1/groups/${id}/members/${other.id}`, { token: helper.token, body: { role: 'admin' } });
      assert.deepEqual([refused.status, refused.body.error.code], [403, 'FORBIDDEN']);
      assert.equal((await call(server, 'DELETE', `/api/v1/groups/${id}/members/${other.id}`, { token: helper.token })).status, 403);
      assert.equal((await say(helper.token, id, '@all', { mentions: ['all'] })).status, 403);

      const named: Group = ok(await call(server, 'PATCH', `/api/v1/groups/${id}/members/${helper.id}`, { token: owner.token, body: { role: 'admin' } }));
      assert.equal(named.members.find((m) => m.id === helper.id)?.role, 'admin');
      assert.equal((await say(helper.token, id, '@all listen', { mentions: ['all'] })).status, 201);
      assert.equal((await call(server, 'DELETE', `/api/v1/groups/${id}/members/${other.id}`, { token: helper.token })).status, 204);
      // The owner's role is not for changing here, and a stranger is not a member.
      assert.equal((await call(server, 'PATCH', `/api/v1/groups/${id}/members/${owner.id}`, { token: owner.token, body: { role: 'member' } })).body.error.code, 'STAFF_NOT_FOUND');
      assert.equal((await call(server, 'PATCH', `/api/v1/groups/${id}/members/${other.id}`, { token: owner.token, body: { role: 'admin' } })).body.error.code, 'STAFF_NOT_FOUND');
      // Back to member: the rights go with the role.
      ok(await call(server, 'PATCH', `/api/v1/groups/${id}/members/${helper.id}`, { token: owner.token, body: { role: 'member' } }));
      assert.equal((await say(helper.token, id, '@all again', { mentions: ['all'] })).status, 403);
    });

    test('mute: no unread badge or notification, but mentions of the member and @all by an admin still count', async () => {
      const lead = await colleague('Lea');
      const quiet = await colleague('Quinn');
      const group: Group = ok(await call(server, 'POST', '/api/v1/groups', { token: lead.token, body: { title: 'Chatter', memberIds: [quiet.id] } }), 201);
      const id = group.conversation.id;
      const muted = ok(await call(server, 'PATCH', `/api/v1/conversations/${id}/membership`, { token: quiet.token, body: { muted: true } }));
      assert.equal(muted.mutedUntil, '9999-12-31T23:59:59.999Z');

      const socket = await connect(quiet.token);
      ok(await say(lead.token, id, 'idle talk'), 201);
      const plain = await socket.next('message', (f) => f.message.text === 'idle talk');
      assert.deepEqual(plain.message.mentions, []);
      ok(await say(lead.token, id, '@Quinn look', { mentions: [quiet.id] }), 201);
      const direct = await socket.next('message', (f) => f.message.text === '@Quinn look');
      assert.deepEqual(direct.message.mentions, [quiet.id]);

      let chat = (await team(quiet.token)).chats.find((c) => c.conversation.id === id)!;
      assert.equal(chat.mutedUntil, '9999-12-31T23:59:59.999Z');
      assert.equal(chat.mentions, 1);
      assert.ok(chat.conversation.unread >= 2);

      // @all: only the group's owner or admins (or the shop's).
      const all = await say(quiet.token, id, '@all hi', { mentions: ['all'] });
      assert.deepEqual([all.status, all.body.error.code], [403, 'FORBIDDEN']);
      ok(await say(lead.token, id, '@all meeting', { mentions: ['all'] }), 201);
      chat = (await team(quiet.token)).chats.find((c) => c.conversation.id === id)!;
      assert.equal(chat.mentions, 2);
      // Mentions name members; never in a service conversation.
      const stranger = await say(lead.token, id, 'hey', { mentions: [shop.ownerId] });
      assert.equal(stranger.status, 400);

      // A time: until then; unmuted: nothing.
      const until = new Date(Date.now() + 3_600_000).toISOString();
      assert.equal(ok(await call(server, 'PATCH', `/api/v1/conversations/${id}/membership`, { token: quiet.token, body: { muted: until } })).mutedUntil, until);
      assert.equal((await call(server, 'PATCH', `/api/v1/conversations/${id}/membership`, { token: quiet.token, body: { muted: '2001-01-01T00:00:00.000Z' } })).status, 400);
      assert.equal(ok(await call(server, 'PATCH', `/api/v1/conversations/${id}/membership`, { token: quiet.token, body: { muted: false } })).mutedUntil, null);
    });

    test('edits and deletes reach every device of every member; only the sender edits', async () => {
      const a = await colleague('Eda');
      const b = await colleague('Fin');
      const direct = ok(await call(server, 'POST', '/api/v1/direct', { token: a.token, body: { staffId: b.id } }));
      const devices = [await connect(a.token), await connect(a.token), await connect(b.token), await connect(b.token)];
      const sent: Message = ok(await say(a.token, direct.id, 'teh plan'), 201);
      for (const device of devices.slice(1)) await device.next('message', (f) => f.message.id === sent.id);

      const edited: Message = ok(await call(server, 'PATCH', `/api/v1/conversations/${direct.id}/messages/${sent.id}`, { token: a.token, body: { text: 'the plan' } }));
      assert.equal(edited.text, 'the plan');
      assert.ok(edited.editedAt);
      for (const device of devices) {
        const frame = await device.next('message.updated', (f) => f.message.id === sent.id && f.message.editedAt !== null);
        assert.equal(frame.message.text, 'the plan');
      }
      const refused = await call(server, 'PATCH', `/api/v1/conversations/${direct.id}/messages/${sent.id}`, { token: b.token, body: { text: 'mine now' } });
      assert.deepEqual([refused.status, refused.body.error.code], [409, 'MESSAGE_NOT_EDITABLE']);
      assert.equal((await team(b.token)).chats.find((c) => c.conversation.id === direct.id)?.conversation.lastMessage?.preview, 'the plan');

      ok(await call(server, 'DELETE', `/api/v1/conversations/${direct.id}/messages/${sent.id}`, { token: a.token }));
      for (const device of devices) {
        const frame = await device.next('message.updated', (f) => f.message.id === sent.id && f.message.deletedAt !== null);
        assert.equal(frame.message.text, null);
      }
      const after = (await history(b.token, direct.id)).find((m) => m.id === sent.id);
      assert.equal(after?.text, null);
      // Nor does the deleted text live on as the chat's preview.
      for (const token of [a.token, b.token]) {
        assert.equal((await team(token)).chats.find((c) => c.conversation.id === direct.id)?.conversation.lastMessage?.preview, '');
        assert.equal(ok(await call(server, 'GET', `/api/v1/conversations/${direct.id}`, { token })).lastMessage.preview, '');
      }

      // Read receipts in staff chat: who read it.
      const next: Message = ok(await say(a.token, direct.id, 'read me'), 201);
      assert.deepEqual(ok(await call(server, 'GET', `/api/v1/conversations/${direct.id}/messages/${next.id}/readers`, { token: a.token })), { readerIds: [], of: 1 });
      ok(await call(server, 'POST', `/api/v1/conversations/${direct.id}/read`, { token: b.token, body: { seq: next.seq } }));
      assert.deepEqual(ok(await call(server, 'GET', `/api/v1/conversations/${direct.id}/messages/${next.id}/readers`, { token: a.token })), { readerIds: [b.id], of: 1 });
    });

    test('a broadcast to all is stored once, reaches those online at once and an offline member at the next sign-in', async () => {
      const online = await colleague('Ona');
      const offline = await colleague('Off');
      const before = Number((await server.storage.db.selectFrom('broadcasts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const socket = await connect(online.token);
      // Offline: signed out, no socket.
      ok(await call(server, 'POST', '/api/v1/auth/logout', { token: offline.token }), 204);

      assert.equal((await call(server, 'POST', '/api/v1/broadcasts', { token: online.token, body: { title: 'x', text: 'y', to: 'all' } })).status, 403, 'agents do not broadcast');
      const sent = ok(await call(server, 'POST', '/api/v1/broadcasts', { token: shop.ownerToken, body: { title: 'Holiday', text: 'Closed on Monday', to: 'all' } }), 201);
      const live = await socket.next('broadcast', (f) => f.broadcast.id === sent.id);
      assert.equal(live.broadcast.text, 'Closed on Monday');
      assert.equal(live.broadcast.readAt, null);
      const after = Number((await server.storage.db.selectFrom('broadcasts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      assert.equal(after - before, 1, 'one row');
      const rowsPerRecipient = await server.storage.db.selectFrom('broadcast_targets').selectAll().where('broadcast_id', '=', sent.id).execute();
      assert.deepEqual(rowsPerRecipient, [], 'no copy per recipient');

      // Signing in again: the broadcast is there, unread first.
      const token = await login(offline.email);
      const list = ok(await call(server, 'GET', '/api/v1/broadcasts', { token }));
      assert.equal(list.items[0].id, sent.id);
      assert.equal(list.unread >= 1, true);
      ok(await call(server, 'POST', `/api/v1/broadcasts/${sent.id}/read`, { token }));
      const read = ok(await call(server, 'GET', '/api/v1/broadcasts', { token }));
      assert.equal(read.unread, list.unread - 1);
      assert.ok(read.items.find((b: { id: string }) => b.id === sent.id).readAt);
      // Read per recipient: the other one still has it unread.
      assert.equal(ok(await call(server, 'GET', '/api/v1/broadcasts', { token: online.token })).items.find((b: { id: string }) => b.id === sent.id).readAt, null);
      // The sender has read their own.
      assert.ok(ok(await call(server, 'GET', '/api/v1/broadcasts', { token: shop.ownerToken })).items.find((b: { id: string }) => b.id === sent.id).readAt);
    });

    test('a broadcast to chosen staff and groups reaches them and no one else', async () => {
      const chosen = await colleague('Cho');
      const inGroup = await colleague('Gil');
      const left = await colleague('Lou');
      const group: Group = ok(await call(server, 'POST', '/api/v1/groups', { token: inGroup.token, body: { title: 'G', memberIds: [] } }), 201);
      const [sc, sg, sl] = [await connect(chosen.token), await connect(inGroup.token), await connect(left.token)];
      const sent = ok(
        await call(server, 'POST', '/api/v1/broadcasts', { token: shop.ownerToken, body: { title: 'Some', text: 'For a few', to: { staffIds: [chosen.id], groupIds: [group.conversation.id] } } }),
        201,
      );
      await sc.next('broadcast', (f) => f.broadcast.id === sent.id);
      await sg.next('broadcast', (f) => f.broadcast.id === sent.id);
      await nothing(sl, (f) => f.type === 'broadcast' && f.broadcast.id === sent.id);
      const listed = (token: string) => call(server, 'GET', '/api/v1/broadcasts', { token }).then((r) => r.body.items.some((b: { id: string }) => b.id === sent.id));
      assert.deepEqual([await listed(chosen.token), await listed(inGroup.token), await listed(left.token)], [true, true, false]);
      assert.equal((await call(server, 'POST', `/api/v1/broadcasts/${sent.id}/read`, { token: left.token })).status, 404);
    });

    test('customers never receive, list or sync staff chat', async () => {
      const customer = await openWidget(server, shop.shopId);
      const a = await colleague('Cy');
      const direct = ok(await call(server, 'POST', '/api/v1/direct', { token: a.token, body: { staffId: shop.agentId } }));
      const socket = await connect(customer.token);
      socket.send({ type: 'sync', id: 's0' });
      const first = await socket.next('sync.result');
      ok(await say(a.token, direct.id, 'between us'), 201);
      ok(await call(server, 'POST', '/api/v1/broadcasts', { token: shop.ownerToken, body: { title: 'Staff only', text: 'Internal', to: 'all' } }), 201);
      await nothing(socket, (f) => (f.type === 'message' && f.message.conversationId === direct.id) || f.type === 'broadcast');
      socket.send({ type: 'sync', id: 's1', token: first.token });
      assert.deepEqual((await socket.next('sync.result', (f) => f.id === 's1')).messages, []);
      const list = ok(await call(server, 'GET', '/api/v1/conversations', { token: customer.token }));
      assert.ok(!list.items.some((c: { id: string }) => c.id === direct.id));
      for (const [method, path] of [
        ['GET', '/api/v1/team'],
        ['GET', '/api/v1/broadcasts'],
        ['GET', `/api/v1/conversations/${direct.id}/messages`],
      ] as const) {
        const reply = await call(server, method, path, { token: customer.token });
        assert.ok([403, 404].includes(reply.status), `${path}: ${reply.status}`);
      }
    });
  });
}
