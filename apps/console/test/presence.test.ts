/**
 * Issue 22, items 1, 2 and 7 in Chromium: an agent's browser closed for longer than the grace period
 * keeps the conversation and the customer reads nothing new, only a calm state; the inbox preview is
 * never a system line; a zh-CN customer reads routing lines in Chinese while the agent reads English.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { FrontdeskClient } from '../../../packages/sdk/src/index.ts';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { wsUrl } from '../../../packages/sdk/test/support/helpers.ts';
import { call, createShop, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { addStaff, PASSWORD, screenshotDir, shopSite, signIn, type Person } from './support/console.ts';

const screenshots = screenshotDir();
const GRACE_MS = 1_500;

describe('presence churn and routing lines in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof shopSite>>;
  let bea: FrontdeskClient;
  let people: Record<'ann' | 'bea' | 'olga', Person>;

  before(async () => {
    server = await startServer('sqlite', { PRESENCE_GRACE_MS: String(GRACE_MS), ROUTING_SWEEP_MS: '200' });
    shop = await createShop(server, 'Corner shop');
    people = await addStaff(server, shop.shopId, 'presence.example');
    // Bea is online on another device all along: the shop is available, only Ann comes and goes.
    const login = await call(server, 'POST', '/api/v1/auth/login', { body: { email: people.bea.email, password: PASSWORD } });
    bea = new FrontdeskClient({ url: wsUrl(server), token: login.body.token });
    await bea.connect();
    site = await shopSite(server, shop.shopId);
    await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { widgetOrigins: [site.origin] } } });
    browser = await launchChromium();
  });
  after(async () => {
    bea?.close();
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  async function customer(locale: string): Promise<{ context: BrowserContext; page: Page; widget: FrameLocator }> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 760 }, locale });
    const page = await context.newPage();
    await page.goto(site.origin);
    if (locale !== 'en') await page.evaluate((l) => (globalThis as unknown as { Frontdesk: { setLocale(l: string): void } }).Frontdesk.setLocale(l), locale);
    await page.locator('[data-frontdesk-widget] >> button.launcher').click();
    return { context, page, widget: page.frameLocator('[data-frontdesk-widget] >> iframe') };
  }

  async function say(widget: FrameLocator, text: string) {
    const input = widget.locator('textarea');
    await input.fill(text);
    await input.press('Enter');
    await widget.locator('.row.mine .bubble', { hasText: text }).waitFor();
  }

  /** The system lines the widget shows (not the calm state, the offline notice or the queue). */
  const systemLines = (widget: FrameLocator) => widget.locator('.messages p.notice:not(.calm):not(.away)').allInnerTexts();

  async function claim(page: Page, text: string) {
    await page.getByRole('tab', { name: /Queue/ }).click();
    await page.locator('.conversations .item', { hasText: text }).click();
    await page.locator('section.pane').getByRole('button', { name: 'Claim' }).click();
    await page.locator('section.pane .pane-head .status').filter({ hasText: 'Assigned to Ann' }).waitFor();
  }

  test('the agent closes the browser for longer than the grace period: still assigned, nothing new for the customer, a calm state', { timeout: 120_000 }, async () => {
    const { context: customerContext, widget } = await customer('en');
    await say(widget, 'Where is my parcel?');
    let annContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    let ann = await signIn(server, annContext, people.ann.email);
    await claim(ann, 'Where is my parcel?');
    const composer = ann.locator('section.pane footer textarea');
    await composer.fill('Let me check.');
    await composer.press('Enter');
    await widget.locator('.row.theirs .bubble', { hasText: 'Let me check.' }).waitFor();
    const linesBefore = await systemLines(widget);
    assert.deepEqual(linesBefore, ['Ann joined the conversation.']);

    await annContext.close();
    // Past the grace period, with several sweeps: Ann is offline.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const agents = await call(server, 'GET', '/api/v1/agents', { token: shop.ownerToken });
      if ((agents.body as Array<{ staffId: string; presence: string }>).find((a) => a.staffId === people.ann.id)?.presence === 'offline') break;
      assert.ok(Date.now() < deadline, 'Ann went offline');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // The customer closes and opens the chat again (the widget checks who answers on opening).
    await widget.getByRole('button', { name: 'Close chat' }).click();
    const customerPage = customerContext.pages()[0]!;
    await customerPage.locator('[data-frontdesk-widget] >> button.launcher').click();
    await widget.locator('.notice.calm', { hasText: 'We’ll reply soon.' }).waitFor();
    // The shop e-mails unread replies: the customer is offered that too.
    await widget.locator('form.offline-email').waitFor();
    assert.deepEqual(await systemLines(widget), linesBefore, 'no presence or assignment line reached the customer');
    await customerPage.screenshot({ path: `${screenshots}presence-widget-calm.png` });

    // Ann's console, reopened: the conversation is still hers.
    annContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    ann = await signIn(server, annContext, people.ann.email);
    await ann.getByRole('tab', { name: /Mine/ }).click();
    await ann.locator('.conversations .item', { hasText: 'Let me check.' }).click();
    await ann.locator('section.pane .pane-head .status').filter({ hasText: 'Assigned to Ann' }).waitFor();
    await ann.screenshot({ path: `${screenshots}presence-console-still-assigned.png` });
    // Back online: the calm state goes when the customer's chat checks again.
    await widget.getByRole('button', { name: 'Close chat' }).click();
    await customerPage.locator('[data-frontdesk-widget] >> button.launcher').click();
    await widget.locator('.notice.calm').waitFor({ state: 'detached' });
    assert.deepEqual(await systemLines(widget), linesBefore);
    await annContext.close();
    await customerContext.close();
  });

  test('a zh-CN customer reads routing lines in Chinese, the en agent in English; the inbox preview stays the customer’s words', { timeout: 120_000 }, async () => {
    const { context: customerContext, page: customerPage, widget } = await customer('zh-CN');
    await say(widget, '你好，我的订单还没到');
    const annContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const ann = await signIn(server, annContext, people.ann.email);
    await claim(ann, '你好，我的订单还没到');
    await widget.locator('.messages p.notice', { hasText: 'Ann 加入了对话。' }).waitFor();
    await ann.locator('section.pane p.system', { hasText: 'Ann joined the conversation.' }).waitFor();

    // The preview: the customer's words, not the system line.
    await ann.getByRole('tab', { name: /Mine/ }).click();
    const item = ann.locator('.conversations .item', { hasText: '你好，我的订单还没到' });
    await item.waitFor();
    assert.equal(await ann.locator('.conversations .item', { hasText: 'joined' }).count(), 0, 'a system line is never the preview');

    const pane = ann.locator('section.pane');
    await pane.getByRole('button', { name: 'Transfer' }).click();
    await pane.locator('.picker').getByRole('button', { name: /Bea/ }).click();
    await pane.locator('.pane-head .status').filter({ hasText: 'Assigned to Bea' }).waitFor();
    await widget.locator('.messages p.notice', { hasText: 'Ann 将对话转给了 Bea。' }).waitFor();
    await pane.locator('p.system', { hasText: 'Ann transferred the conversation to Bea.' }).waitFor();
    await pane.getByRole('button', { name: 'Close', exact: true }).click();
    await widget.locator('.messages p.notice', { hasText: 'Ann 结束了对话。' }).waitFor();
    await pane.locator('p.system', { hasText: 'Ann closed the conversation.' }).waitFor();
    await pane.locator('.pane-head .status').filter({ hasText: 'Closed' }).waitFor();
    assert.equal(await widget.locator('text=joined').count(), 0, 'no English in the zh-CN widget');
    await customerPage.screenshot({ path: `${screenshots}notices-widget-zh.png` });
    await ann.screenshot({ path: `${screenshots}notices-console-en.png` });
    await ann.getByRole('tab', { name: /Closed/ }).click();
    await ann.locator('.conversations .item', { hasText: '你好，我的订单还没到' }).waitFor();
    await annContext.close();
    await customerContext.close();
  });
});
