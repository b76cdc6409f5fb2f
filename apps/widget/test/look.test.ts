/**
 * The widget's look and a rough edge (issue 22, items 8–9) in Chromium: dark mode with the brand
 * colour kept, and a refused upload shown as failed (with the reason, dismissible), never as sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { call, createShop, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { screenshotDir, shopSite } from '../../console/test/support/console.ts';

const screenshots = screenshotDir();

/** The frame's window, typed for the little these tests ask of it (the tests' tsconfig has no DOM). */
type Win = { getComputedStyle(element: unknown): { backgroundColor: string; color: string } };

/** An element's computed background as [r, g, b]. */
async function background(widget: FrameLocator, selector: string): Promise<number[]> {
  const colour = await widget.locator(selector).first().evaluate((el) => (globalThis as unknown as Win).getComputedStyle(el).backgroundColor);
  return (colour.match(/\d+/g) ?? []).slice(0, 3).map(Number);
}
const luminance = ([r = 0, g = 0, b = 0]: number[]) => (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;

describe('widget: look and a refused upload in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof shopSite>>;

  before(async () => {
    server = await startServer('sqlite');
    shop = await createShop(server, 'Corner shop');
    site = await shopSite(server, shop.shopId);
    // The smallest limit the server takes (1 KiB), so that a 4 KiB file is refused.
    const patched = await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { widgetOrigins: [site.origin], maxAttachmentBytes: 1024 } } });
    assert.equal(patched.status, 200);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  async function openWidget(colorScheme: 'light' | 'dark'): Promise<{ page: Page; widget: FrameLocator }> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 760 }, colorScheme });
    const page = await context.newPage();
    await page.goto(site.origin);
    await page.locator('[data-frontdesk-widget] >> button.launcher').click();
    const widget = page.frameLocator('[data-frontdesk-widget] >> iframe');
    await widget.locator('textarea').waitFor();
    return { page, widget };
  }

  test('dark mode: the widget follows prefers-color-scheme, its header keeps the brand colour; times in its language', { timeout: 60_000 }, async () => {
    const { page, widget } = await openWidget('dark');
    await widget.locator('textarea').fill('Do you ship to Lyon?');
    await widget.locator('textarea').press('Enter');
    await widget.locator('.bubble', { hasText: 'Do you ship to Lyon?' }).waitFor();
    for (const selector of ['body', '.messages', 'footer textarea']) assert.ok(luminance(await background(widget, selector)) < 0.2, `${selector} is dark`);
    assert.deepEqual(await background(widget, 'header'), [37, 99, 235], 'the brand colour in dark mode too');
    await page.screenshot({ path: `${screenshots}look-widget-dark.png` });
    await page.context().close();

    const light = await openWidget('light');
    assert.ok(luminance(await background(light.widget, '.messages')) > 0.9, 'light stays light');
    assert.deepEqual(await background(light.widget, 'header'), [37, 99, 235]);
    // Dates and times in the widget's language.
    await light.widget.locator('textarea').fill('And to Shanghai?');
    await light.widget.locator('textarea').press('Enter');
    await light.widget.locator('.time', { hasText: /Dec|PM|AM/ }).first().waitFor();
    await light.page.evaluate(() => (globalThis as unknown as { Frontdesk: { setLocale(l: string): void } }).Frontdesk.setLocale('zh-CN'));
    await light.widget.locator('.time', { hasText: /\d+月\d+日/ }).first().waitFor();
    await light.page.context().close();
  });

  test('a refused upload shows as failed with the reason and can be dismissed, never as sent (en and zh-CN)', { timeout: 60_000 }, async () => {
    const { page, widget } = await openWidget('light');
    const file = { name: 'catalogue.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(4096, 1) };
    await widget.locator('footer input[type=file]').setInputFiles(file);
    const refused = widget.locator('.row.refused .bubble.failed', { hasText: 'catalogue.pdf' });
    await refused.waitFor();
    assert.equal(await refused.getByRole('alert').textContent(), 'Not sent: This file is too large. · Dismiss');
    assert.notDeepEqual(await background(widget, '.row.refused .bubble'), [37, 99, 235], 'not the colour of a sent bubble');
    await page.screenshot({ path: `${screenshots}look-widget-upload-refused.png` });
    await refused.getByRole('button', { name: 'Dismiss' }).click();
    assert.equal(await widget.locator('.bubble', { hasText: 'catalogue.pdf' }).count(), 0, 'gone once dismissed');

    await page.evaluate(() => (globalThis as unknown as { Frontdesk: { setLocale(l: string): void } }).Frontdesk.setLocale('zh-CN'));
    await widget.locator('footer input[type=file]').setInputFiles(file);
    const zh = widget.locator('.bubble.failed', { hasText: 'catalogue.pdf' });
    await zh.getByRole('alert').filter({ hasText: '未发送：文件太大。' }).waitFor();
    await zh.getByRole('button', { name: '关闭' }).click();
    assert.equal(await widget.locator('.bubble', { hasText: 'catalogue.pdf' }).count(), 0);
    await page.context().close();
  });
});
