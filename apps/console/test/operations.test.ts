import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { createShop, openWidget, send, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { rawAuthed, type RawClient } from '../../../packages/server/test/support/ws-client.ts';
import { horizontalOverflow, PASSWORD, screenshotDir } from './support/console.ts';

const screenshots = screenshotDir();

/** A figure's tile as the page shows it, as a number. */
async function tile(page: Page, figure: string): Promise<number> {
  return Number((await page.locator(`.tile[data-figure="${figure}"] dd`).innerText()).replace(/[^\d]/g, ''));
}

async function until(what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('console: the operations dashboard in Chromium, zh-CN', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let page: Page;
  const ownerEmail = 'olga@operations.example';

  before(async () => {
    server = await startServer('sqlite', { OPERATIONS_PUSH_MS: '500' });
    shop = await createShop(server, '街角小店');
    await server.app.services.staff.createInShop(shop.shopId, { email: ownerEmail, name: 'Olga', role: 'owner', password: PASSWORD });
    // Two changes of an alert rule in the history (the alerts test makes real ones; this one shows them).
    const at = Date.now() - 600_000;
    await server.storage.db
      .insertInto('alert_events')
      .values([
        { id: '01900000-0000-7000-8000-000000000001', rule: 'loop-lag', metric: 'event_loop_lag_ms', state: 'firing', value: 231.5, threshold: 200, node: 'node-a (1a2b3c4d)', at },
        { id: '01900000-0000-7000-8000-000000000002', rule: 'loop-lag', metric: 'event_loop_lag_ms', state: 'resolved', value: 12, threshold: 200, node: 'node-a (1a2b3c4d)', at: at + 180_000 },
      ])
      .execute();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('an owner’s figures and charts move while a load runs, in Chinese, by keyboard', { timeout: 120_000 }, async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('邮箱').fill(ownerEmail);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByLabel('密码').press('Enter');
    const entry = page.getByRole('button', { name: '运行监控' });
    await entry.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /运行监控/ }).waitFor();
    await page.getByText('实时更新（每隔几秒）').waitFor();
    assert.equal(await page.locator('.operations .chart canvas').count(), 2, 'two uPlot charts');
    for (const label of ['今日消息（UTC）', '消息总数', '当前连接', '在线客服', '排队中', '最长等待', '发送 p99']) await page.getByText(label, { exact: true }).first().waitFor();
    await page.getByRole('cell', { name: '告警中' }).waitFor();
    await page.getByRole('cell', { name: '已恢复' }).waitFor();
    const before = { today: await tile(page, 'today'), connections: await tile(page, 'connections'), queue: await tile(page, 'queue') };

    // The load: five customers connect and each sends a message a few times a second, for three seconds.
    const customers = await Promise.all(Array.from({ length: 5 }, () => openWidget(server, shop.shopId)));
    const sockets: RawClient[] = await Promise.all(customers.map((c) => rawAuthed(server, c.token)));
    try {
      const end = Date.now() + 3_000;
      let sent = 0;
      while (Date.now() < end) {
        await Promise.all(customers.map((c) => send(server, c.token, c.conversationId, `负载 ${sent}`)));
        sent += customers.length;
      }
      await until('the messages of today move live', async () => (await tile(page, 'today')) >= before.today + sent);
      await until('the connections move live', async () => (await tile(page, 'connections')) >= before.connections + 5);
      await until('the queue moves live', async () => (await tile(page, 'queue')) >= before.queue + 5);
      assert.equal(await tile(page, 'total'), await tile(page, 'today'));
      await page.screenshot({ path: `${screenshots}operations-zh-desktop.png`, fullPage: true });
      await page.locator('.alerts').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${screenshots}operations-zh-alerts.png` });
    } finally {
      sockets.forEach((s) => s.close());
    }
    await until('the connections fall back once the customers leave', async () => (await tile(page, 'connections')) === before.connections);

    await page.setViewportSize({ width: 360, height: 780 });
    await page.waitForTimeout(600);
    assert.equal(await horizontalOverflow(page), 0, 'nothing overflows at 360 px');
    await page.screenshot({ path: `${screenshots}operations-zh-phone.png`, fullPage: true });
  });
});
