import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { call, createShop, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { addStaff, horizontalOverflow, screenshotDir, signIn } from './support/console.ts';

/** Administration → API keys in Chromium: a key made in the console works on the push API; revoked, it stops. */
describe('console: API keys in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let olga = { id: '', email: '' };

  before(async () => {
    server = await startServer('sqlite');
    shop = await createShop(server, 'Key shop');
    ({ olga } = await addStaff(server, shop.shopId, 'keys.example'));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('an owner creates a key, sees it once, a system uses it, and revoking it ends that', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await signIn(server, context, olga.email);
    await page.getByRole('link', { name: 'Administration' }).or(page.getByRole('button', { name: 'Administration' })).first().click();
    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByText('No API keys yet.').waitFor();

    await page.getByLabel('What it is for').fill('Order system');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('textbox', { name: /API key/ });
    await shown.waitFor();
    const key = await shown.inputValue();
    assert.match(key, /^fdk_/);
    await page.getByText('it is shown this once').waitFor();
    await page.locator('.key', { hasText: 'Order system' }).waitFor();
    await page.screenshot({ path: `${screenshotDir()}console-api-keys.png` });

    // The key works on the push API, and is never listed again.
    const customer = await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: shop.shopId } });
    assert.equal(customer.status, 200);
    const pushed = await call(server, 'POST', '/api/v1/push/events', { token: key, body: { to: { conversationId: customer.body.conversation.id }, body: 'hello' } });
    assert.ok(pushed.status < 300, JSON.stringify(pushed.body));
    const listed = await call(server, 'GET', '/api/v1/api-keys', { token: shop.ownerToken });
    assert.equal(JSON.stringify(listed.body).includes(key), false);

    // On a phone: nothing wider than the screen.
    await page.setViewportSize({ width: 360, height: 800 });
    assert.equal(await horizontalOverflow(page), 0);
    await page.screenshot({ path: `${screenshotDir()}console-api-keys-360.png` });
    await page.setViewportSize({ width: 1280, height: 900 });

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Done' }).click();
    await page.locator('.key', { hasText: 'Order system' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('No API keys yet.').waitFor();
    const refused = await call(server, 'POST', '/api/v1/push/events', { token: key, body: { to: { conversationId: customer.body.conversation.id }, body: 'again' } });
    assert.equal(refused.status, 401);
    await context.close();
  });
});
