/**
 * Issue 22, items 2 and 7: the inbox preview is the last message a person wrote in public (never a
 * system line or an internal note), and routing's system lines carry their notice as data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Message } from '@frontdesk/protocol';
import { call, createShop, openWidget, send, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import * as lastPublicMessage from '../src/storage/migrations/0021-last-public-message.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

for (const engine of engines) {
  describe(`inbox previews and routing notices on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let agentWs: RawClient;

    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server, 'Previews');
      // Online, to claim.
      agentWs = await rawAuthed(server, shop.agentToken);
      await agentWs.next('presence', (f) => f.userId === shop.agentId && f.status === 'online');
    });
    after(async () => {
      agentWs.close();
      await server.close();
    });

    const act = (conversationId: string, action: string, body?: unknown) =>
      call(server, 'POST', `/api/v1/conversations/${conversationId}/${action}`, { token: shop.agentToken, ...(body !== undefined && { body }) });

    async function previewOf(token: string, conversationId: string) {
      const list = await call(server, 'GET', '/api/v1/conversations', { token });
      assert.equal(list.status, 200, JSON.stringify(list.body));
      const row = (list.body.items as Array<{ id: string; lastMessage: { preview: string; senderKind: string } | null }>).find((c) => c.id === conversationId);
      return row?.lastMessage && [row.lastMessage.senderKind, row.lastMessage.preview];
    }

    test('system lines and internal notes never replace the preview; a person’s message does', async () => {
      const customer = await openWidget(server, shop.shopId);
      const id = customer.conversationId;
      assert.equal((await send(server, customer.token, id, 'I need a hand')).status, 201);
      assert.equal((await act(id, 'claim')).status, 200); // "Agent joined the conversation."
      assert.equal((await send(server, shop.agentToken, id, 'VIP, be nice', { visibility: 'internal' })).status, 201);
      for (const token of [shop.agentToken, shop.ownerToken]) assert.deepEqual(await previewOf(token, id), ['customer', 'I need a hand']);
      assert.deepEqual(await previewOf(customer.token, id), ['customer', 'I need a hand']);

      assert.equal((await send(server, shop.agentToken, id, 'On it')).status, 201);
      assert.equal((await act(id, 'close')).status, 200); // "Agent closed the conversation."
      assert.deepEqual(await previewOf(shop.agentToken, id), ['staff', 'On it']);
      assert.deepEqual(await previewOf(customer.token, id), ['staff', 'On it']);

      // The customer can still read up to the closing line: nothing stays unread.
      const history = await call(server, 'GET', `/api/v1/conversations/${id}/messages`, { token: customer.token });
      const last = (history.body.items as Message[]).at(-1)!;
      assert.equal(last.kind, 'system');
      const read = await call(server, 'POST', `/api/v1/conversations/${id}/read`, { token: customer.token, body: { seq: last.seq } });
      assert.equal(read.body.readSeq, last.seq);
      const seen = await call(server, 'GET', `/api/v1/conversations/${id}`, { token: customer.token });
      assert.equal(seen.body.unread, 0);
      // The customer's side goes as far as the closing line, though the preview stops before it.
      assert.equal(seen.body.lastSeq, last.seq);
      const listed = await call(server, 'GET', '/api/v1/conversations', { token: customer.token });
      assert.equal(listed.body.items.find((c: { id: string }) => c.id === id).lastSeq, last.seq);

      // An internal note after it moves the staff's lastSeq, not the customer's.
      assert.equal((await send(server, shop.agentToken, id, 'closed politely', { visibility: 'internal' })).status, 201);
      assert.equal((await call(server, 'GET', `/api/v1/conversations/${id}`, { token: customer.token })).body.lastSeq, last.seq);
      assert.equal((await call(server, 'GET', `/api/v1/conversations/${id}`, { token: shop.agentToken })).body.lastSeq, last.seq + 1);
    });

    test('migration 0021 fills the last public message of conversations already stored', async () => {
      const db = server.storage.db;
      const read = () => db.selectFrom('conversations').select(['id', 'last_seq', 'last_public_message_seq']).where('shop_id', '=', shop.shopId).orderBy('id').execute();
      const kept = await read();
      // The first test's conversation ends with an internal note: its customer's side ends before it.
      assert.ok(kept.some((c) => c.last_public_message_seq > 0 && c.last_public_message_seq < c.last_seq));
      await lastPublicMessage.down(db);
      await lastPublicMessage.up(db);
      assert.deepEqual(await read(), kept);
    });

    test('routing lines carry a notice (code, actor, whom) with the English text as fallback; staff-only ones stay staff-only', async () => {
      const b = await server.app.services.staff.createInShop(shop.shopId, { email: `bea-${Date.now()}@example.test`, name: 'Bea', role: 'agent', password: 'correct horse battery staple' });
      const customer = await openWidget(server, shop.shopId);
      const id = customer.conversationId;
      await send(server, customer.token, id, 'hello');
      assert.equal((await act(id, 'claim')).status, 200);
      assert.equal((await act(id, 'invite', { staffId: b.staff.id })).status, 200);
      assert.equal((await act(id, 'transfer', { toStaffId: null, note: 'tricky one' })).status, 200);
      assert.equal((await act(id, 'claim')).status, 200);
      assert.equal((await act(id, 'close')).status, 200);

      const lines = async (token: string) =>
        ((await call(server, 'GET', `/api/v1/conversations/${id}/messages`, { token })).body.items as Message[])
          .filter((m) => m.kind === 'system')
          .map((m) => [m.visibility, m.notice, m.text]);
      const me = shop.agentId;
      const staffView = await lines(shop.ownerToken);
      assert.deepEqual(staffView, [
        ['public', { code: 'inquiry.assigned', actorId: me, userIds: [me] }, 'Agent joined the conversation.'],
        ['public', { code: 'member.invited', actorId: me, userIds: [b.staff.id] }, 'Agent invited Bea to the conversation.'],
        ['internal', { code: 'transfer.note', actorId: me, userIds: [], note: 'tricky one' }, 'Transfer note from Agent: tricky one'],
        ['internal', { code: 'inquiry.queued', actorId: me, userIds: [], reason: 'returned' }, 'Agent returned the conversation to the queue.'],
        ['public', { code: 'inquiry.assigned', actorId: me, userIds: [me] }, 'Agent joined the conversation.'],
        ['public', { code: 'inquiry.closed', actorId: me, userIds: [] }, 'Agent closed the conversation.'],
      ]);
      assert.deepEqual(await lines(customer.token), staffView.filter(([visibility]) => visibility === 'public'));
    });
  });
}
