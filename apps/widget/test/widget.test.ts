import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import sharp from 'sharp';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import type { Message } from '@frontdesk/protocol';
import { FrontdeskClient } from '../../../packages/sdk/src/index.ts';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { wsUrl } from '../../../packages/sdk/test/support/helpers.ts';
import { call, createShop, openWidget, send, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { budgets, widgetSizes } from '../check-size.ts';

const screenshots = new URL('../../../artifacts/screenshots/', import.meta.url).pathname;

/** A shop's website: another origin (another port of loopback) with the embed snippet. */
async function shopSite(server: TestServer, shopId: string) {
  const site = http.createServer((_request, response) => {
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        `<!doctype html><html><head><title>Corner shop</title><style>button{all:unset} *{font-size:40px!important}</style></head>` +
          `<body><h1>Corner shop</h1><script src="${server.url}/widget.js" data-shop="${shopId}" data-locale="en" async></script></body></html>`,
      );
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const { port } = site.address() as AddressInfo;
  // Another host name than the server's (127.0.0.1): a cross-site embed, as on a shop's own domain.
  return { origin: `http://localhost:${port}`, close: () => new Promise<void>((resolve) => site.close(() => resolve())) };
}

describe('widget in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let widget: FrameLocator;
  let site: Awaited<ReturnType<typeof shopSite>>;
  let agent: FrontdeskClient;
  const atAgent: Message[] = [];
  const dialogs: string[] = [];

  before(async () => {
    fs.mkdirSync(screenshots, { recursive: true });
    server = await startServer('sqlite');
    shop = await createShop(server, 'Corner shop');
    site = await shopSite(server, shop.shopId);
    const patched = await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { widgetOrigins: [site.origin] } } });
    assert.equal(patched.status, 200);
    agent = new FrontdeskClient({ url: wsUrl(server), token: shop.agentToken, backoff: { initialMs: 50, maxMs: 500 } });
    agent.on('message', (m) => atAgent.push(m));
    await agent.connect();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(site.origin);
    widget = page.frameLocator('[data-frontdesk-widget] >> iframe');
  });
  after(async () => {
    agent?.close();
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  const launcher = () => page.locator('[data-frontdesk-widget] >> button.launcher');
  const waitAtAgent = async (predicate: (m: Message) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const found = atAgent.find(predicate);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the agent never received it');
  };

  test('an anonymous customer chats with an agent from a page of another origin', { timeout: 60_000 }, async () => {
    await launcher().waitFor();
    await page.screenshot({ path: `${screenshots}widget-closed.png` });
    await launcher().click();
    const input = widget.locator('textarea');
    await input.waitFor();
    await widget.locator('header h1', { hasText: 'Corner shop' }).waitFor();
    await page.screenshot({ path: `${screenshots}widget-open.png` });

    await input.fill('Hello, where is my parcel?');
    await input.press('Enter');
    const question = await waitAtAgent((m) => m.text === 'Hello, where is my parcel?');
    assert.equal(question.senderKind, 'customer');
    await agent.send({ conversationId: question.conversationId, text: 'On its way: https://track.example/123' }).promise;
    await widget.locator('.row.theirs .bubble', { hasText: 'On its way' }).waitFor();
    const link = widget.locator('.row.theirs a[href="https://track.example/123"]');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow ugc');
    // Answered, so read.
    await widget.locator('.row.mine .meta', { hasText: 'Read' }).waitFor();
    // A later question is only sent until the agent reads it.
    await input.fill('And the invoice?');
    await input.press('Enter');
    const second = await waitAtAgent((m) => m.text === 'And the invoice?');
    const secondMeta = widget.locator('.row.mine', { hasText: 'And the invoice?' }).locator('.meta');
    await secondMeta.filter({ hasText: 'Sent' }).waitFor();
    await agent.markRead(second.conversationId, second.seq);
    await secondMeta.filter({ hasText: 'Read' }).waitFor();
    await page.screenshot({ path: `${screenshots}widget-conversation.png` });
  });

  test('XSS in messages renders as text', { timeout: 30_000 }, async () => {
    const conversationId = atAgent[0]!.conversationId;
    const payloads = ['<img src=x onerror="alert(1)">', '<script>alert(2)</script>', '"><svg onload=alert(3)>', 'javascript:alert(4)'];
    for (const text of payloads) await agent.send({ conversationId, text }).promise;
    for (const text of payloads) await widget.locator('.row.theirs .bubble', { hasText: text }).waitFor();
    assert.equal(await widget.locator('.messages img[src="x"], .messages script, .messages svg').count(), 0);
    assert.equal(await widget.locator('.messages a[href^="javascript"]').count(), 0);
    assert.deepEqual(dialogs, []);
  });

  test('a reload keeps the history', { timeout: 30_000 }, async () => {
    await page.reload();
    await launcher().click();
    await widget.locator('.bubble', { hasText: 'Hello, where is my parcel?' }).waitFor();
    await widget.locator('.bubble', { hasText: 'On its way' }).waitFor();
  });

  test('a network drop and recovery lose nothing', { timeout: 60_000 }, async () => {
    const conversationId = atAgent[0]!.conversationId;
    // Drop the network: the browser goes offline and the server loses the socket.
    await context.setOffline(true);
    const customerId = atAgent[0]!.senderId;
    for (const connection of server.app.gateway.hub.connections()) {
      if (connection.userId === customerId) connection.close('SERVICE_UNAVAILABLE');
    }
    await widget.locator('.status').waitFor();
    const input = widget.locator('textarea');
    await input.fill('sent while offline');
    await input.press('Enter');
    await widget.locator('.row.mine .bubble', { hasText: 'sent while offline' }).waitFor();
    await agent.send({ conversationId, text: 'answered while you were offline' }).promise;
    await context.setOffline(false);
    await waitAtAgent((m) => m.text === 'sent while offline');
    await widget.locator('.row.theirs .bubble', { hasText: 'answered while you were offline' }).waitFor();
    await widget.locator('.status').waitFor({ state: 'detached' });
    assert.equal(await widget.locator('.bubble', { hasText: 'sent while offline' }).count(), 1, 'shown once');
  });

  test('an image is sent, with its thumbnail in the conversation', { timeout: 60_000 }, async () => {
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#e76f51' } }).png().toBuffer();
    await widget.locator('footer input[type=file]').setInputFiles({ name: 'parcel.png', mimeType: 'image/png', buffer: png });
    const image = await waitAtAgent((m) => m.attachment?.name === 'parcel.png');
    assert.equal(image.contentType, 'image');
    assert.deepEqual(image.attachment?.thumbnail, { width: 320, height: 240 });
    const thumbnail = widget.locator('.row.mine .image img');
    await thumbnail.waitFor();
    assert.match((await thumbnail.getAttribute('src')) ?? '', /\/api\/v1\/files\/.+\/thumbnail\?expires=/);
    type Img = { complete: boolean; naturalWidth: number; onload: (() => void) | null };
    const loaded = await thumbnail.evaluate((img: Img) => (img.complete ? img.naturalWidth : new Promise((resolve) => (img.onload = () => resolve(img.naturalWidth)))));
    assert.equal(loaded, 320);
  });

  test('setUser with a JWT: the customer’s earlier history and the visitor’s conversation together; reset starts afresh', { timeout: 60_000 }, async () => {
    const secret = new TextEncoder().encode(shop.identitySecret);
    const jwt = await new SignJWT({ name: 'Ann <b>Identified</b>' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('customer-42')
      .setExpirationTime('10m')
      .sign(secret);
    // Ann wrote from another device earlier.
    const earlier = await openWidget(server, shop.shopId, { identity: { jwt } });
    assert.equal((await send(server, earlier.token, earlier.conversationId, 'my earlier question from the phone')).status, 201);

    const visitorKey = `frontdesk:${shop.shopId}:visitor`;
    const storedToken = () => page.evaluate((key) => localStorage.getItem(key), visitorKey);
    assert.match((await storedToken()) ?? '', /^fdv_/);

    type Api = { Frontdesk: { setUser(u: { jwt: string }): void; reset(): void } };
    await page.evaluate((token) => (globalThis as unknown as Api).Frontdesk.setUser({ jwt: token }), jwt);
    await widget.locator('.bubble', { hasText: 'my earlier question from the phone' }).waitFor();
    // What she wrote before signing in is hers now, after her earlier history.
    const texts = await widget.locator('.bubble').allTextContents();
    const earlierAt = texts.findIndex((t) => t.includes('my earlier question from the phone'));
    const anonymousAt = texts.findIndex((t) => t.includes('Hello, where is my parcel?'));
    assert.ok(earlierAt >= 0 && anonymousAt > earlierAt, `order: ${JSON.stringify(texts)}`);
    await widget.locator('.bubble', { hasText: 'answered while you were offline' }).waitFor();
    assert.equal(await storedToken(), null, 'the page forgets the visitor token once folded in');
    const anonymousCustomer = atAgent[0]!.senderId!;
    assert.equal(await server.app.store.customers.find(anonymousCustomer), undefined, 'the anonymous visitor is gone');

    // Logout: a new anonymous visitor with an empty conversation.
    await page.evaluate(() => (globalThis as unknown as Api).Frontdesk.reset());
    await widget.locator('.bubble', { hasText: 'my earlier question from the phone' }).waitFor({ state: 'detached' });
    await widget.locator('textarea').waitFor();
    for (let i = 0; i < 100 && (await storedToken()) === null; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match((await storedToken()) ?? '', /^fdv_/);
    assert.equal(await widget.locator('.bubble').count(), 0);
  });

  test('the bundles fit their budgets', async () => {
    const sizes = await widgetSizes();
    assert.ok(sizes.loader <= budgets.loader, `loader ${sizes.loader} B gzip`);
    assert.ok(sizes.app <= budgets.app, `app ${sizes.app} B gzip`);
  });
});
