import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Team } from '@frontdesk/protocol';
import { call, createShop, openWidget, send, setRouting } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

/** GET /conversations/{id}/team: the widget's names, avatars and offline notice. */
for (const engine of engines) {
  describe(`conversation team on ${engine}`, () => {
    let server: TestServer;
    const sockets: RawClient[] = [];

    before(async () => {
      server = await startServer(engine);
    });
    after(async () => {
      sockets.forEach((s) => s.close());
      await server.close();
    });

    const team = async (token: string, conversationId: string): Promise<Team> => {
      const reply = await call(server, 'GET', `/api/v1/conversations/${conversationId}/team`, { token });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body;
    };

    test('offline until an agent comes online; the customer learns only of staff they heard from', async () => {
      const shop = await createShop(server);
      await setRouting(server, shop, 'manual', { offlineMessage: 'We are back at 9:00.' });
      const customer = await openWidget(server, shop.shopId);
      await send(server, customer.token, customer.conversationId, 'anyone there?');

      assert.deepEqual(await team(customer.token, customer.conversationId), { members: [], available: false, openNow: true, offlineMessage: 'We are back at 9:00.', askEmail: false, opensAt: null, assigneeAway: false, emailReplies: true });

      const agentSocket = await rawAuthed(server, shop.agentToken);
      sockets.push(agentSocket);
      await agentSocket.next('presence', (f) => f.userId === shop.agentId && f.status === 'online');
      assert.equal((await team(customer.token, customer.conversationId)).available, true);

      // The owner consults by internal note only; the agent answers in public.
      const note = await send(server, shop.ownerToken, customer.conversationId, 'refund is fine', { visibility: 'internal' });
      assert.equal(note.status, 201);
      assert.equal((await send(server, shop.agentToken, customer.conversationId, 'here now')).status, 201);
      const seen = await team(customer.token, customer.conversationId);
      assert.deepEqual(seen.members, [{ id: shop.agentId, name: 'Agent' }]);
      const staffView = await team(shop.agentToken, customer.conversationId);
      assert.deepEqual(staffView.members.map((m) => m.id).sort(), [shop.agentId, shop.ownerId].sort());
    });
  });
}
