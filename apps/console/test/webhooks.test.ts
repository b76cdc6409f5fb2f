import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { call, createShop, openWidget, send, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { horizontalOverflow, PASSWORD, screenshotDir } from './support/console.ts';

const screenshots = screenshotDir();

/** A receiver on loopback that takes every request (200) and remembers the events it got. */
async function receiver() {
  const events: string[] = [];
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      events.push(String(request.headers['x-frontdesk-event'] ?? ''));
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/frontdesk`, events, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('console: webhooks administration in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  let page: Page;
  const ownerEmail = 'wanda@webhooks.example';

  before(async () => {
    // Loopback http receivers are refused in production; this deployment is a test's.
    server = await startServer('sqlite', { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
    shop = await createShop(server, 'Corner shop');
    await server.app.services.staff.createInShop(shop.shopId, { email: ownerEmail, name: 'Wanda', role: 'owner', password: PASSWORD });
    hooks = await receiver();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await hooks?.close();
    await server?.close();
  });

  test('an owner adds an endpoint, sees its secret once, and its deliveries', { timeout: 90_000 }, async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('E-mail').fill(ownerEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Administration' }).click();
    await page.getByRole('tab', { name: 'Webhooks' }).click();
    await page.getByText('No endpoints yet.').waitFor();

    // No event picked: said inline, nothing sent.
    await page.getByLabel('Endpoint URL').fill(hooks.url);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByRole('alert').filter({ hasText: 'Pick at least one event.' }).waitFor();

    // The API refuses the URL: its error, inline.
    await page.getByLabel('Endpoint URL').fill('ftp://127.0.0.1/hooks');
    await page.getByLabel('message.created').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByRole('alert').filter({ hasText: 'must start with https://' }).waitFor();

    await page.getByLabel('Endpoint URL').fill(hooks.url);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = page.getByRole('textbox', { name: /Signing secret/ });
    await secret.waitFor();
    const value = await secret.inputValue();
    assert.match(value, /^whsec_/);
    assert.equal(await secret.getAttribute('readonly'), '');
    await page.getByText('it will not be shown again').waitFor();
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText()), value);

    const endpoint = page.locator('.endpoint', { hasText: hooks.url });
    await endpoint.locator('.pill', { hasText: 'Active' }).waitFor();
    const listed = await call(server, 'GET', '/api/v1/webhooks', { token: shop.ownerToken });
    assert.deepEqual(listed.body.items.map((w: { url: string; events: string[] }) => [w.url, w.events]), [[hooks.url, ['message.created']]]);
    assert.equal(JSON.stringify(listed.body).includes(value), false, 'the secret is never listed again');

    // A customer writes: one message.created for the receiver.
    const customer = await openWidget(server, shop.shopId);
    const sent = await send(server, customer.token, customer.conversationId, 'Is my parcel on its way?');
    assert.equal(sent.status, 201, JSON.stringify(sent.body));

    await endpoint.getByRole('button', { name: 'Deliveries' }).click();
    const delivered = endpoint.locator('tr.delivery', { hasText: 'message.created' }).filter({ has: page.locator('.pill', { hasText: 'delivered' }) });
    for (let i = 0; i < 20 && (await delivered.count()) === 0; i++) {
      await page.waitForTimeout(500);
      await endpoint.getByRole('button', { name: /Refresh/ }).click();
    }
    await delivered.first().waitFor({ timeout: 2_000 });
    assert.ok(hooks.events.includes('message.created'), 'the receiver got it');
    assert.match((await delivered.first().textContent()) ?? '', /200/);
    // The administration scrolls inside its own pane: a tall window shows all of it.
    await page.setViewportSize({ width: 1280, height: 1100 });
    await page.screenshot({ path: `${screenshots}console-webhooks.png` });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Redeliver: the receiver gets it again.
    const before = hooks.events.length;
    await delivered.first().getByRole('button', { name: 'Redeliver' }).click();
    await page.getByRole('status').filter({ hasText: 'Queued to be sent again.' }).waitFor();
    for (let i = 0; i < 40 && hooks.events.length === before; i++) await page.waitForTimeout(250);
    assert.ok(hooks.events.length > before, 'redelivered');

    // On a phone: readable, nothing wider than the screen (the log scrolls in its own box).
    await page.setViewportSize({ width: 360, height: 1500 });
    await endpoint.waitFor();
    await page.screenshot({ path: `${screenshots}console-webhooks-360.png` });
    assert.equal(await horizontalOverflow(page), 0, 'nothing wider than 360 px');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Disable, enable, delete (confirmed).
    await endpoint.getByRole('button', { name: 'Disable' }).click();
    await endpoint.locator('.pill', { hasText: 'Disabled' }).waitFor();
    assert.equal((await call(server, 'GET', '/api/v1/webhooks', { token: shop.ownerToken })).body.items[0].active, false);
    await endpoint.getByRole('button', { name: 'Enable' }).click();
    await endpoint.locator('.pill', { hasText: 'Active' }).waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await endpoint.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No endpoints yet.').waitFor();
    assert.deepEqual((await call(server, 'GET', '/api/v1/webhooks', { token: shop.ownerToken })).body.items, []);
  });

  test('agents see no administration', async () => {
    const agent = await call(server, 'GET', '/api/v1/webhooks', { token: shop.agentToken });
    assert.equal(agent.status, 403);
  });
});
