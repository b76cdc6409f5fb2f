/**
 * The console's look and rough edges (issue 22, items 7–9) in Chromium: dark mode, administration in
 * human units, the inbox tabs that fit, the demo page on a phone, the favicon, the customer panel that
 * follows the conversation and a new staff member's password as a panel to copy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { call, createShop, openWidget, send, setRouting, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { addStaff, createLabel, horizontalOverflow, PASSWORD, screenshotDir, signIn, type Person } from './support/console.ts';

const screenshots = screenshotDir();

/** The page's window, typed for the little these tests ask of it (the tests' tsconfig has no DOM). */
type Win = { getComputedStyle(element: unknown): { backgroundColor: string; color: string }; navigator: { clipboard: { readText(): Promise<string> } } };

/** The luminance (0 black … 1 white) of the background an element shows: its own, or the nearest ancestor's that is not transparent. */
async function backgroundLuminance(page: Page, selector: string): Promise<number> {
  const colour = await page
    .locator(selector)
    .first()
    .evaluate((el) => {
      let node = el as unknown as { parentElement: unknown } | null;
      for (; node; node = node.parentElement as typeof node) {
        const colour = (globalThis as unknown as Win).getComputedStyle(node).backgroundColor;
        if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
      }
      return 'rgb(255, 255, 255)';
    });
  const [r, g, b] = (colour.match(/\d+(\.\d+)?/g) ?? []).map(Number) as [number, number, number];
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

/** Signs in on the Chinese console (the login page speaks the browser's language). */
async function signInZh(server: TestServer, context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('tab', { name: /排队中/ }).waitFor();
  return page;
}

/** Administration → Staff: adds `name` (an agent); the panel with the generated password. */
async function addStaffMember(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Administration', exact: true }).click();
  await page.getByRole('tab', { name: 'Staff' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('E-mail', { exact: true }).fill(`${name.toLowerCase()}@look.example`);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  return page.getByRole('region', { name: /One-time password/ });
}

describe('console: look and rough edges in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let people: Record<'ann' | 'bea' | 'olga', Person>;
  const contexts: BrowserContext[] = [];
  const context = async (options: Parameters<Browser['newContext']>[0] = {}) => {
    const made = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
    contexts.push(made);
    return made;
  };

  before(async () => {
    server = await startServer('sqlite');
    shop = await createShop(server, 'Corner shop');
    people = await addStaff(server, shop.shopId, 'look.example');
    browser = await launchChromium();
  });
  after(async () => {
    for (const made of contexts) await made.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  test('dark mode: the console follows prefers-color-scheme (body, list, conversation); light stays light', { timeout: 60_000 }, async () => {
    const customer = await openWidget(server, shop.shopId);
    assert.equal((await send(server, customer.token, customer.conversationId, 'Is the blue teapot in stock?')).status, 201);
    const dark = await signIn(server, await context({ colorScheme: 'dark' }), people.olga.email);
    await dark.getByRole('tab', { name: /Queue/ }).click();
    await dark.locator('.item', { hasText: 'blue teapot' }).click();
    await dark.locator('.bubble', { hasText: 'blue teapot' }).waitFor();
    for (const selector of ['body', '.list', '.pane', '.history', '.panel']) assert.ok((await backgroundLuminance(dark, selector)) < 0.2, `${selector} is dark`);
    const text = await dark.locator('body').evaluate((el) => (globalThis as unknown as Win).getComputedStyle(el).color);
    assert.notEqual(text, 'rgb(17, 24, 39)', 'text is light on dark');
    await dark.screenshot({ path: `${screenshots}look-console-inbox-dark.png` });
    // Every page: its main area dark too (a colour left out of the palette shows as a light box).
    for (const name of ['Contacts', 'Team', 'Campaigns', 'Statistics', 'Operations', 'Administration']) {
      await dark.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name, exact: true }).click();
      const main = dark.locator('.shell > :last-child');
      await main.waitFor();
      assert.ok((await backgroundLuminance(dark, '.shell > :last-child')) < 0.2, `${name} is dark`);
      await dark.screenshot({ path: `${screenshots}look-dark-${name.toLowerCase()}.png` });
    }

    const light = await signIn(server, await context({ colorScheme: 'light' }), people.olga.email);
    for (const selector of ['body', '.list']) assert.ok((await backgroundLuminance(light, selector)) > 0.9, `${selector} is light`);
  });

  test('dates and times follow the console’s language, not the browser’s', { timeout: 60_000 }, async () => {
    const customer = await openWidget(server, shop.shopId);
    assert.equal((await send(server, customer.token, customer.conversationId, 'What time do you open?')).status, 201);
    // An English browser (en-US: "05:42 PM"), a staff member who chose Chinese ("17:42", "12月6日").
    const page = await signIn(server, await context({ locale: 'en-US' }), people.bea.email);
    await page.getByRole('tab', { name: /Queue/ }).click();
    const row = page.locator('.item', { hasText: 'What time do you open?' });
    assert.match((await row.locator('time').textContent()) ?? '', /[AP]M/, 'English first');
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('dialog').getByRole('button', { name: '关闭' }).click();
    await page.getByRole('tab', { name: /排队中/ }).click();
    assert.match((await row.locator('time').textContent()) ?? '', /^\d{2}:\d{2}$/, 'a 24-hour time in Chinese');
    await row.click();
    await page.locator('.history .time', { hasText: /\d+月\d+日/ }).waitFor();
    await page.getByRole('button', { name: '设置' }).click();
    await page.getByLabel('语言').selectOption('en');
  });

  test('the inbox tabs, "Closed" included, are whole at 1440, 1280 and 360 px, in en and zh-CN', { timeout: 60_000 }, async () => {
    for (const locale of ['en', 'zh-CN']) {
      const made = await context({ locale, viewport: { width: 1440, height: 900 } });
      // A busy shop's counts: four digits for the closed conversations.
      await made.route('**/api/v1/conversations/counts', (route) => route.fulfill({ json: { queue: 12, mine: 8, open: 240, closed: 1385 } }));
      const page = locale === 'en' ? await signIn(server, made, people.ann.email) : await signInZh(server, made, people.ann.email);
      for (const width of [1440, 1280, 360]) {
        await page.setViewportSize({ width, height: width === 360 ? 740 : 900 });
        await page.locator('.tabs .count', { hasText: '1385' }).waitFor();
        const tabs = page.locator('.list .tabs');
        const box = (await tabs.boundingBox())!;
        assert.ok(await tabs.evaluate((el) => el.scrollWidth <= el.clientWidth), `${locale} ${width}: the tab bar does not scroll`);
        for (const tab of await tabs.getByRole('tab').all()) {
          const b = (await tab.boundingBox())!;
          assert.ok(b.x >= box.x - 0.5 && b.x + b.width <= box.x + box.width + 0.5, `${locale} ${width}: “${await tab.textContent()}” is inside the bar`);
        }
        assert.equal(await horizontalOverflow(page), 0, `${locale} ${width}: nothing overflows`);
        if (width === 1440 && locale === 'en') await page.screenshot({ path: `${screenshots}look-inbox-tabs-1440.png`, clip: { x: 0, y: 0, width: 420, height: 200 } });
      }
    }
  });

  test('administration: sizes in MB, durations in minutes, readable strategies and roles, every field labelled (en and zh-CN)', { timeout: 60_000 }, async () => {
    const page = await signIn(server, await context({ viewport: { width: 1280, height: 1000 } }), people.olga.email);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Administration', exact: true }).click();
    const size = page.getByLabel('Largest attachment (MB)');
    assert.equal(await size.inputValue(), '20', '20971520 bytes read as 20 MB');
    const strategy = page.getByLabel('Routing strategy');
    const options = await strategy.locator('option').allTextContents();
    assert.ok(options.includes('Nobody: agents claim from the queue'), options.join(' | '));
    assert.ok(!options.some((o) => /^[a-z-]+$/.test(o)), `no enum ids: ${options.join(' | ')}`);
    assert.ok(await page.getByText('Mon', { exact: true }).isVisible(), 'weekday names');
    // Every form control has a label.
    type Field = { labels: { length: number } | null; getAttribute(name: string): string | null; outerHTML: string };
    const unlabelled = await page.locator('main.admin').evaluate((main) =>
      [...(main as unknown as { querySelectorAll(s: string): Iterable<Field> }).querySelectorAll('input, select, textarea')]
        .filter((el) => el.labels?.length === 0 && !el.getAttribute('aria-label'))
        .map((el) => el.outerHTML),
    );
    assert.deepEqual(unlabelled, []);
    await page.screenshot({ path: `${screenshots}look-admin.png`, fullPage: true });

    await size.fill('5');
    await page.getByLabel(/^Move to an online colleague .* \(minutes, 0 = never\)$/).fill('2');
    await strategy.selectOption({ label: 'Agents in turn (round robin)' });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const stored = await call(server, 'GET', '/api/v1/shop', { token: shop.ownerToken });
    assert.equal(stored.body.settings.maxAttachmentBytes, 5 * 1024 * 1024);
    assert.equal(stored.body.settings.autoReassignSeconds, 120);
    assert.equal(stored.body.settings.routingStrategy, 'round-robin');
    await setRouting(server, shop, 'manual'); // the later tests find their conversations in the queue

    await page.getByRole('tab', { name: 'Staff' }).click();
    const role = page.locator('form.labelled select[name=role]');
    await role.waitFor();
    assert.deepEqual(await role.locator('option').allTextContents(), ['Agent', 'Admin', 'Owner']);
    // On a phone: the settings and the staff list fit the width.
    await page.setViewportSize({ width: 360, height: 740 });
    assert.equal(await horizontalOverflow(page), 0, 'staff at 360 px');
    assert.equal(await page.locator('main.admin').evaluate((el) => el.scrollWidth - el.clientWidth), 0, 'staff at 360 px, inside the page');
    await page.screenshot({ path: `${screenshots}look-admin-staff-360.png` });
    await page.getByRole('tab', { name: 'Shop settings' }).click();
    assert.equal(await page.locator('main.admin').evaluate((el) => el.scrollWidth - el.clientWidth), 0, 'settings at 360 px');

    const zh = await signInZh(server, await context({ locale: 'zh-CN' }), people.olga.email);
    await zh.getByRole('navigation').getByRole('button', { name: '管理', exact: true }).click();
    assert.equal(await zh.getByLabel('附件大小上限（MB）').inputValue(), '5');
    assert.equal(await zh.getByLabel('客服离开期间客户等待超过此时长，转给在线同事（分钟，0 = 不转接）').inputValue(), '2');
    assert.ok((await zh.getByLabel('分配策略').locator('option').allTextContents()).includes('客服轮流接待'));
    assert.ok(await zh.getByText('周一', { exact: true }).isVisible(), 'weekday names in Chinese');
    await zh.screenshot({ path: `${screenshots}look-admin-zh.png`, fullPage: true });
  });

  test('a new staff member’s one-time password is a success panel with a copy button, not an error', { timeout: 60_000 }, async () => {
    const made = await context();
    await made.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await signIn(server, made, people.olga.email);
    const panel = await addStaffMember(page, 'Dora');
    await panel.waitFor();
    assert.equal(await page.locator('.error, [role=alert]').count(), 0, 'nothing shown as an error');
    await panel.getByText('shown only this once').waitFor();
    const password = await panel.getByRole('textbox').inputValue();
    assert.ok(password.length >= 12, 'the password is in the field');
    const background = await panel.evaluate((el) => (globalThis as unknown as Win).getComputedStyle(el).backgroundColor);
    assert.notEqual(background, 'rgba(0, 0, 0, 0)');
    await page.screenshot({ path: `${screenshots}look-staff-password.png` });
    await panel.getByRole('button', { name: 'Copy' }).click();
    await panel.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as Win).navigator.clipboard.readText()), password);
    // The password works.
    assert.equal((await call(server, 'POST', '/api/v1/auth/login', { body: { email: 'dora@look.example', password } })).status, 200);
    await panel.getByRole('button', { name: 'Done' }).click();
    assert.equal(await panel.count(), 0);
  });

  test('without the Clipboard API, Copy selects the password for Ctrl+C', { timeout: 60_000 }, async () => {
    const made = await context();
    await made.addInitScript(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
    const panel = await addStaffMember(await signIn(server, made, people.olga.email), 'Eve');
    await panel.getByRole('button', { name: 'Copy' }).click();
    const field = panel.getByRole('textbox');
    const selected = await field.evaluate((el) => {
      const input = el as unknown as { value: string; selectionStart: number | null; selectionEnd: number | null };
      return input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0);
    });
    assert.equal(selected, await field.inputValue());
  });

  test('the customer panel follows the conversation: queued, then assigned, then closed, without a reload', { timeout: 60_000 }, async () => {
    const customer = await openWidget(server, shop.shopId);
    assert.equal((await send(server, customer.token, customer.conversationId, 'Where is my parcel?')).status, 201);
    const page = await signIn(server, await context({ viewport: { width: 1440, height: 900 } }), people.olga.email);
    await page.getByRole('tab', { name: /Queue/ }).click();
    await page.locator('.item', { hasText: 'Where is my parcel?' }).click();
    const panel = page.getByRole('complementary', { name: 'Customer' });
    const latest = panel.locator('.inquiries li').first();
    await latest.locator('.status', { hasText: 'Queued' }).waitFor();
    await panel.getByText('Anonymous visitor').waitFor(); // the customer's kind by name, not 'anonymous'

    // Ann, in her own browser, claims it and later closes it.
    const ann = await signIn(server, await context(), people.ann.email);
    await ann.getByRole('tab', { name: /Queue/ }).click();
    await ann.locator('.item', { hasText: 'Where is my parcel?' }).click();
    await ann.getByRole('button', { name: 'Claim' }).click();
    await latest.locator('.status', { hasText: 'Assigned' }).waitFor();
    await latest.getByText('Ann').waitFor();

    await ann.getByRole('button', { name: 'Close', exact: true }).click();
    await latest.locator('.status', { hasText: 'Closed' }).waitFor();
  });

  test('a refused upload in the console composer says so, in the staff member’s language, and can be dismissed', { timeout: 60_000 }, async () => {
    const customer = await openWidget(server, shop.shopId);
    assert.equal((await send(server, customer.token, customer.conversationId, 'Here is the invoice')).status, 201);
    const page = await signIn(server, await context(), people.olga.email);
    await page.getByRole('tab', { name: /Queue/ }).click();
    await page.locator('.item', { hasText: 'Here is the invoice' }).click();
    await page.getByRole('button', { name: 'Claim' }).click();
    // Larger than the 5 MB the administration test saved.
    await page.locator('.composer input[type=file]').setInputFiles({ name: 'huge.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(6 * 1024 * 1024, 1) });
    const refused = page.getByRole('alert').filter({ hasText: '“huge.pdf” was not sent' });
    await refused.waitFor();
    assert.match((await refused.textContent()) ?? '', /larger than the shop allows/);
    assert.equal(await page.locator('.history .bubble', { hasText: 'huge.pdf' }).count(), 0, 'nothing that looks sent');
    await refused.getByRole('button', { name: 'Dismiss' }).click();
    assert.equal(await refused.count(), 0);
  });

  test('an error the server answers is said in the staff member’s language: a label name already taken (zh-CN), the server’s message in English', { timeout: 60_000 }, async () => {
    const en = await signIn(server, await context(), people.olga.email);
    await createLabel(en, 'Regulars', '#16a34a');
    await en.getByLabel('Label name').fill('Regulars');
    await en.getByRole('button', { name: 'Create label' }).click();
    await en.getByRole('alert').filter({ hasText: 'Another label of the shop has this name.' }).waitFor();

    const zh = await signInZh(server, await context({ locale: 'zh-CN' }), people.olga.email);
    await zh.getByRole('navigation').getByRole('button', { name: '管理', exact: true }).click();
    await zh.getByRole('tab', { name: '标签' }).click();
    await zh.getByLabel('标签名').fill('Regulars');
    await zh.getByRole('button', { name: '创建标签' }).click();
    const alert = zh.getByRole('alert').filter({ hasText: '店铺已有同名标签。' });
    await alert.waitFor();
    assert.doesNotMatch((await alert.textContent()) ?? '', /[A-Za-z]{4}/, 'no English left in the Chinese message');
    await zh.screenshot({ path: `${screenshots}look-error-zh.png` });
  });

  test('the demo page on a 360 px phone: nothing overflows, the widget opens full screen; a favicon everywhere, CSPs intact', { timeout: 60_000 }, async () => {
    const icon = await fetch(`${server.url}/favicon.svg`);
    assert.equal(icon.status, 200);
    assert.match(icon.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    assert.equal(icon.headers.get('x-content-type-options'), 'nosniff');
    assert.match(icon.headers.get('content-security-policy') ?? '', /default-src 'none'.*sandbox/);
    assert.match(await icon.text(), /^<svg /);
    assert.equal((await fetch(`${server.url}/favicon.ico`)).status, 200);
    for (const path of ['/console/', `/widget/?shop=${shop.shopId}`, '/demo']) {
      assert.match(await (await fetch(`${server.url}${path}`)).text(), /<link rel="icon" type="image\/svg\+xml" href="\/favicon.svg">/, path);
    }

    const phone = await context({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    const iconLoaded = page.waitForResponse((response) => response.url().endsWith('/favicon.svg') && response.status() === 200);
    await page.goto(`${server.url}/demo?shop=${shop.shopId}`);
    await iconLoaded;
    assert.equal(await horizontalOverflow(page), 0, 'the snippet wraps');
    const launcher = page.locator('[data-frontdesk-widget] >> button.launcher');
    await launcher.tap();
    const frame = page.locator('[data-frontdesk-widget] >> .frame');
    await frame.waitFor();
    const box = (await frame.boundingBox())!;
    assert.ok(box.width >= 359 && box.height >= 739, `full screen: ${box.width}×${box.height}`);
    const widget = page.frameLocator('[data-frontdesk-widget] >> iframe');
    await widget.locator('textarea').waitFor();
    await widget.locator('textarea').fill('Hello from a phone');
    await widget.locator('textarea').press('Enter');
    await widget.locator('.bubble', { hasText: 'Hello from a phone' }).waitFor();
    await page.screenshot({ path: `${screenshots}look-demo-360.png` });
    await widget.locator('header button').last().tap();
    await page.screenshot({ path: `${screenshots}look-demo-360-closed.png` });
    assert.deepEqual(errors.filter((e) => /Content Security Policy/i.test(e)), []);
  });
});
