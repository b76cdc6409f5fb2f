import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { call, createShop, identityToken, openWidget, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { eventually } from '../../../packages/server/test/support/eventually.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { addStaff, createLabel, horizontalOverflow, screenshotDir, shopSite, signIn, type Person } from './support/console.ts';

const screenshots = screenshotDir();

/**
 * A campaign end to end: the owner labels contacts in the console, builds a campaign from the label,
 * starts it and watches it reach 100 %; a customer on the shop's site gets it in the widget and
 * answers; the answer is in the agent's inbox. Then an ongoing campaign shown on a matching page.
 */
describe('console: campaigns in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof shopSite>>;
  let people: Record<'ann' | 'bea' | 'olga', Person>;
  let olga: Page;
  let ann: Page;
  let carolPage: Page;
  let carolWidget: FrameLocator;

  before(async () => {
    server = await startServer('sqlite');
    shop = await createShop(server, 'Corner shop');
    people = await addStaff(server, shop.shopId, 'campaigns.example');
    const carolJwt = await identityToken(shop.identitySecret, 'c-carol');
    // Carol signs in on the shop's site (the page identifies her to the widget); Dan and Eve wrote in before.
    site = await shopSite(server, shop.shopId, `(function up(){ if (window.Frontdesk) Frontdesk.setUser({ jwt: ${JSON.stringify(carolJwt)}, name: 'Carol Chen' }); else setTimeout(up, 20); })();`);
    await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { widgetOrigins: [site.origin] } } });
    await openWidget(server, shop.shopId, { identity: { jwt: carolJwt }, profile: { name: 'Carol Chen' } });
    for (const [sub, name] of [['c-dan', 'Dan Dunn'], ['c-eve', 'Eve Ellis']] as const) {
      await openWidget(server, shop.shopId, { identity: { jwt: await identityToken(shop.identitySecret, sub) }, profile: { name } });
    }
    browser = await launchChromium();
    olga = await signIn(server, await browser.newContext({ viewport: { width: 1280, height: 900 } }), people.olga.email);
    ann = await signIn(server, await browser.newContext({ viewport: { width: 1280, height: 860 } }), people.ann.email);
    const customer: BrowserContext = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    carolPage = await customer.newPage();
    await carolPage.goto(site.origin);
    carolWidget = carolPage.frameLocator('[data-frontdesk-widget] >> iframe');
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name, exact: true });
  const card = (page: Page, name: string) => page.locator('.campaign-list .campaign', { has: page.locator('strong', { hasText: name }) });

  test('label contacts, build a campaign from the label, start it, watch it complete; the customer gets it and the reply reaches the inbox', { timeout: 120_000 }, async () => {
    // A label, made on the admin page, given to Carol and Dan on the contact list.
    await createLabel(olga, 'Spring sale', '#16a34a');
    await nav(olga, 'Contacts').click();
    await olga.getByRole('checkbox', { name: 'Select Carol Chen' }).check();
    await olga.getByRole('checkbox', { name: 'Select Dan Dunn' }).check();
    await olga.locator('.bulk').getByLabel('Label').selectOption({ label: 'Spring sale' });
    await olga.getByRole('button', { name: 'Add label' }).click();
    await olga.locator('.contact-rows li', { hasText: 'Dan Dunn' }).locator('.chip', { hasText: 'Spring sale' }).waitFor();

    // The campaign: from Ann, to the label, counted live before it is saved.
    await nav(olga, 'Campaigns').click();
    await olga.getByRole('button', { name: '+ New campaign' }).click();
    await olga.getByLabel('Campaign name').fill('Spring sale');
    await olga.getByLabel('Sent by').selectOption({ label: 'Ann' });
    await olga.getByLabel('Message', { exact: true }).fill('Spring sale: 20% off everything today!');
    await olga.getByLabel('Contacts with any of these labels').check();
    await olga.locator('.label-choices').getByRole('checkbox', { name: 'Spring sale' }).check();
    await olga.locator('.audience-count', { hasText: '2 recipients now' }).waitFor();
    await olga.screenshot({ path: `${screenshots}campaigns-form.png`, fullPage: true });
    await olga.getByRole('button', { name: 'Save draft' }).click();
    const spring = card(olga, 'Spring sale');
    await spring.locator('.pill', { hasText: 'Draft' }).waitFor();

    // Set to start at a time, then back to "when I start it": the draft's schedule is taken away,
    // so Start below sends at once instead of waiting for 2030.
    const scheduled = async () => {
      const list = await call(server, 'GET', '/api/v1/campaigns', { token: shop.ownerToken });
      return list.body.items.find((c: { name: string }) => c.name === 'Spring sale').scheduledAt as string | null;
    };
    await spring.getByRole('button', { name: 'Edit' }).click();
    await olga.getByRole('radio', { name: 'At a time' }).check();
    await olga.locator('input[type="datetime-local"]').fill('2030-01-01T10:00');
    await olga.getByRole('button', { name: 'Save draft' }).click();
    await eventually('the schedule saved', async () => (await scheduled()) !== null);
    await spring.getByRole('button', { name: 'Edit' }).click();
    await olga.getByRole('radio', { name: 'When I start it' }).check();
    await olga.getByRole('button', { name: 'Save draft' }).click();
    await eventually('the schedule taken away', async () => (await scheduled()) === null);

    olga.once('dialog', (dialog) => void dialog.accept());
    await spring.getByRole('button', { name: 'Start' }).click();
    const bar = spring.getByRole('progressbar');
    await bar.waitFor();
    await spring.locator('[aria-valuenow="100"]').waitFor({ timeout: 30_000 });
    await spring.locator('.pill', { hasText: 'Completed' }).waitFor();
    await spring.getByText('2 of 2 sent').waitFor();
    await olga.screenshot({ path: `${screenshots}campaigns-progress.png` });

    // Carol, on the shop's site: the launcher shows it unread; opened, it is Ann's message.
    const launcher = carolPage.locator('[data-frontdesk-widget] >> button.launcher');
    await launcher.locator('.badge', { hasText: '1' }).waitFor();
    await launcher.click();
    await carolWidget.locator('.row.theirs .bubble', { hasText: 'Spring sale: 20% off everything today!' }).waitFor();
    await carolWidget.locator('.sender', { hasText: 'Ann' }).waitFor();
    const box = carolWidget.locator('textarea');
    await box.fill('Does it cover shoes?');
    await box.press('Enter');
    await carolPage.screenshot({ path: `${screenshots}campaigns-widget.png` });

    // Ann: the reply opened an inquiry in the queue, with the campaign message before it.
    const queued = ann.locator('.conversations .item', { hasText: 'Does it cover shoes?' });
    await queued.waitFor();
    await queued.click();
    const pane = ann.locator('section.pane');
    await pane.locator('.bubble', { hasText: 'Spring sale: 20% off everything today!' }).waitFor();
    await pane.locator('.bubble', { hasText: 'Does it cover shoes?' }).waitFor();
    await pane.locator('.pane-head .status', { hasText: 'Queued' }).waitFor();
    await ann.screenshot({ path: `${screenshots}campaigns-inbox.png` });

    // Eve had no label: nothing came to her.
    const eve = await call(server, 'GET', '/api/v1/contacts?q=Eve', { token: shop.ownerToken });
    const eveConversation = eve.body.items[0].conversationId;
    const history = await call(server, 'GET', `/api/v1/conversations/${eveConversation}/messages?limit=50`, { token: shop.ownerToken });
    assert.equal(history.body.items.filter((m: { text: string | null }) => m.text?.includes('Spring sale')).length, 0);

    // The results count the reply (the list is read afresh).
    await nav(olga, 'Contacts').click();
    await nav(olga, 'Campaigns').click();
    await card(olga, 'Spring sale').locator('.results-tiles div', { hasText: 'Replied' }).locator('dd', { hasText: '1' }).waitFor();
  });

  test('an ongoing campaign shows on a matching page after its delay, once, as a preview beside the launcher', { timeout: 90_000 }, async () => {
    await olga.getByRole('button', { name: '+ New campaign' }).click();
    await olga.getByLabel(/Ongoing: shown in the widget/).check();
    await olga.getByLabel('Campaign name').fill('Checkout help');
    await olga.getByLabel('Sent by').selectOption({ label: 'Bea' });
    await olga.getByLabel('Message', { exact: true }).fill('Need a hand with your order? <i>We are here.</i>');
    await olga.getByLabel('Page URL pattern (* matches anything)').fill(`${site.origin}/checkout*`);
    await olga.getByLabel('Seconds on the page before it shows').fill('1');
    await olga.getByRole('button', { name: 'Save draft' }).click();
    const checkout = card(olga, 'Checkout help');
    await checkout.getByRole('button', { name: 'Enable' }).click();
    await checkout.locator('.pill', { hasText: 'Running' }).waitFor();

    // A new visitor on the checkout page.
    const visitor = await (await browser.newContext({ viewport: { width: 1000, height: 760 } })).newPage();
    await visitor.goto(`${site.origin}/checkout?step=2`);
    const teaser = visitor.locator('[data-frontdesk-widget] >> button.teaser');
    await teaser.waitFor();
    assert.match(await teaser.innerText(), /Need a hand with your order\? <i>We are here\.<\/i>/);
    await visitor.screenshot({ path: `${screenshots}campaigns-ongoing-teaser.png` });
    await teaser.click();
    const widget = visitor.frameLocator('[data-frontdesk-widget] >> iframe');
    await widget.locator('.row.theirs .bubble', { hasText: 'Need a hand with your order?' }).waitFor();
    // Once per visitor: a reload does not show it again.
    await visitor.reload();
    // (The chat stays closed after a reload: its history is there, hidden.)
    await visitor.frameLocator('[data-frontdesk-widget] >> iframe').locator('.row.theirs .bubble', { hasText: 'Need a hand' }).waitFor({ state: 'attached' });
    await visitor.waitForTimeout(2500);
    assert.equal(await visitor.frameLocator('[data-frontdesk-widget] >> iframe').locator('.row.theirs .bubble', { hasText: 'Need a hand' }).count(), 1);
    // Another page of the site does not match.
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${site.origin}/about`);
    await other.waitForTimeout(2500);
    assert.equal(await other.locator('[data-frontdesk-widget] >> button.teaser').isVisible(), false);
  });

  test('campaigns read well at 360 px', { timeout: 60_000 }, async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await signIn(server, phone, people.olga.email);
    await nav(page, 'Campaigns').click();
    await card(page, 'Spring sale').getByRole('progressbar').waitFor();
    assert.equal(await horizontalOverflow(page), 0, 'nothing overflows the list at 360 px');
    await page.screenshot({ path: `${screenshots}campaigns-360.png`, fullPage: true });
    await page.getByRole('button', { name: '+ New campaign' }).click();
    await page.getByLabel('Contacts with any of these labels').check();
    assert.equal(await horizontalOverflow(page), 0, 'nothing overflows the form at 360 px');
    await page.screenshot({ path: `${screenshots}campaigns-form-360.png`, fullPage: true });
    await phone.close();
  });
});
