import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, createShop, openWidget, send, type CustomerFixture, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { nothing, rawAuthed } from './support/ws-client.ts';
import { transcriptHtml, transcriptText } from '../src/domain/inbox/transcript-format.ts';

const HOUR = 3_600_000;

/** Working the inbox (docs/console.md, docs/api.md): priority, snooze and wake-up, transcripts. */
for (const engine of engines) {
  describe(`inbox priority, snooze and transcripts on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let one: CustomerFixture;
    let two: CustomerFixture;
    // The app's clock: snoozes come due when the test moves it, not when time passes.
    let clock = Date.now();
    const patch = (id: string, body: unknown, token = shop.agentToken) => call(server, 'PATCH', `/api/v1/conversations/${id}`, { token, body });
    const list = async (query: string) => {
      const reply = await call(server, 'GET', `/api/v1/conversations?limit=100&${query}`, { token: shop.agentToken });
      assert.equal(reply.status, 200, `${query}: ${JSON.stringify(reply.body)}`);
      return (reply.body.items as Array<{ id: string }>).map((c) => c.id);
    };
    const later = (ms: number) => new Date(clock + ms).toISOString();

    before(async () => {
      server = await startServer(engine, {}, undefined, { now: () => clock });
      shop = await createShop(server, 'Inbox');
      one = await openWidget(server, shop.shopId, { profile: { name: 'Ada <b>Lovelace</b>' } });
      two = await openWidget(server, shop.shopId, { profile: { name: 'Bob' } });
      for (const c of [one, two]) assert.equal((await send(server, c.token, c.conversationId, `hello from ${c.customerId}`)).status, 201);
    });
    after(() => server.close());

    test('priority: set by staff, live to the shop’s consoles, never shown to the customer; filter and sort by it', async () => {
      const agent = await rawAuthed(server, shop.agentToken);
      const customer = await rawAuthed(server, one.token);
      const set = await patch(one.conversationId, { priority: 'urgent' });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.priority, 'urgent');
      const frame = await agent.next('conversation', (f) => f.conversation.id === one.conversationId && f.change === 'updated');
      assert.equal(frame.conversation.priority, 'urgent');
      await nothing(customer, (f) => f.type === 'conversation');
      assert.equal((await call(server, 'GET', `/api/v1/conversations/${one.conversationId}`, { token: one.token })).body.priority, 'none');
      // Another change of a ranked conversation reaches its customer without the priority.
      assert.equal((await call(server, 'POST', `/api/v1/conversations/${one.conversationId}/claim`, { token: shop.agentToken })).status, 200);
      const customerCopy = await customer.next('conversation', (f) => f.change === 'assigned');
      assert.equal(customerCopy.conversation.priority, 'none');
      agent.close();
      customer.close();

      assert.equal((await patch(two.conversationId, { priority: 'low' })).body.priority, 'low');
      // A priority that is not one says which are, once (not once per literal).
      const huge = await patch(two.conversationId, { priority: 'huge' });
      assert.deepEqual([huge.status, huge.body.error.details], [400, ['body/priority must be one of "none", "low", "medium", "high", "urgent"']]);
      assert.deepEqual(await list('view=open&priority=urgent'), [one.conversationId]);
      assert.deepEqual(await list('priority=low'), [two.conversationId]);
      // Newest first by default (two wrote last); by priority, the urgent one leads.
      assert.deepEqual(await list('view=open'), [two.conversationId, one.conversationId]);
      assert.deepEqual(await list('view=open&sort=priority'), [one.conversationId, two.conversationId]);
      // Pages of a list sorted by priority follow on.
      const first = await call(server, 'GET', '/api/v1/conversations?view=open&sort=priority&limit=1', { token: shop.agentToken });
      const next = await call(server, 'GET', `/api/v1/conversations?view=open&sort=priority&limit=1&cursor=${first.body.nextCursor}`, { token: shop.agentToken });
      assert.deepEqual([first.body.items[0].id, next.body.items[0].id, next.body.nextCursor], [one.conversationId, two.conversationId, null]);

      const byCustomer = await patch(one.conversationId, { priority: 'low' }, one.token);
      assert.equal(byCustomer.status, 403);
      const direct = await call(server, 'POST', '/api/v1/direct', { token: shop.ownerToken, body: { staffId: shop.agentId } });
      assert.equal((await patch(direct.body.id, { priority: 'high' })).body.error.code, 'CONVERSATION_NOT_FOUND');
    });

    test('snooze: out of the open views until its time, the Snoozed view holds it; the sweep wakes it live', async () => {
      const agent = await rawAuthed(server, shop.agentToken);
      const snoozed = await patch(two.conversationId, { snoozedUntil: later(HOUR) });
      assert.equal(snoozed.status, 200, JSON.stringify(snoozed.body));
      assert.equal(snoozed.body.snoozedUntil, later(HOUR));
      await agent.next('conversation', (f) => f.conversation.id === two.conversationId && f.conversation.snoozedUntil !== null);
      assert.deepEqual(await list('view=open'), [one.conversationId]);
      assert.deepEqual(await list('view=queue'), []);
      assert.deepEqual(await list('view=snoozed'), [two.conversationId]);
      const counts = (await call(server, 'GET', '/api/v1/conversations/counts', { token: shop.agentToken })).body;
      assert.deepEqual([counts.open, counts.snoozed, counts.queue], [1, 1, 0]);
      assert.equal((await call(server, 'GET', `/api/v1/conversations/${two.conversationId}`, { token: two.token })).body.snoozedUntil, null);

      assert.equal(await server.app.services.triage.wakeDue(), 0, 'not due yet');
      clock += HOUR;
      assert.equal(await server.app.services.triage.wakeDue(), 1);
      const woken = await agent.next('conversation', (f) => f.conversation.id === two.conversationId && f.conversation.snoozedUntil === null);
      assert.equal(woken.change, 'updated');
      assert.deepEqual(new Set(await list('view=open')), new Set([one.conversationId, two.conversationId]));
      assert.deepEqual(await list('view=snoozed'), []);
      agent.close();

      const past = await patch(two.conversationId, { snoozedUntil: later(-1000) });
      assert.equal(past.body.error.code, 'VALIDATION_FAILED');
    });

    test('a snoozed conversation wakes at once when its customer writes; staff writing leaves it snoozed', async () => {
      assert.equal((await patch(one.conversationId, { snoozedUntil: later(24 * HOUR) })).status, 200);
      assert.equal((await send(server, shop.agentToken, one.conversationId, 'we will look into it')).status, 201);
      assert.deepEqual(await list('view=snoozed'), [one.conversationId]);
      const agent = await rawAuthed(server, shop.agentToken);
      assert.equal((await send(server, one.token, one.conversationId, 'any news?')).status, 201);
      await agent.next('conversation', (f) => f.conversation.id === one.conversationId && f.conversation.snoozedUntil === null);
      assert.deepEqual(await list('view=snoozed'), []);
      assert.ok((await list('view=mine')).includes(one.conversationId));
      agent.close();
      // Staff wake it by hand too.
      assert.equal((await patch(one.conversationId, { snoozedUntil: later(HOUR) })).status, 200);
      assert.equal((await patch(one.conversationId, { snoozedUntil: null })).body.snoozedUntil, null);
      // A closed conversation cannot be snoozed.
      assert.equal((await call(server, 'POST', `/api/v1/conversations/${one.conversationId}/close`, { token: shop.agentToken })).status, 200);
      assert.equal((await patch(one.conversationId, { snoozedUntil: later(HOUR) })).body.error.code, 'CONVERSATION_NOT_OPEN');
    });

    test('two wake-ups racing (two sweeps, or a sweep and the customer) wake a conversation once', async () => {
      const woken: string[] = [];
      const watcher = await rawAuthed(server, shop.ownerToken);
      for (let round = 0; round < 3; round++) {
        assert.equal((await patch(two.conversationId, { snoozedUntil: later(HOUR) })).status, 200);
        clock += HOUR;
        const sweeps = await Promise.all([server.app.services.triage.wakeDue(), server.app.services.triage.wakeDue(), server.app.services.triage.wakeDue()]);
        assert.equal(sweeps.reduce((a, b) => a + b, 0), 1, `round ${round}: ${sweeps}`);
        woken.push((await watcher.next('conversation', (f) => f.conversation.id === two.conversationId && f.conversation.snoozedUntil === null)).conversation.id);
      }
      assert.equal((await patch(two.conversationId, { snoozedUntil: later(HOUR) })).status, 200);
      clock += HOUR;
      const [swept] = await Promise.all([server.app.services.triage.wakeDue(), send(server, two.token, two.conversationId, 'still there?')]);
      assert.ok(swept <= 1);
      await watcher.next('conversation', (f) => f.conversation.id === two.conversationId && f.conversation.snoozedUntil === null);
      // Once per snooze: three sweeps' rounds, then the sweep and the customer's message.
      await nothing(watcher, () => false);
      const wakes = watcher.frames.filter((f) => f.type === 'conversation' && f.conversation.id === two.conversationId && f.conversation.snoozedUntil === null);
      assert.equal(wakes.length, 4);
      watcher.close();
      assert.equal(woken.length, 3);
    });

    test('transcript: names, ISO and readable times, attachments as links, notes only when asked, HTML escaped; staff of the shop only', async () => {
      assert.equal((await send(server, shop.agentToken, one.conversationId, 'note: <script>alert(1)</script>', { visibility: 'internal' })).status, 201);
      const txt = await call(server, 'GET', `/api/v1/conversations/${one.conversationId}/transcript`, { token: shop.agentToken });
      assert.equal(txt.status, 200, String(txt.body));
      assert.match(String(txt.body), /^Conversation with Ada <b>Lovelace<\/b> — Inbox/);
      assert.match(String(txt.body), /\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] Ada <b>Lovelace<\/b>: any news\?/);
      assert.match(String(txt.body), /Agent: we will look into it/);
      assert.doesNotMatch(String(txt.body), /note:/);
      const html = await fetch(`${server.url}/api/v1/conversations/${one.conversationId}/transcript?format=html&notes=true&timeZone=Asia/Shanghai`, {
        headers: { authorization: `Bearer ${shop.agentToken}` },
      });
      assert.equal(html.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.match(html.headers.get('content-disposition') ?? '', /^attachment; filename="transcript-.+\.html"$/);
      const page = await html.text();
      assert.match(page, /Ada &lt;b&gt;Lovelace&lt;\/b&gt;/);
      assert.match(page, /note: &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      assert.doesNotMatch(page, /<script>/);
      assert.match(page, /\(internal note\)/);
      const zh = await call(server, 'GET', `/api/v1/conversations/${two.conversationId}/transcript?locale=zh-CN&timeZone=Asia/Shanghai`, { token: shop.agentToken });
      assert.match(String(zh.body), /^与 Bob 的对话 — Inbox\n会话: /);
      assert.match(String(zh.body), /\[\d{4}年\d{1,2}月\d{1,2}日 [\d:]+ \| [\dT:.Z-]+\] Bob: still there\?/);
      const zone = await call(server, 'GET', `/api/v1/conversations/${one.conversationId}/transcript?timeZone=Mars/Base`, { token: shop.agentToken });
      assert.equal(zone.body.error.code, 'VALIDATION_FAILED');
      const byCustomer = await call(server, 'GET', `/api/v1/conversations/${one.conversationId}/transcript`, { token: one.token });
      assert.equal(byCustomer.status, 403);
    });

    test('transcript formats: attachments as name, size and link; deleted messages say so', async () => {
      const [conversation] = await server.app.store.conversations.findMany(shop.shopId, [one.conversationId]);
      const entry = { at: Date.UTC(2026, 11, 6, 9, 5), author: 'Ada', internal: false, system: false, customer: true };
      const transcript = {
        conversation: conversation!,
        customerName: 'Ada',
        generatedAt: Date.UTC(2026, 11, 6, 10),
        entries: [
          { ...entry, text: 'the invoice', attachment: { id: 'a1', name: 'invoice <1>.pdf', size: 2048 } },
          { ...entry, text: null, attachment: null },
        ],
      };
      const text = transcriptText(transcript, 'Asia/Shanghai');
      assert.match(text, /\[6 Dec 2026, 17:05 \| 2026-12-06T09:05:00.000Z\] Ada: the invoice \[invoice <1>\.pdf, 2\.0 KB: \/api\/v1\/attachments\/a1\/content\]/);
      assert.match(text, /Ada: \(deleted\)/);
      const html = transcriptHtml(transcript, 'UTC');
      assert.match(html, /<a href="\/api\/v1\/attachments\/a1\/content">invoice &lt;1&gt;\.pdf<\/a> \(2\.0 KB\)/);
    });
  });
}
