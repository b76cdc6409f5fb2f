import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { FrontdeskClient } from '../../../packages/sdk/src/index.ts';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { wsUrl } from '../../../packages/sdk/test/support/helpers.ts';
import { call, createShop, identityToken, openWidget, send, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { addStaff, controllableVisibility, horizontalOverflow, PASSWORD, screenshotDir, setHidden, shopSite, signIn as signInAt, type Person } from './support/console.ts';

const screenshots = screenshotDir();

describe('agent console in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof shopSite>>;
  let customerContext: BrowserContext;
  let agentContext: BrowserContext;
  let ownerContext: BrowserContext;
  let customerPage: Page;
  let widget: FrameLocator;
  let consolePage: Page;
  let bea: FrontdeskClient;
  let people: Record<'ann' | 'bea' | 'olga', Person>;

  before(async () => {
    server = await startServer('sqlite');
    shop = await createShop(server, 'Corner shop');
    people = await addStaff(server, shop.shopId, 'corner.example');
    const beaLogin = await call(server, 'POST', '/api/v1/auth/login', { body: { email: people.bea.email, password: PASSWORD } });
    // Bea works from another device (the SDK): online, so conversations can be handed to her.
    bea = new FrontdeskClient({ url: wsUrl(server), token: beaLogin.body.token });
    await bea.connect();

    site = await shopSite(server, shop.shopId);
    await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { widgetOrigins: [site.origin] } } });
    browser = await launchChromium();
    customerContext = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    agentContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    ownerContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await controllableVisibility(agentContext);
    customerPage = await customerContext.newPage();
    await customerPage.goto(site.origin);
    widget = customerPage.frameLocator('[data-frontdesk-widget] >> iframe');
    consolePage = await signIn(agentContext, people.ann.email);
  });
  after(async () => {
    bea?.close();
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  const signIn = (context: BrowserContext, email: string) => signInAt(server, context, email);

  async function customerSays(text: string) {
    const input = widget.locator('textarea');
    await input.fill(text);
    await input.press('Enter');
    await widget.locator('.row.mine .meta', { hasText: /Sent|Read/ }).last().waitFor();
  }

  const pane = () => consolePage.locator('section.pane');
  const status = () => pane().locator('.pane-head .status');

  test('queue → claim → reply → note → transfer → close → the customer writes again and it reopens', { timeout: 90_000 }, async () => {
    await customerPage.locator('[data-frontdesk-widget] >> button.launcher').click();
    await customerSays('Hello, my order is late');

    // In the queue, live, with its preview and count.
    const queued = consolePage.locator('.conversations .item', { hasText: 'Hello, my order is late' });
    await queued.waitFor();
    await consolePage.getByRole('tab', { name: /Queue/ }).locator('.count', { hasText: '1' }).waitFor();
    await consolePage.screenshot({ path: `${screenshots}console-inbox.png` });
    await queued.click();
    await pane().locator('.bubble', { hasText: 'Hello, my order is late' }).waitFor();

    await pane().getByRole('button', { name: 'Claim' }).click();
    await status().filter({ hasText: 'Assigned to Ann' }).waitFor();
    await widget.locator('.notice', { hasText: 'Ann joined the conversation.' }).waitFor();

    const composer = pane().locator('footer textarea');
    await composer.fill('Sorry about that, checking now.');
    await composer.press('Enter');
    await widget.locator('.row.theirs .bubble', { hasText: 'Sorry about that, checking now.' }).waitFor();
    await widget.locator('.sender', { hasText: 'Ann' }).first().waitFor();

    // An internal note: visibly different in the console, never in the widget.
    await pane().getByRole('tab', { name: 'Internal note' }).click();
    await composer.fill('VIP customer, refund allowed');
    await composer.press('Enter');
    await pane().locator('.row.internal .bubble', { hasText: 'VIP customer, refund allowed' }).waitFor();
    await pane().getByRole('tab', { name: 'Reply' }).click();
    await composer.fill('It ships today.');
    await composer.press('Enter');
    await widget.locator('.row.theirs .bubble', { hasText: 'It ships today.' }).waitFor();
    assert.equal(await widget.locator('text=VIP customer').count(), 0, 'the note never reaches the widget');
    await consolePage.screenshot({ path: `${screenshots}console-conversation.png` });

    // Transfer to Bea, who is online on another device.
    await pane().getByRole('button', { name: 'Transfer' }).click();
    await pane().locator('.picker').getByRole('button', { name: /Bea/ }).click();
    await status().filter({ hasText: 'Assigned to Bea' }).waitFor();

    await pane().getByRole('button', { name: 'Close', exact: true }).click();
    await status().filter({ hasText: 'Closed' }).waitFor();

    // The customer writes again: a new inquiry, back in the queue.
    await customerSays('One more thing: the invoice?');
    await pane().locator('.bubble', { hasText: 'One more thing: the invoice?' }).waitFor();
    await status().filter({ hasText: 'Queued' }).waitFor();
    await consolePage.getByRole('tab', { name: /Queue/ }).locator('.count', { hasText: '1' }).waitFor();
  });

  test('a hidden console tab puts the news in its title', { timeout: 30_000 }, async () => {
    await consolePage.getByRole('tab', { name: /Closed/ }).click(); // the conversation stays open on screen
    await setHidden(consolePage, true);
    const before = await consolePage.title();
    assert.equal(before, 'Frontdesk');
    await customerSays('Are you still there?');
    const titles = new Set<string>();
    for (let i = 0; i < 40 && ![...titles].some((title) => title.startsWith('(1)')); i++) {
      titles.add(await consolePage.title());
      await consolePage.waitForTimeout(100);
    }
    assert.ok([...titles].some((title) => title.startsWith('(1)') || title.includes('New message')), `titles seen: ${[...titles].join(' | ')}`);
    await setHidden(consolePage, false);
    for (let i = 0; i < 30 && (await consolePage.title()) !== 'Frontdesk'; i++) await consolePage.waitForTimeout(100);
    assert.equal(await consolePage.title(), 'Frontdesk', 'seen: the title is the page’s again');
  });

  test('canned responses by shortcut, and search', { timeout: 30_000 }, async () => {
    const created = await call(server, 'POST', '/api/v1/canned-responses', {
      token: shop.ownerToken,
      body: { shortcut: 'thanks', title: 'Thank you', text: 'Thank you for your patience!' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const composer = pane().locator('footer textarea');
    await composer.fill('/tha');
    await pane().locator('.canned [role=option]', { hasText: 'Thank you' }).waitFor();
    await composer.press('Enter');
    assert.equal(await composer.inputValue(), 'Thank you for your patience!');
    await composer.press('Enter');
    await widget.locator('.row.theirs .bubble', { hasText: 'Thank you for your patience!' }).waitFor();

    await consolePage.keyboard.press('Escape');
    await consolePage.keyboard.press('/');
    await consolePage.keyboard.type('invoice');
    await consolePage.locator('.results .item', { hasText: 'One more thing: the invoice?' }).waitFor();
    await consolePage.getByLabel('Search customers and messages').fill('');
  });

  test('on a tablet: list and conversation side by side, nothing overflowing', { timeout: 30_000 }, async () => {
    await consolePage.setViewportSize({ width: 820, height: 1180 });
    try {
      await pane().locator('footer textarea').waitFor();
      assert.equal(await horizontalOverflow(consolePage), 0);
      const list = await consolePage.locator('aside.list').boundingBox();
      const conversation = await pane().boundingBox();
      assert.ok(list && conversation && conversation.x >= list.x + list.width - 1 && conversation.width > 400, 'side by side');
      await consolePage.screenshot({ path: `${screenshots}console-tablet.png` });
    } finally {
      await consolePage.setViewportSize({ width: 1440, height: 900 });
    }
  });

  test('a visitor signs in: the customer’s open conversation shows what they wrote anonymously', { timeout: 30_000 }, async () => {
    const sub = `kim-${randomUUID()}`;
    const jwt = () => identityToken(shop.identitySecret, sub, { name: 'Kim' });
    const known = await openWidget(server, shop.shopId, { identity: { jwt: await jwt() } });
    await send(server, known.token, known.conversationId, 'Kim here, from my laptop');
    await consolePage.getByRole('tab', { name: /Queue/ }).click();
    await consolePage.locator('.conversations .item', { hasText: 'Kim here, from my laptop' }).click();
    await pane().locator('.bubble', { hasText: 'Kim here, from my laptop' }).waitFor();

    // On her phone, before signing in, then signing in there.
    const visitor = await openWidget(server, shop.shopId);
    await send(server, visitor.token, visitor.conversationId, 'Written on my phone before signing in');
    const merged = await call(server, 'POST', '/api/v1/widget/sessions', { body: { shopId: shop.shopId, identity: { jwt: await jwt() }, visitorToken: visitor.visitorToken } });
    assert.equal(merged.body.merged, true, JSON.stringify(merged.body));
    await pane().locator('.bubble', { hasText: 'Written on my phone before signing in' }).waitFor({ timeout: 10_000 });
    assert.equal(await pane().locator('.bubble', { hasText: 'Kim here, from my laptop' }).count(), 1, 'shown once');
  });

  test('an admin switches the routing strategy and the next inquiry follows it', { timeout: 60_000 }, async () => {
    const owner = await signIn(ownerContext, people.olga.email);
    await owner.getByRole('button', { name: 'Administration' }).click();
    await owner.getByLabel('Routing strategy').selectOption('least-busy');
    await owner.getByRole('button', { name: 'Save' }).click();
    await owner.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const settings = await call(server, 'GET', '/api/v1/shop', { token: shop.ownerToken });
    assert.equal(settings.body.settings.routingStrategy, 'least-busy');

    // A new customer: assigned at once to an online agent, the least busy one (Ann holds none now).
    const newcomer = await openWidget(server, shop.shopId);
    await send(server, newcomer.token, newcomer.conversationId, 'Do you ship abroad?');
    let conversation = (await call(server, 'GET', `/api/v1/conversations/${newcomer.conversationId}`, { token: shop.ownerToken })).body;
    for (let i = 0; i < 50 && conversation.status !== 'assigned'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      conversation = (await call(server, 'GET', `/api/v1/conversations/${newcomer.conversationId}`, { token: shop.ownerToken })).body;
    }
    assert.equal(conversation.status, 'assigned');
    assert.ok([people.ann.id, people.bea.id].includes(conversation.assigneeId), 'an online agent has it');

    await owner.getByRole('button', { name: 'Statistics' }).click();
    await owner.locator('[data-figure="inquiries"] dd', { hasText: /^[1-9]/ }).waitFor();
    await owner.locator('figure', { hasText: 'Inquiries per day' }).locator('canvas').first().waitFor();
    // Every inquiry of this shop came from the widget: one channel, Web.
    await owner.locator('figure', { hasText: 'Inquiries by channel' }).getByText('Web').waitFor();
    await owner.screenshot({ path: `${screenshots}console-stats.png` });
  });
});
