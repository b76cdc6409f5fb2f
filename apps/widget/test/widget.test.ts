import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import type { Message } from '@frontdesk/protocol';
import { FrontdeskClient } from '../../../packages/sdk/src/index.ts';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { wsUrl } from '../../../packages/sdk/test/support/helpers.ts';
import { call, createShop, identityToken, openWidget, send, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { platformSecret, startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { budgets, widgetSizes } from '../check-size.ts';

const screenshots = new URL('../../../artifacts/screenshots/', import.meta.url).pathname;

/** A shop's website: another origin (another port of loopback) with the embed snippet. */
async function shopSite(server: TestServer, shopId: string) {
  // The page's language is its `?locale=` (en unless told).
  const site = http.createServer((request, response) => {
    const locale = new URL(request.url ?? '/', 'http://site').searchParams.get('locale') === 'zh-CN' ? 'zh-CN' : 'en';
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        `<!doctype html><html><head><title>Corner shop</title><style>button{all:unset} *{font-size:40px!important}</style></head>` +
          `<body><h1>Corner shop</h1><script src="${server.url}/widget.js" data-shop="${shopId}" data-locale="${locale}" async></script></body></html>`,
      );
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const { port } = site.address() as AddressInfo;
  // Another host name than the server's (127.0.0.1): a cross-site embed, as on a shop's own domain.
  return { origin: `http://localhost:${port}`, close: () => new Promise<void>((resolve) => site.close(() => resolve())) };
}

/** In the page: whether the element has focus in its document or shadow root. */
const hasFocus = (element: { getRootNode(): unknown }) => element === (element.getRootNode() as { activeElement: unknown }).activeElement;

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

  test('XSS in messages and names renders as text', { timeout: 30_000 }, async () => {
    const conversationId = atAgent[0]!.conversationId;
    // The agent's name as the customer sees it, beside an avatar with their initial.
    await widget.locator('.sender', { hasText: 'Agent' }).first().waitFor();
    assert.equal(await widget.locator('.row.theirs .avatar').first().textContent(), 'A');
    const evil = '<img src=x onerror="alert(5)">Eve';
    const renamed = await call(server, 'PATCH', `/api/v1/staff/${shop.agentId}`, { token: shop.ownerToken, body: { name: evil } });
    assert.equal(renamed.status, 200);
    // Reopening the chat asks again who answers.
    await launcher().click();
    await launcher().click();
    await widget.locator('.sender', { hasText: evil }).first().waitFor();
    const payloads = ['<img src=x onerror="alert(1)">', '<script>alert(2)</script>', '"><svg onload=alert(3)>', 'javascript:alert(4)'];
    for (const text of payloads) await agent.send({ conversationId, text }).promise;
    for (const text of payloads) await widget.locator('.row.theirs .bubble', { hasText: text }).waitFor();
    assert.equal(await widget.locator('img[src="x"], .messages script, .messages svg').count(), 0);
    assert.equal(await widget.locator('.messages a[href^="javascript"]').count(), 0);
    assert.deepEqual(dialogs, []);
  });

  test('a reload keeps the history; the page’s language becomes the contact’s (their e-mails are in it)', { timeout: 30_000 }, async () => {
    const customerId = atAgent.find((m) => m.text === 'Hello, where is my parcel?')!.senderId!;
    const locale = async () => (await call(server, 'GET', `/api/v1/contacts/${customerId}`, { token: shop.agentToken })).body.contact.locale;
    assert.equal(await locale(), 'en');
    await page.goto(`${site.origin}/?locale=zh-CN`);
    await launcher().click();
    await widget.locator('.bubble', { hasText: 'Hello, where is my parcel?' }).waitFor();
    await widget.locator('.bubble', { hasText: 'On its way' }).waitFor();
    assert.equal(await widget.locator('html').getAttribute('lang'), 'zh-CN');
    assert.equal(await locale(), 'zh-CN');
    await page.goto(site.origin);
    await launcher().click();
    await widget.locator('.bubble', { hasText: 'On its way' }).waitFor();
    assert.equal(await locale(), 'en');
  });

  test('a network drop and recovery lose nothing', { timeout: 60_000 }, async () => {
    const conversationId = atAgent[0]!.conversationId;
    // Drop the network: the browser goes offline and the server loses the socket.
    await context.setOffline(true);
    const customerId = atAgent[0]!.senderId;
    for (const connection of server.app.gateway.hub.connections()) {
      if (connection.userId === customerId) connection.close('SERVICE_UNAVAILABLE');
    }
    await widget.locator('.connection').waitFor();
    const input = widget.locator('textarea');
    await input.fill('sent while offline');
    await input.press('Enter');
    await widget.locator('.row.mine .bubble', { hasText: 'sent while offline' }).waitFor();
    await agent.send({ conversationId, text: 'answered while you were offline' }).promise;
    await context.setOffline(false);
    await waitAtAgent((m) => m.text === 'sent while offline');
    await widget.locator('.row.theirs .bubble', { hasText: 'answered while you were offline' }).waitFor();
    await widget.locator('.connection').waitFor({ state: 'detached' });
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
    const jwt = await identityToken(shop.identitySecret, 'customer-42', { name: 'Ann <b>Identified</b>' });
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

  test('a platform customer sees their shops, newest first with unread counts, and switches between them', { timeout: 60_000 }, async () => {
    const other = await createShop(server, 'Tea house');
    const jwt = await identityToken(platformSecret, 'pat', { platform: true, name: 'Pat' });
    type Api = { Frontdesk: { setUser(u: { jwt: string }): void } };
    await page.evaluate((token) => (globalThis as unknown as Api).Frontdesk.setUser({ jwt: token }), jwt);
    const list = widget.getByRole('button', { name: 'Your conversations' });
    await list.waitFor();
    // Pat wrote to the tea house from its own site, which answered.
    const elsewhere = await openWidget(server, other.shopId, { identity: { jwt } });
    await send(server, elsewhere.token, elsewhere.conversationId, 'do you have oolong?');
    await send(server, other.ownerToken, elsewhere.conversationId, 'yes, three kinds');

    await list.click();
    const entries = widget.locator('.shops li');
    await entries.nth(1).waitFor();
    assert.deepEqual(await widget.locator('.shops strong').allTextContents(), ['Tea house', 'Corner shop']);
    assert.equal(await entries.nth(0).locator('.count').textContent(), '1');
    assert.equal(await entries.nth(0).locator('.preview').textContent(), 'yes, three kinds');
    await page.screenshot({ path: `${screenshots}widget-shops.png` });

    await entries.nth(0).locator('button').click();
    await widget.locator('header h1', { hasText: 'Tea house' }).waitFor();
    await widget.locator('.bubble', { hasText: 'yes, three kinds' }).waitFor();
    const input = widget.locator('textarea');
    await input.fill('I will take the second');
    await input.press('Enter');
    await widget.locator('.row.mine .meta', { hasText: 'Sent' }).waitFor();
    const history = await call(server, 'GET', `/api/v1/conversations/${elsewhere.conversationId}/messages`, { token: other.ownerToken });
    assert.equal(history.body.items.at(-1).text, 'I will take the second');
    // A message in the shop not on screen moves it to the top of the list, counted unread.
    const home = (await call(server, 'GET', '/api/v1/conversations', { token: elsewhere.token })).body.items.find((c: { shopId: string }) => c.shopId === shop.shopId);
    await agent.send({ conversationId: home.id, text: 'Corner shop here' }).promise;
    await list.click();
    await widget.locator('.shops li').first().locator('.count', { hasText: '1' }).waitFor();
    assert.deepEqual(await widget.locator('.shops strong').allTextContents(), ['Corner shop', 'Tea house']);

    // Simplified Chinese on the page's word.
    type Locale = { Frontdesk: { setLocale(l: string): void } };
    await page.evaluate(() => (globalThis as unknown as Locale).Frontdesk.setLocale('zh-CN'));
    await widget.locator('header h1', { hasText: '我的会话' }).waitFor();
    assert.equal(await widget.locator('html').getAttribute('lang'), 'zh-CN');
    await page.screenshot({ path: `${screenshots}widget-shops-zh.png` });
    await page.evaluate(() => (globalThis as unknown as Locale).Frontdesk.setLocale('en'));
    await widget.locator('header h1', { hasText: 'Your conversations' }).waitFor();
  });

  test('nobody online: the offline message and its e-mail question; at 360 px, by keyboard alone', { timeout: 60_000 }, async () => {
    const quiet = await createShop(server, 'Night owl');
    const set = await call(server, 'PATCH', '/api/v1/shop', { token: quiet.ownerToken, body: { settings: { offlineMessage: 'Back at 9:00, leave us a note.' } } });
    assert.equal(set.status, 200);
    const quietSite = await shopSite(server, quiet.shopId);
    await call(server, 'PATCH', '/api/v1/shop', { token: quiet.ownerToken, body: { settings: { widgetOrigins: [quietSite.origin] } } });
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true });
    try {
      const small = await phone.newPage();
      await small.goto(quietSite.origin);
      const frame = small.frameLocator('[data-frontdesk-widget] >> iframe');
      const launcherButton = small.locator('[data-frontdesk-widget] >> button.launcher');
      await launcherButton.waitFor();
      await small.keyboard.press('Tab');
      assert.equal(await launcherButton.evaluate(hasFocus), true, 'the launcher takes focus first');
      await small.keyboard.press('Enter');
      const input = frame.locator('textarea');
      await input.waitFor();
      await frame.locator('.notice.away', { hasText: 'Back at 9:00, leave us a note.' }).waitFor();
      await frame.locator('header .status', { hasText: 'Away' }).waitFor();
      for (let i = 0; i < 50 && !(await input.evaluate(hasFocus)); i++) await small.waitForTimeout(50);
      assert.equal(await input.evaluate(hasFocus), true, 'the composer has focus when the chat opens');
      await small.keyboard.type('Are you open tomorrow?');
      await small.keyboard.press('Enter');
      await frame.locator('.row.mine .bubble', { hasText: 'Are you open tomorrow?' }).waitFor();
      // The offline notice asks for an address to answer at (docs/channels.md#e-mail).
      await frame.locator('.offline-email input').fill('night-owl@example.test');
      await small.screenshot({ path: `${screenshots}widget-offline-email.png` });
      await frame.locator('.offline-email button').click();
      await frame.locator('.notice', { hasText: 'we will e-mail night-owl@example.test' }).waitFor();
      const stored = await server.storage.db.selectFrom('customers').select('email').where('email', '=', 'night-owl@example.test').execute();
      assert.equal(stored.length, 1);

      // The whole width, nothing overflowing sideways.
      const box = await small.locator('[data-frontdesk-widget] >> .frame').boundingBox();
      assert.equal(box?.width, 360);
      const overflow = await frame.locator('html').evaluate((html: { scrollWidth: number; clientWidth: number }) => html.scrollWidth - html.clientWidth);
      assert.equal(overflow, 0);
      await small.screenshot({ path: `${screenshots}widget-360.png` });

      await input.focus();
      await small.keyboard.press('Escape');
      await small.locator('[data-frontdesk-widget] >> .frame').waitFor({ state: 'hidden' });
      assert.equal(await launcherButton.evaluate(hasFocus), true, 'focus returns to the launcher');
    } finally {
      await phone.close();
      await quietSite.close();
    }
  });

  test('a shop that asks for it: the e-mail question before the first message, which may be skipped or answered', { timeout: 60_000 }, async () => {
    const asking = await createShop(server, 'Asking shop');
    const askingSite = await shopSite(server, asking.shopId);
    const email = { enabled: true, fromName: null, delayMinutes: 10, transcriptOnClose: false, askBeforeChat: true };
    const set = await call(server, 'PATCH', '/api/v1/shop', { token: asking.ownerToken, body: { settings: { widgetOrigins: [askingSite.origin], email } } });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    // Someone online: the question is the pre-chat one, not the offline notice's.
    const online = new FrontdeskClient({ url: wsUrl(server), token: asking.agentToken });
    await online.connect();
    const visitor = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    try {
      for (const answer of ['skip', 'fill'] as const) {
        const page = await visitor.newPage();
        // The same visitor comes back: still no address and no message, so the question again.
        await page.goto(askingSite.origin);
        await page.locator('[data-frontdesk-widget] >> button.launcher').click();
        const frame = page.frameLocator('[data-frontdesk-widget] >> iframe');
        // The old e-mail question is now the pre-chat form with an optional e-mail (docs/widget.md#pre-chat-form).
        const form = frame.locator('.prechat', { hasText: 'Before we start' });
        await form.waitFor();
        if (answer === 'skip') {
          await form.getByRole('button', { name: 'Skip' }).click();
          await form.waitFor({ state: 'detached' });
        } else {
          await form.getByLabel('Your e-mail (optional)').fill('prechat@example.test');
          await form.getByRole('button', { name: 'Start the chat' }).click();
          await frame.locator('.notice', { hasText: 'we will e-mail prechat@example.test' }).waitFor();
          const stored = await server.storage.db.selectFrom('customers').select('id').where('email', '=', 'prechat@example.test').execute();
          assert.equal(stored.length, 1);
        }
        await page.close();
      }
    } finally {
      online.close();
      await visitor.close();
      await askingSite.close();
    }
  });

  test('while the tab is hidden: a desktop notification, a flashing title and the badge', { timeout: 60_000 }, async () => {
    const hidden = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    // Every frame gets a recording Notification (permission granted) and a switchable document.hidden.
    await hidden.addInitScript(() => {
      const w = globalThis as unknown as { notes: Array<{ title: string; body?: string }>; hide: boolean; document: object };
      w.notes = [];
      w.hide = false;
      class Recorder {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        constructor(title: string, options?: { body?: string }) {
          w.notes.push({ title, body: options?.body });
        }
      }
      Object.defineProperty(w, 'Notification', { value: Recorder, configurable: true });
      Object.defineProperty(w.document, 'hidden', { get: () => w.hide, configurable: true });
    });
    try {
      const tab = await hidden.newPage();
      await tab.goto(site.origin);
      const frame = tab.frameLocator('[data-frontdesk-widget] >> iframe');
      const launcherButton = tab.locator('[data-frontdesk-widget] >> button.launcher');
      await launcherButton.click();
      const input = frame.locator('textarea');
      await input.fill('one question before I go');
      await input.press('Enter');
      const question = await waitAtAgent((m) => m.text === 'one question before I go');
      await launcherButton.click();

      const setHidden = async (value: boolean) => {
        for (const f of tab.frames()) {
          await f.evaluate((v) => {
            const w = globalThis as unknown as { hide: boolean; document: EventTarget };
            w.hide = v;
            w.document.dispatchEvent(new Event('visibilitychange'));
          }, value);
        }
      };
      await setHidden(true);
      await agent.send({ conversationId: question.conversationId, text: 'here is the answer' }).promise;
      const widgetFrame = tab.frames().find((f) => f.url().includes('/widget/'))!;
      for (let i = 0; i < 100 && (await widgetFrame.evaluate(() => (globalThis as unknown as { notes: unknown[] }).notes.length)) === 0; i++) await tab.waitForTimeout(50);
      assert.deepEqual(await widgetFrame.evaluate(() => (globalThis as unknown as { notes: unknown[] }).notes), [{ title: 'New message', body: 'here is the answer' }]);
      const titles = new Set<string>();
      for (let i = 0; i < 30 && !titles.has('New message'); i++) {
        titles.add(await tab.title());
        await tab.waitForTimeout(100);
      }
      assert.ok(titles.has('New message'), `the title flashes: ${[...titles].join(' | ')}`);
      await tab.locator('[data-frontdesk-widget] >> .badge', { hasText: '1' }).waitFor();

      await setHidden(false);
      for (let i = 0; i < 30 && (await tab.title()) !== 'Corner shop'; i++) await tab.waitForTimeout(100);
      assert.equal(await tab.title(), 'Corner shop', 'back to the page’s own title');
    } finally {
      await hidden.close();
    }
  });

  test('the bundles fit their budgets', async () => {
    const sizes = await widgetSizes();
    assert.ok(sizes.loader <= budgets.loader, `loader ${sizes.loader} B gzip`);
    assert.ok(sizes.app <= budgets.app, `app ${sizes.app} B gzip`);
  });
});
