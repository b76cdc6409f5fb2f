import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import type { BusinessHours, Weekday } from '@frontdesk/protocol';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { nextOpeningAt } from '../../../packages/server/src/domain/business-hours.ts';
import { call, createShop, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { horizontalOverflow, PASSWORD, screenshotDir, signIn } from './support/console.ts';

const screenshots = screenshotDir();

/** The shop's website on another origin, its widget in `locale`. */
async function site(server: TestServer, shopId: string, locale: string) {
  const page = http.createServer((_request, response) => {
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`<!doctype html><html><head><title>Corner shop</title></head><body><h1>Corner shop</h1><script src="${server.url}/widget.js" data-shop="${shopId}" data-locale="${locale}" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  const { port } = page.address() as AddressInfo;
  return { origin: `http://localhost:${port}`, close: () => new Promise<void>((resolve) => page.close(() => resolve())) };
}

type Styles = { getComputedStyle(element: unknown): { getPropertyValue(name: string): string } };
/** A computed style of the element, in the page. */
const css = (locator: ReturnType<Page['locator']>, property: string) =>
  locator.evaluate((element, name) => (globalThis as unknown as Styles).getComputedStyle(element).getPropertyValue(name), property);

/** Administration → Widget with its live preview, the branded widget on a shop's site, the pre-chat form and the offline form (issue 22, item 4). */
describe('widget branding and forms in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  const ownerEmail = 'wendy@branding.example';

  before(async () => {
    server = await startServer('sqlite');
    shop = await createShop(server, 'Corner shop');
    await server.app.services.staff.createInShop(shop.shopId, { email: ownerEmail, name: 'Wendy', role: 'owner', password: PASSWORD });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const allow = async (owner: ShopFixture, origin: string) => {
    const reply = await call(server, 'PATCH', '/api/v1/shop', { token: owner.ownerToken, body: { settings: { widgetOrigins: [origin] } } });
    assert.equal(reply.status, 200);
  };
  const openWidget = async (page: Page, origin: string): Promise<FrameLocator> => {
    await page.goto(origin);
    await page.locator('[data-frontdesk-widget] >> button.launcher').click();
    return page.frameLocator('[data-frontdesk-widget] >> iframe');
  };

  test('the admin changes colour, greeting, position, launcher text and logo in the live preview, saves, and a widget on another origin shows them', { timeout: 90_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await signIn(server, context, ownerEmail);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Administration', exact: true }).click();
      await page.getByRole('tab', { name: 'Widget' }).click();
      const preview = page.frameLocator('.widget-preview iframe');
      await preview.locator('header h1', { hasText: 'Corner shop' }).waitFor();
      assert.equal(await css(preview.locator('header'), 'background-color'), 'rgb(37, 99, 235)', 'the default blue');

      await page.locator('input[name=color]').fill('#fde047');
      await page.getByLabel(/^Greeting/).fill('Welcome to Corner shop! Ask us anything.');
      await page.getByLabel('Bottom left').check();
      await page.getByLabel(/^Launcher text/).fill('Help');
      const logo = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#7c3aed' } }).png().toBuffer();
      await page.getByLabel('Logo', { exact: true }).setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logo });
      await page.getByRole('status').filter({ hasText: 'Logo uploaded.' }).waitFor();

      // The preview follows the draft at once, with the text colour chosen for contrast (dark on yellow).
      await preview.locator('.greeting .bubble', { hasText: 'Welcome to Corner shop!' }).waitFor();
      assert.equal(await css(preview.locator('header'), 'background-color'), 'rgb(253, 224, 71)');
      assert.equal(await css(preview.locator('header'), 'color'), 'rgb(17, 24, 39)');
      await preview.locator('header img.logo').waitFor();
      assert.ok((await preview.locator('header img.logo').evaluate((img) => (img as { naturalWidth: number }).naturalWidth)) > 0, 'the logo loads');
      const launcher = page.locator('.preview-launcher');
      assert.equal((await launcher.textContent())?.trim(), 'Help');
      const box = (await launcher.boundingBox())!;
      const pageBox = (await page.locator('.preview-page').boundingBox())!;
      assert.ok(box.x - pageBox.x < pageBox.width / 2, 'the launcher sits on the left');
      await page.getByText('Text on it: dark').waitFor();
      // Not saved yet: the shop still has its old colour.
      assert.equal((await call(server, 'GET', '/api/v1/shop', { token: shop.ownerToken })).body.settings.widget.color, '#2563eb');
      await page.screenshot({ path: `${screenshots}widget-admin-preview.png`, fullPage: true });

      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const saved = (await call(server, 'GET', '/api/v1/shop', { token: shop.ownerToken })).body.settings.widget;
      assert.deepEqual({ ...saved, logo: typeof saved.logo }, {
        color: '#fde047',
        greeting: 'Welcome to Corner shop! Ask us anything.',
        position: 'left',
        launcherText: 'Help',
        logo: 'string',
        prechat: { name: 'off', email: 'off' },
      });

      // A real widget on the shop's site (another origin).
      const shopSite = await site(server, shop.shopId, 'en');
      await allow(shop, shopSite.origin);
      const visitor = await browser.newContext({ viewport: { width: 1000, height: 760 } });
      try {
        const customer = await visitor.newPage();
        await customer.goto(shopSite.origin);
        const button = customer.locator('[data-frontdesk-widget] >> button.launcher');
        await button.filter({ hasText: 'Help' }).waitFor();
        assert.equal(await css(button, 'background-color'), 'rgb(253, 224, 71)');
        assert.equal(await css(button, 'color'), 'rgb(17, 24, 39)');
        assert.ok((await button.boundingBox())!.x < 100, 'bottom left');
        assert.equal(await button.getAttribute('aria-label'), 'Help', 'its visible text is its name');
        await button.click();
        const frame = customer.frameLocator('[data-frontdesk-widget] >> iframe');
        await frame.locator('.greeting .bubble', { hasText: 'Welcome to Corner shop! Ask us anything.' }).waitFor();
        assert.equal(await css(frame.locator('header'), 'background-color'), 'rgb(253, 224, 71)');
        await frame.locator('header img.logo').waitFor();
        assert.ok((await frame.locator('header img.logo').evaluate((img) => (img as { naturalWidth: number }).naturalWidth)) > 0);
        assert.ok((await customer.locator('[data-frontdesk-widget] >> .frame').boundingBox())!.x < 100, 'the chat opens on the left too');
        await customer.screenshot({ path: `${screenshots}widget-branded.png` });
      } finally {
        await visitor.close();
        await shopSite.close();
      }

      // The same look for a Chinese visitor on a phone: the chat takes the screen, in the shop's colour.
      const zhSite = await site(server, shop.shopId, 'zh-CN');
      await allow(shop, zhSite.origin);
      const phone = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'zh-CN' });
      try {
        const customer = await phone.newPage();
        const frame = await openWidget(customer, zhSite.origin);
        await frame.locator('.greeting .bubble', { hasText: 'Welcome to Corner shop!' }).waitFor();
        await frame.locator('footer textarea[placeholder="输入消息…"]').waitFor();
        assert.equal(await css(frame.locator('header'), 'background-color'), 'rgb(253, 224, 71)');
        const chat = (await customer.locator('[data-frontdesk-widget] >> .frame').boundingBox())!;
        assert.deepEqual([chat.x, chat.width], [0, 360], 'full width at 360 px');
        await customer.screenshot({ path: `${screenshots}widget-branded-zh-360.png` });
      } finally {
        await phone.close();
        await zhSite.close();
      }
    } finally {
      await context.close();
    }
  });

  test('the admin page and its preview in zh-CN at 360 px', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    try {
      const page = await signIn(server, context, ownerEmail);
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByLabel('Language').selectOption('zh-CN');
      await page.getByRole('button', { name: '关闭' }).click();
      await page.getByRole('navigation', { name: '页面' }).or(page.getByRole('navigation', { name: 'Pages' })).getByRole('button', { name: '管理', exact: true }).click();
      await page.getByRole('tab', { name: '小部件' }).click();
      await page.getByLabel(/^欢迎语/).fill('欢迎光临！');
      const preview = page.frameLocator('.widget-preview iframe');
      await preview.locator('.greeting .bubble', { hasText: '欢迎光临！' }).waitFor();
      await preview.locator('header .status', { hasText: '客服在线' }).waitFor();
      await page.getByText('其上文字').waitFor();
      assert.equal(await horizontalOverflow(page), 0, 'nothing wider than 360 px');
      await page.locator('.widget-preview').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${screenshots}widget-admin-zh-360.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('a required name: the pre-chat form blocks the chat until it is filled (en and zh-CN, 360 px)', { timeout: 90_000 }, async () => {
    const strict = await createShop(server, 'Strict shop');
    const widget = { color: '#1e3a8a', greeting: '', position: 'right', launcherText: '', logo: null, prechat: { name: 'required', email: 'optional' } };
    assert.equal((await call(server, 'PATCH', '/api/v1/shop', { token: strict.ownerToken, body: { settings: { widget } } })).status, 200);
    const cases = [
      { locale: 'en', nameLabel: 'Your name *', start: 'Start the chat', blocked: 'Fill in the form above first.', name: 'Ann Example', text: 'Hello from Ann' },
      { locale: 'zh-CN', nameLabel: '您的姓名 *', start: '开始对话', blocked: '请先填写上面的表单。', name: '王芳', text: '你好，我是王芳' },
    ];
    for (const c of cases) {
      const strictSite = await site(server, strict.shopId, c.locale);
      await allow(strict, strictSite.origin);
      const visitor = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: c.locale });
      try {
        const page = await visitor.newPage();
        const frame = await openWidget(page, strictSite.origin);
        const form = frame.locator('form.prechat');
        await form.waitFor();
        const textarea = frame.locator('footer textarea');
        assert.equal(await textarea.isDisabled(), true, 'no chat before the form');
        assert.equal(await textarea.getAttribute('placeholder'), c.blocked);
        assert.equal(await form.getByRole('button', { name: /Skip|跳过/ }).count(), 0, 'a required field cannot be skipped');
        // Empty, the browser refuses to submit it.
        await form.getByRole('button', { name: c.start }).click();
        assert.equal(await form.getByLabel(c.nameLabel).evaluate((input) => (input as { validity: { valueMissing: boolean } }).validity.valueMissing), true);
        assert.equal(await form.count(), 1);
        await page.screenshot({ path: `${screenshots}widget-prechat-${c.locale}.png` });

        await form.getByLabel(c.nameLabel).fill(c.name);
        await form.getByRole('button', { name: c.start }).click();
        await form.waitFor({ state: 'detached' });
        await textarea.fill(c.text);
        await frame.locator('footer button.send').click();
        await frame.locator('.row.mine .bubble', { hasText: c.text }).waitFor();
        let stored: { name: string | null } | undefined;
        for (let i = 0; i < 100 && !stored; i++) {
          stored = await server.storage.db
            .selectFrom('messages')
            .innerJoin('customers', 'customers.id', 'messages.sender_id')
            .select('customers.name as name')
            .where('messages.text', '=', c.text)
            .executeTakeFirst();
          if (!stored) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal(stored?.name, c.name, 'the message is stored, from the customer with the name given');
        assert.equal(await horizontalOverflow(page), 0);
      } finally {
        await visitor.close();
        await strictSite.close();
      }
    }
  });

  test('closed by business hours: the offline form with e-mail tells when the shop opens again, in the visitor’s language and time zone', { timeout: 90_000 }, async () => {
    const night = await createShop(server, 'Night shop');
    // Open one hour a week, three days from now (UTC): closed now, whenever the test runs.
    const days: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    const day = days[new Date(Date.now() + 3 * 86_400_000).getUTCDay()]!;
    const businessHours: BusinessHours = { timezone: 'UTC', days: { [day]: [['10:00', '11:00']] } };
    assert.equal((await call(server, 'PATCH', '/api/v1/shop', { token: night.ownerToken, body: { settings: { businessHours } } })).status, 200);
    const opensAt = nextOpeningAt(businessHours, Date.now())!;
    assert.ok(opensAt > Date.now());
    const cases = [
      { locale: 'en', timezoneId: 'America/New_York', prefix: 'We open again', hour: '6:00' },
      { locale: 'zh-CN', timezoneId: 'Asia/Shanghai', prefix: '我们将于', hour: '18:00' },
    ];
    for (const c of cases) {
      const nightSite = await site(server, night.shopId, c.locale);
      await allow(night, nightSite.origin);
      const visitor = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: c.locale, timezoneId: c.timezoneId });
      try {
        const page = await visitor.newPage();
        const frame = await openWidget(page, nightSite.origin);
        const line = frame.locator('.away .opens-at');
        await line.waitFor();
        const text = (await line.textContent()) ?? '';
        const weekday = new Intl.DateTimeFormat(c.locale, { weekday: 'long', timeZone: c.timezoneId }).format(opensAt);
        const expectedHour = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: c.timezoneId }).format(opensAt);
        assert.ok(text.startsWith(c.prefix), text);
        assert.ok(text.includes(weekday), `${text} names ${weekday}`);
        // 10:00 UTC is 06:00 in New York in summer and 05:00 in winter; 18:00 in Shanghai.
        const hour = c.locale === 'en' ? expectedHour.replace(/^0/, '') : expectedHour;
        assert.ok(text.includes(hour), `${text} shows ${hour} (${c.hour} in summer)`);
        await frame.locator('.offline-email input[type=email]').waitFor();
        await page.screenshot({ path: `${screenshots}widget-offline-opens-${c.locale}.png` });
      } finally {
        await visitor.close();
        await nightSite.close();
      }
    }
  });
});
