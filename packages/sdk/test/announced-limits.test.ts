import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FrontdeskClient } from '../src/index.ts';
import { call, createShop, openWidget, type ShopFixture } from '../../server/test/support/client.ts';
import { startServer, type TestServer } from '../../server/test/support/server.ts';
import { wsUrl } from './support/helpers.ts';

describe('sdk and the announced rate limits', () => {
  let server: TestServer;
  let shop: ShopFixture;
  before(async () => {
    // A burst smaller than the SDK's default window of 10.
    server = await startServer('sqlite', { WS_RATE_PER_SECOND: '20', WS_RATE_BURST: '4' });
    shop = await createShop(server);
  });
  after(() => server.close());

  test('an outbox of 30 queued while offline drains at the rate the server announced: in order, nothing refused, never closed as a flood', { timeout: 20_000 }, async (t) => {
    const customer = await openWidget(server, shop.shopId);
    // Every frame the server sends, to count its refusals.
    const refusals: string[] = [];
    class Watched extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener('message', (event) => {
          const frame = JSON.parse(String(event.data)) as { type: string; code?: string };
          if (frame.type === 'error' && frame.code === 'RATE_LIMITED') refusals.push(frame.code);
        });
      }
    }
    const client = new FrontdeskClient({ url: wsUrl(server), token: customer.token, backoff: { initialMs: 20, maxMs: 200 }, WebSocket: Watched });
    // Closed even when an assertion fails: a client left reconnecting would keep the test process alive.
    t.after(() => client.close());
    const closes: number[] = [];
    client.on('disconnected', (event) => closes.push(event.code));
    const handles = Array.from({ length: 30 }, (_, i) => client.send({ conversationId: customer.conversationId, text: `queued ${i}` }));
    await client.connect();
    const stored = await Promise.all(handles.map((h) => h.promise));
    assert.deepEqual(stored.map((m) => m.seq), Array.from({ length: 30 }, (_, i) => i + 1), 'all stored, in order');
    assert.deepEqual(closes, [], 'no disconnect');
    // Paced by the announced rate, not by refusals: a refused send resent later would land after
    // the ones behind it.
    assert.deepEqual(refusals, [], 'the server refused nothing');
    const history = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages?limit=100`, { token: customer.token });
    assert.equal(history.body.items.length, 30);
  });
});
