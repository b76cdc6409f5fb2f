import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Message } from '@frontdesk/protocol';
import { FrontdeskClient } from '../src/index.ts';
import { call, createShop, openWidget, type ShopFixture } from '../../server/test/support/client.ts';
import { startServer, type TestServer } from '../../server/test/support/server.ts';
import { bundleSdk, launchChromium, servePage } from './support/browser.ts';
import { wsUrl } from './support/helpers.ts';

interface PageState {
  received: Message[];
  states: string[];
}

describe('sdk in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let page: Page;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof servePage>>;

  before(async () => {
    site = await servePage(await bundleSdk());
    server = await startServer('sqlite', { ALLOWED_ORIGINS: site.origin });
    shop = await createShop(server);
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    await page.goto(site.origin);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await site?.close();
  });

  test('connect, send, receive, drop the network, recover with nothing lost', { timeout: 60_000 }, async () => {
    const customer = await openWidget(server, shop.shopId);
    const agent = new FrontdeskClient({ url: wsUrl(server), token: shop.agentToken, backoff: { initialMs: 50, maxMs: 500 } });
    try {
      const atAgent: Message[] = [];
      agent.on('message', (m) => atAgent.push(m));
      await agent.connect();

      // The page: a customer on the shop's site, speaking through the bundled SDK.
      await page.evaluate(
        async ({ url, token }) => {
          const w = globalThis as unknown as { Frontdesk: typeof import('../src/index.ts'); state: PageState; client: FrontdeskClient };
          w.state = { received: [], states: [] };
          w.client = new w.Frontdesk.FrontdeskClient({ url, token, backoff: { initialMs: 100, maxMs: 1000 } });
          w.client.on('message', (m) => w.state.received.push(m));
          w.client.on('state', (change) => w.state.states.push(change.state));
          await w.client.connect();
        },
        { url: wsUrl(server), token: customer.token },
      );
      const sendFromPage = (text: string) =>
        page.evaluate(({ conversationId, text }) => {
          const w = globalThis as unknown as { client: FrontdeskClient };
          w.client.send({ conversationId, text });
        }, { conversationId: customer.conversationId, text });
      const pageState = () => page.evaluate(() => (globalThis as unknown as { state: PageState }).state);
      const until = async (what: string, check: () => Promise<boolean> | boolean) => {
        const end = Date.now() + 20_000;
        while (!(await check())) {
          if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };

      await sendFromPage('hello from the browser');
      await until('the agent to receive it', () => atAgent.some((m) => m.text === 'hello from the browser'));
      agent.send({ conversationId: customer.conversationId, text: 'hello from the agent' });
      await until('the page to receive the reply', async () => (await pageState()).received.some((m) => m.text === 'hello from the agent'));

      // Drop the network: the browser goes offline and the server loses the socket.
      await page.context().setOffline(true);
      for (const connection of server.app.gateway.hub.connections()) {
        if (connection.userId === customer.customerId) connection.close('SERVICE_UNAVAILABLE');
      }
      await until('the page to notice', async () => (await pageState()).states.includes('reconnecting'));
      for (let i = 1; i <= 3; i++) await sendFromPage(`written offline ${i}`);
      for (let i = 1; i <= 3; i++) await agent.send({ conversationId: customer.conversationId, text: `missed ${i}` }).promise;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const offline = await pageState();
      assert.ok(!offline.received.some((m) => m.text?.startsWith('missed')), 'nothing arrives while offline');

      await page.context().setOffline(false);
      await until('the page to catch up', async () => (await pageState()).received.filter((m) => m.text?.startsWith('missed')).length === 3);
      await until('the agent to get the offline messages', () => atAgent.filter((m) => m.text?.startsWith('written offline')).length === 3);

      const final = await pageState();
      const keys = final.received.map((m) => `${m.conversationId}:${m.seq}`);
      assert.equal(new Set(keys).size, keys.length, 'every message shown once');
      assert.deepEqual(
        final.received.map((m) => m.text),
        ['hello from the browser', 'hello from the agent', 'written offline 1', 'written offline 2', 'written offline 3', 'missed 1', 'missed 2', 'missed 3'].filter((t) =>
          final.received.some((m) => m.text === t),
        ),
      );
      assert.ok(final.received.some((m) => m.text === 'hello from the agent'));
      const stored = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages?limit=100`, { token: customer.token });
      const texts = stored.body.items.map((m: Message) => m.text);
      assert.equal(texts.length, 8, 'each message stored exactly once');
      assert.deepEqual(texts.filter((t: string) => t.startsWith('written offline')), ['written offline 1', 'written offline 2', 'written offline 3']);
    } finally {
      agent.close();
    }
  });
});
