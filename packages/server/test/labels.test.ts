import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, createShop, openWidget, send, shopWithKey, type CustomerFixture, type ShopFixture } from './support/client.ts';
import { createLabel, importCsv, listContacts } from './support/contacts.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { nothing, rawAuthed } from './support/ws-client.ts';

/** Labels on conversations and contacts, the inbox's filters and an agent's saved views (docs/contacts.md). */
for (const engine of engines) {
  describe(`labels, inbox filters and saved views on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture & { apiKey: string };
    let web1: CustomerFixture;
    let web2: CustomerFixture;
    let apiConversation: string;
    let urgent: string;
    let refund: string;
    const list = async (token: string, query: string) => {
      const reply = await call(server, 'GET', `/api/v1/conversations?limit=100&${query}`, { token });
      assert.equal(reply.status, 200, `${query}: ${JSON.stringify(reply.body)}`);
      return (reply.body.items as Array<{ id: string }>).map((c) => c.id);
    };
    const conversationLabel = (method: 'PUT' | 'DELETE', conversationId: string, labelId: string, token = shop.agentToken) =>
      call(server, method, `/api/v1/conversations/${conversationId}/labels/${labelId}`, { token });

    before(async () => {
      server = await startServer(engine);
      shop = await shopWithKey(server, 'Labels');
      web1 = await openWidget(server, shop.shopId, { profile: { name: 'One' } });
      web2 = await openWidget(server, shop.shopId, { profile: { name: 'Two' } });
      for (const c of [web1, web2]) assert.equal((await send(server, c.token, c.conversationId, 'hello')).status, 201);
      // An imported customer the shop's system first writes to through the push API: the conversation's channel is 'api'.
      assert.equal((await importCsv(server, shop.ownerToken, 'external_id,name\r\napi-customer,By API')).body.created, 1);
      const pushed = await call(server, 'POST', '/api/v1/push/messages', { token: shop.apiKey, body: { externalId: 'api-customer', clientMsgId: 'a-1', text: 'order shipped' } });
      assert.equal(pushed.status, 201, JSON.stringify(pushed.body));
      apiConversation = pushed.body.conversationId;
      urgent = await createLabel(server, shop, 'Urgent', '#FF0000');
      refund = await createLabel(server, shop, 'Refund');
    });
    after(() => server.close());

    test('owners and admins define labels; names are unique in the shop; every agent lists them', async () => {
      const labels = await call(server, 'GET', '/api/v1/labels', { token: shop.agentToken });
      assert.deepEqual(labels.body.items.map((l: { name: string; color: string }) => [l.name, l.color]), [['Refund', '#ff8800'], ['Urgent', '#ff0000']]);
      const taken = await call(server, 'POST', '/api/v1/labels', { token: shop.ownerToken, body: { name: 'Urgent', color: '#000000' } });
      assert.deepEqual([taken.status, taken.body.error.code], [409, 'LABEL_NAME_TAKEN']);
      const byAgent = await call(server, 'POST', '/api/v1/labels', { token: shop.agentToken, body: { name: 'Mine', color: '#000000' } });
      assert.deepEqual([byAgent.status, byAgent.body.error.code], [403, 'FORBIDDEN']);
      const renamed = await call(server, 'PATCH', `/api/v1/labels/${refund}`, { token: shop.ownerToken, body: { name: 'Refunds', color: '#00AA00' } });
      assert.deepEqual([renamed.body.name, renamed.body.color], ['Refunds', '#00aa00']);
      const clash = await call(server, 'PATCH', `/api/v1/labels/${refund}`, { token: shop.ownerToken, body: { name: 'Urgent' } });
      assert.equal(clash.body.error.code, 'LABEL_NAME_TAKEN');
    });

    test('labelling a conversation reaches the shop’s consoles as an updated conversation, never the customer', async () => {
      const agent = await rawAuthed(server, shop.agentToken);
      const customer = await rawAuthed(server, web1.token);
      const put = await conversationLabel('PUT', web1.conversationId, urgent);
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.deepEqual(put.body.labelIds, [urgent]);
      assert.equal(put.body.channel, 'web');
      const frame = await agent.next('conversation', (f) => f.conversation.id === web1.conversationId && f.change === 'updated');
      assert.deepEqual(frame.conversation.labelIds, [urgent]);
      // Again: nothing changes, nothing is sent.
      assert.equal((await conversationLabel('PUT', web1.conversationId, urgent)).status, 200);
      await nothing(agent, (f) => f.type === 'conversation' && f.change === 'updated' && f !== frame);
      await nothing(customer, (f) => f.type === 'conversation' && f.change === 'updated');
      // The customer's own read of the conversation shows no labels.
      assert.deepEqual((await call(server, 'GET', `/api/v1/conversations/${web1.conversationId}`, { token: web1.token })).body.labelIds, []);
      assert.deepEqual((await call(server, 'GET', `/api/v1/conversations/${web1.conversationId}`, { token: shop.agentToken })).body.labelIds, [urgent]);
      const off = await conversationLabel('DELETE', web1.conversationId, urgent);
      assert.deepEqual(off.body.labelIds, []);
      await agent.next('conversation', (f) => f.conversation.id === web1.conversationId && f.change === 'updated' && f.conversation.labelIds.length === 0);
      // Other changes of a labelled conversation reach its customer without the labels.
      const customer2 = await rawAuthed(server, web2.token);
      await conversationLabel('PUT', web2.conversationId, urgent);
      assert.equal((await call(server, 'POST', `/api/v1/conversations/${web2.conversationId}/claim`, { token: shop.agentToken })).status, 200);
      const staffCopy = await agent.next('conversation', (f) => f.conversation.id === web2.conversationId && f.change === 'assigned');
      const customerCopy = await customer2.next('conversation', (f) => f.conversation.id === web2.conversationId && f.change === 'assigned');
      assert.deepEqual([staffCopy.conversation.labelIds, customerCopy.conversation.labelIds], [[urgent], []]);
      assert.equal(customer2.frames.filter((f) => f.type === 'conversation').length, 1, 'one copy, without labels');
      agent.close();
      customer.close();
      customer2.close();
      // Staff chats take no labels.
      const direct = await call(server, 'POST', '/api/v1/direct', { token: shop.ownerToken, body: { staffId: shop.agentId } });
      assert.equal((await conversationLabel('PUT', direct.body.id, urgent)).body.error.code, 'CONVERSATION_NOT_FOUND');
      assert.equal((await conversationLabel('PUT', web1.conversationId, web1.conversationId)).body.error.code, 'LABEL_NOT_FOUND');
    });

    test('inbox filters: label and channel combine with view, status and assignee; the views\' counts follow them', async () => {
      const bulk = await call(server, 'POST', '/api/v1/conversations/labels', { token: shop.agentToken, body: { ids: [web1.conversationId, web2.conversationId, apiConversation], add: [refund] } });
      assert.deepEqual(bulk.body, { changed: 3 });
      const token = shop.agentToken;
      assert.deepEqual(new Set(await list(token, `labelId=${refund}`)), new Set([web1.conversationId, web2.conversationId, apiConversation]));
      assert.deepEqual(await list(token, `labelId=${urgent}`), [web2.conversationId]);
      assert.deepEqual(await list(token, 'channel=api'), [apiConversation]);
      assert.deepEqual(await list(token, `channel=web&labelId=${refund}&view=queue`), [web1.conversationId]);
      assert.deepEqual(await list(token, `view=mine&labelId=${refund}`), [web2.conversationId]);
      assert.deepEqual(await list(token, `assigneeId=${shop.agentId}&labelId=${urgent}`), [web2.conversationId]);
      assert.deepEqual(await list(token, `status=queued&channel=api`), [apiConversation]);
      assert.deepEqual(await list(token, `status=assigned&labelId=${refund}&channel=api`), []);
      // A view combines with a status and an assignee too (and): what it rules out lists nothing.
      assert.deepEqual(new Set(await list(token, 'view=open&status=queued')), new Set([web1.conversationId, apiConversation]));
      assert.deepEqual(await list(token, `view=open&assigneeId=${shop.agentId}`), [web2.conversationId]);
      assert.deepEqual(await list(token, `view=mine&status=assigned&labelId=${urgent}`), [web2.conversationId]);
      assert.deepEqual(await list(token, 'view=queue&status=closed'), []);
      assert.deepEqual(await list(token, `view=mine&assigneeId=${shop.ownerId}`), []);
      const scoped = await call(server, 'GET', '/api/v1/conversations?view=queue&scope=mine', { token });
      assert.equal(scoped.body.error.code, 'VALIDATION_FAILED');

      // The views' badges count what the filtered lists show, view by view.
      const counts = async (query: string) => {
        const reply = await call(server, 'GET', `/api/v1/conversations/counts?${query}`, { token });
        assert.equal(reply.status, 200, `${query}: ${JSON.stringify(reply.body)}`);
        return reply.body as Record<string, number>;
      };
      const filters = ['', `labelId=${refund}`, `labelId=${urgent}`, 'channel=api', `channel=web&labelId=${refund}`, 'priority=urgent', 'priority=none'];
      filters.push('status=queued', 'status=closed', `assigneeId=${shop.agentId}`, `assigneeId=${shop.ownerId}`, `status=assigned&labelId=${refund}`);
      for (const filter of filters) {
        const badges = await counts(filter);
        for (const view of ['queue', 'mine', 'open', 'closed', 'snoozed']) {
          assert.equal(badges[view], (await list(token, `view=${view}&${filter}`)).length, `${view} with ${filter || 'no filter'}`);
        }
      }
      assert.deepEqual(await counts(`labelId=${urgent}`), { queue: 0, mine: 1, open: 1, closed: 0, snoozed: 0 });
      assert.deepEqual(await counts('priority=urgent'), { queue: 0, mine: 0, open: 0, closed: 0, snoozed: 0 });
      assert.deepEqual(await counts('status=queued'), { queue: 2, mine: 0, open: 2, closed: 0, snoozed: 0 });
      assert.equal((await counts('')).open, 3);
      const notAFilter = await call(server, 'GET', '/api/v1/conversations/counts?view=queue', { token });
      assert.equal(notAFilter.body.error.code, 'VALIDATION_FAILED');
      const removed = await call(server, 'POST', '/api/v1/conversations/labels', { token, body: { ids: [web1.conversationId, web2.conversationId], remove: [refund] } });
      assert.deepEqual(removed.body, { changed: 2 });
      assert.deepEqual(await list(token, `labelId=${refund}`), [apiConversation]);
      const unknown = await call(server, 'POST', '/api/v1/conversations/labels', { token, body: { ids: [web1.conversationId], add: [web1.customerId] } });
      assert.equal(unknown.body.error.code, 'LABEL_NOT_FOUND');
    });

    test('contacts take labels one by one and in bulk; deleting a label takes it off everything', async () => {
      const path = (id: string, label: string) => `/api/v1/contacts/${id}/labels/${label}`;
      assert.deepEqual((await call(server, 'PUT', path(web1.customerId, urgent), { token: shop.agentToken })).body.labelIds, [urgent]);
      const bulk = await call(server, 'POST', '/api/v1/contacts/labels', { token: shop.agentToken, body: { ids: [web1.customerId, web2.customerId], add: [refund], remove: [urgent] } });
      assert.deepEqual(bulk.body, { changed: 3 });
      assert.deepEqual(new Set((await listContacts(server, shop.agentToken, `labelId=${refund}`)).ids), new Set([web1.customerId, web2.customerId]));
      assert.deepEqual((await listContacts(server, shop.agentToken, `labelId=${urgent}`)).ids, []);
      const gone = await call(server, 'DELETE', `/api/v1/labels/${refund}`, { token: shop.ownerToken });
      assert.equal(gone.status, 204);
      assert.deepEqual((await call(server, 'GET', `/api/v1/contacts/${web1.customerId}`, { token: shop.agentToken })).body.contact.labelIds, []);
      assert.deepEqual((await call(server, 'GET', `/api/v1/conversations/${apiConversation}`, { token: shop.agentToken })).body.labelIds, []);
      const rows = await server.storage.db.selectFrom('conversation_labels').select('label_id').where('label_id', '=', refund).execute();
      assert.deepEqual(rows, []);
      assert.equal((await call(server, 'DELETE', `/api/v1/labels/${refund}`, { token: shop.ownerToken })).body.error.code, 'LABEL_NOT_FOUND');
    });

    test('saved views belong to the agent who made them', async () => {
      const filters = { view: 'open', labelId: urgent, channel: 'web' };
      const made = await call(server, 'POST', '/api/v1/views', { token: shop.agentToken, body: { name: ' Urgent web ', filters } });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.deepEqual([made.body.name, made.body.filters], ['Urgent web', filters]);
      assert.deepEqual((await call(server, 'GET', '/api/v1/views', { token: shop.agentToken })).body.items.map((v: { id: string }) => v.id), [made.body.id]);
      assert.deepEqual((await call(server, 'GET', '/api/v1/views', { token: shop.ownerToken })).body.items, []);
      for (const [method, body] of [['PATCH', { name: 'Taken' }], ['DELETE', undefined]] as const) {
        const reply = await call(server, method, `/api/v1/views/${made.body.id}`, { token: shop.ownerToken, ...(body && { body }) });
        assert.deepEqual([reply.status, reply.body.error.code], [404, 'VIEW_NOT_FOUND'], 'not even an owner reaches an agent’s view');
      }
      const patched = await call(server, 'PATCH', `/api/v1/views/${made.body.id}`, { token: shop.agentToken, body: { filters: { status: 'queued' } } });
      assert.deepEqual(patched.body.filters, { status: 'queued' });
      const bad = await call(server, 'POST', '/api/v1/views', { token: shop.agentToken, body: { name: 'x', filters: { view: 'everything' } } });
      assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
      assert.equal((await call(server, 'DELETE', `/api/v1/views/${made.body.id}`, { token: shop.agentToken })).status, 204);
      assert.deepEqual((await call(server, 'GET', '/api/v1/views', { token: shop.agentToken })).body.items, []);
      const other = await createShop(server, 'Other');
      assert.equal((await call(server, 'GET', '/api/v1/labels', { token: other.agentToken })).body.items.length, 0);
    });
  });
}
