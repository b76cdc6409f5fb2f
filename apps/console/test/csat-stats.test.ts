import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { newId } from '../../../packages/server/src/domain/ids.ts';
import { call, createShop, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { addStaff, horizontalOverflow, screenshotDir, shopSite, signIn as signInAt, type Person } from './support/console.ts';

const screenshots = screenshotDir();
const DAY = 86_400_000;
type Locale = { Frontdesk: { setLocale(l: string): void } };

/**
 * Customer satisfaction and statistics in Chromium (issue 22 items 3 and 6): the owner turns the
 * question on, an agent closes, the widget asks, the customer rates 4 with a comment, and the
 * statistics page shows it; its range changes the figures; the CSV has the rows; en and zh-CN.
 */
describe('CSAT and statistics in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let people: Record<'ann' | 'bea' | 'olga', Person>;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof shopSite>>;
  let staffContext: BrowserContext;
  let ann: Page;
  let olga: Page;

  before(async () => {
    server = await startServer('sqlite');
    shop = await createShop(server, 'Tea house');
    people = await addStaff(server, shop.shopId, 'tea.example');
    site = await shopSite(server, shop.shopId);
    await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { widgetOrigins: [site.origin] } } });
    browser = await launchChromium();
    staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    ann = await signInAt(server, staffContext, people.ann.email);
    olga = await signInAt(server, await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true }), people.olga.email);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name, exact: true });

  /** A customer on the shop's site who wrote `text`; Ann claims, answers and closes from the console. */
  async function servedAndClosed(text: string, locale = 'en', viewport = { width: 1000, height: 800 }) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(site.origin);
    if (locale !== 'en') await page.evaluate((l) => (globalThis as unknown as Locale).Frontdesk.setLocale(l), locale);
    const widget = page.frameLocator('[data-frontdesk-widget] >> iframe');
    await page.locator('[data-frontdesk-widget] >> button.launcher').click();
    await widget.locator('textarea').first().fill(text);
    await widget.locator('textarea').first().press('Enter');
    const item = ann.locator('.conversations .item', { hasText: text });
    await item.waitFor();
    await item.click();
    const pane = ann.locator('section.pane');
    await pane.getByRole('button', { name: 'Claim' }).click();
    const composer = pane.locator('footer textarea');
    await composer.fill('Sorry, it is on its way.');
    await composer.press('Enter');
    await widget.locator('.row.theirs .bubble', { hasText: 'Sorry, it is on its way.' }).waitFor();
    await pane.getByRole('button', { name: 'Close', exact: true }).click();
    await pane.locator('.pane-head .status').filter({ hasText: 'Closed' }).waitFor();
    return { page, widget, context };
  }

  test('the owner turns the question on in Administration', { timeout: 60_000 }, async () => {
    await nav(olga, 'Administration').click();
    const section = olga.locator('section.csat-admin');
    // A switch that saves as it flips, by keyboard.
    await section.getByRole('switch', { name: 'Ask customers for a rating after a close' }).focus();
    await olga.keyboard.press('Space');
    await section.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.deepEqual((await call(server, 'GET', '/api/v1/shop', { token: shop.ownerToken })).body.settings.csat, { enabled: true });
  });

  test('close from the console → the widget asks (again after a reload) → 4 stars and a comment → in the statistics', { timeout: 120_000 }, async () => {
    const { page, widget, context } = await servedAndClosed('My parcel is late');
    const form = widget.locator('form.csat');
    await form.getByText('How would you rate this conversation?').waitFor();
    // Not answered: a reload asks again (the question comes from the server).
    await page.reload();
    await page.locator('[data-frontdesk-widget] >> button.launcher').click();
    await form.waitFor();
    // By keyboard: Tab to the stars, arrows to choose, Tab to the comment.
    await form.getByRole('radio', { name: /^1 of 5/ }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await form.getByRole('radio', { name: /^4 of 5/ }).isChecked(), true);
    await form.getByLabel('Anything to add? (optional)').fill('Quick and kind <b>thanks</b>');
    await page.screenshot({ path: `${screenshots}csat-widget-ask.png` });
    // The owner watches the statistics: the rating arrives live (the csat frame), without a click.
    await nav(olga, 'Statistics').click();
    await olga.locator('[data-figure="csat"] dd', { hasText: '—' }).waitFor();
    await form.getByRole('button', { name: 'Send rating' }).click();
    await widget.locator('.csat.thanks', { hasText: 'Thank you for your feedback!' }).waitFor();
    await page.screenshot({ path: `${screenshots}csat-widget-thanks.png` });
    await page.reload();
    await page.locator('[data-frontdesk-widget] >> button.launcher').click();
    await widget.locator('.csat.thanks').waitFor();
    assert.equal(await widget.locator('form.csat').count(), 0, 'answered: not asked again');
    await olga.locator('[data-figure="csat"] dd', { hasText: '4.00 / 5' }).waitFor();
    await context.close();

    const comment = olga.locator('.csat-panel .comments li', { hasText: 'Quick and kind <b>thanks</b>' });
    await comment.waitFor();
    assert.equal(await comment.locator('b').count(), 0, 'the comment is text, not markup');
    assert.match(await comment.locator('.meta').innerText(), /^4\/5 · Ann · /);
    const annRow = olga.getByRole('region', { name: 'By agent' }).getByRole('row', { name: /Ann/ });
    assert.match(await annRow.innerText(), /4\.00 \(1\)/);
    await olga.screenshot({ path: `${screenshots}stats-desktop.png`, fullPage: true });
  });

  test('the range changes the figures; the CSV has the rows of the range', { timeout: 90_000 }, async () => {
    // An inquiry of 20 days ago, answered after 90 s and closed after an hour: inside 30 days, outside 7.
    const customer = await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: shop.shopId } });
    const created = Date.now() - 20 * DAY;
    await server.storage.db
      .insertInto('inquiries')
      .values({ id: newId(), shop_id: shop.shopId, conversation_id: customer.body.conversation.id, customer_id: customer.body.customer.id, status: 'closed', assignee_id: people.bea.id, created_at: created, queued_at: created, assigned_at: created, first_response_at: created + 90_000, closed_at: created + 3_600_000 })
      .execute();
    await nav(olga, 'Statistics').click();
    await olga.getByRole('button', { name: 'Last 30 days' }).click();
    const inquiries = olga.locator('[data-figure="inquiries"] dd');
    await inquiries.filter({ hasText: /^2$/ }).waitFor();
    await olga.getByRole('region', { name: 'By agent' }).getByRole('row', { name: /Bea/ }).waitFor();
    await olga.getByRole('button', { name: 'Last 7 days' }).click();
    await inquiries.filter({ hasText: /^1$/ }).waitFor();
    assert.equal(await olga.getByRole('button', { name: 'Last 7 days' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await olga.getByRole('region', { name: 'By agent' }).getByRole('row', { name: /Bea/ }).count(), 0);
    // A chosen range: only the day of the old inquiry.
    const day = new Date(created);
    const local = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    await olga.getByLabel('From').fill(local);
    await olga.getByLabel('To').fill(local);
    await inquiries.filter({ hasText: /^1$/ }).waitFor();
    await olga.getByRole('region', { name: 'By agent' }).getByRole('row', { name: /Bea/ }).waitFor();
    await olga.locator('[data-figure="first-response"] dd', { hasText: '1.5 min median' }).waitFor();

    // A range the server refuses (the last day before the first) says so, and shows no stale figures.
    await olga.getByLabel('From').fill('2099-01-01');
    await olga.getByRole('alert').filter({ hasText: 'Choose a range of 1 to 92 days' }).waitFor();
    assert.equal(await inquiries.count(), 0);

    await olga.getByRole('button', { name: 'Last 30 days' }).click();
    await inquiries.filter({ hasText: /^2$/ }).waitFor();
    const [download] = await Promise.all([olga.waitForEvent('download'), olga.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\n');
    assert.equal(csv[0], 'row,key,name,inquiries,closed,answered,first_response_p50_ms,first_response_p90_ms,first_response_p95_ms,resolution_p50_ms,resolution_p90_ms,resolution_p95_ms,csat_count,csat_average');
    assert.equal(csv.filter((line) => line.startsWith('day,')).length, 30);
    assert.ok(csv.some((line) => line.startsWith(`agent,${people.bea.id},Bea,1,1,1,90000,90000,90000,3600000,3600000,3600000,0,`)), csv.join('\n'));
    assert.ok(csv.some((line) => line.startsWith(`agent,${people.ann.id},Ann,1,1,1,`) && line.endsWith(',1,4')), csv.join('\n'));
    assert.match(csv.at(-1)!, /^total,.*,2,2,2,.*,1,4$/);
  });

  test('at 360 px nothing overflows; in zh-CN the widget asks and the page reads in Chinese', { timeout: 120_000 }, async () => {
    await olga.setViewportSize({ width: 360, height: 780 });
    await olga.locator('[data-figure="inquiries"] dd').waitFor();
    assert.equal(await horizontalOverflow(olga), 0, 'nothing overflows the statistics at 360 px');
    await olga.screenshot({ path: `${screenshots}stats-360.png`, fullPage: true });
    await olga.setViewportSize({ width: 1280, height: 900 });

    const { page, widget, context } = await servedAndClosed('我的包裹到了吗', 'zh-CN', { width: 360, height: 740 });
    const form = widget.locator('form.csat');
    await form.getByText('您对本次服务满意吗？').waitFor();
    await page.screenshot({ path: `${screenshots}csat-widget-zh-360.png` });
    await form.locator('label', { hasText: '非常满意' }).click();
    await form.getByLabel('还有什么想说的吗？（选填）').fill('很快，谢谢');
    await form.getByRole('button', { name: '提交评价' }).click();
    await widget.locator('.csat.thanks', { hasText: '感谢您的评价！' }).waitFor();
    await page.screenshot({ path: `${screenshots}csat-widget-zh.png` });
    await context.close();

    await olga.getByRole('button', { name: 'Settings' }).click();
    await olga.getByLabel('Language').selectOption('zh-CN');
    await olga.getByRole('button', { name: '关闭' }).click();
    await nav(olga, '统计').click();
    await olga.getByRole('button', { name: '最近 7 天' }).click();
    await olga.locator('[data-figure="csat"] dd', { hasText: '4.50 / 5' }).waitFor();
    await olga.locator('.csat-panel .comments li', { hasText: '很快，谢谢' }).waitFor();
    await olga.getByRole('heading', { name: '满意度' }).waitFor();
    await olga.getByRole('region', { name: '按客服' }).waitFor();
    await olga.getByRole('button', { name: '下载 CSV' }).waitFor();
    await olga.screenshot({ path: `${screenshots}stats-zh.png`, fullPage: true });
  });
});
