import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { call, createShop, identityToken, openWidget, send, type CustomerFixture, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { addStaff, controllableVisibility, PASSWORD, screenshotDir, setHidden, signIn, type Person } from './support/console.ts';

const screenshots = screenshotDir();

/** Working the inbox (issue 22, part 5): priority, snooze, canned variables, transcripts, an address for every page. */
describe('console: working the inbox in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let people: Record<'ann' | 'bea' | 'olga', Person>;
  let alice: CustomerFixture;
  let bob: CustomerFixture;

  before(async () => {
    // Snoozes come due within a test's patience.
    server = await startServer('sqlite', { SNOOZE_SWEEP_MS: '200' });
    shop = await createShop(server, 'Corner shop');
    people = await addStaff(server, shop.shopId, 'inbox.example');
    alice = await openWidget(server, shop.shopId, { identity: { jwt: await identityToken(shop.identitySecret, 'c-alice') }, profile: { name: 'Alice Archer', email: 'alice@buyers.example' } });
    await send(server, alice.token, alice.conversationId, 'Hello, where is my parcel?');
    bob = await openWidget(server, shop.shopId);
    await send(server, bob.token, bob.conversationId, 'Hi there');
    const canned = await call(server, 'POST', '/api/v1/canned-responses', {
      token: shop.ownerToken,
      body: { shortcut: 'greet', title: 'Greeting', text: 'Hi {{customer.name}}, {{agent.name}} from {{shop.name}} here. Order {{order.id}}' },
    });
    assert.equal(canned.status, 201, JSON.stringify(canned.body));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const row = (page: Page, name: string) => page.locator('.conversations li', { hasText: name });
  const pane = (page: Page) => page.locator('section.pane:not(.empty)');

  test('priority shows in the list, canned variables expand, snooze hides it until the customer writes, the transcript downloads', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
    const ann = await signIn(server, context, people.ann.email);
    await row(ann, 'Alice Archer').getByRole('button').click();
    await ann.waitForURL(`**/console/inbox/${alice.conversationId}`);

    // Priority: set in the pane, shown in the inbox's row; the filters find it, and sort by it.
    await pane(ann).getByLabel('Priority').selectOption('urgent');
    await row(ann, 'Alice Archer').locator('.priority-badge', { hasText: 'Urgent' }).waitFor();
    await ann.getByRole('button', { name: /Filters/ }).click();
    await ann.locator('.filter-fields').getByLabel('Priority').selectOption({ label: 'Urgent' });
    await row(ann, 'Alice Archer').waitFor();
    await row(ann, 'Hi there').waitFor({ state: 'detached' });
    await ann.locator('.filter-fields').getByLabel('Priority').selectOption({ label: 'Any' });
    await ann.locator('.filter-fields').getByLabel('Order').selectOption({ label: 'Most urgent first' });
    await row(ann, 'Hi there').waitFor();
    assert.match((await ann.locator('.conversations li').first().textContent()) ?? '', /Alice Archer/);
    await ann.screenshot({ path: `${screenshots}inbox-priority.png` });
    await ann.locator('.filter-fields').getByLabel('Order').selectOption({ label: 'Newest activity' });

    // A canned response with variables: filled in as it is inserted; an unknown one stays and is flagged.
    const box = pane(ann).getByPlaceholder(/Write a reply/);
    await box.fill('/greet');
    await ann.locator('.canned .canned-unknown', { hasText: '{{order.id}}' }).waitFor();
    await box.press('Enter');
    assert.equal(await box.inputValue(), 'Hi Alice Archer, Ann from Corner shop here. Order {{order.id}}');
    await box.fill('');

    // The transcript: a download with names and times.
    await pane(ann).getByText('Transcript').click();
    const [download] = await Promise.all([ann.waitForEvent('download'), pane(ann).getByRole('button', { name: 'Download as text' }).click()]);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    assert.match(text, /^Conversation with Alice Archer — Corner shop/);
    assert.match(text, /\| \d{4}-\d\d-\d\dT[\d:.]+Z\] Alice Archer: Hello, where is my parcel\?/);
    await pane(ann).getByText('Transcript').click();

    // Snooze: gone from the queue, in the Snoozed view; the customer's message wakes it at once.
    await pane(ann).getByRole('button', { name: /Snooze/ }).click();
    await pane(ann).getByRole('button', { name: 'Tomorrow 9:00' }).click();
    await pane(ann).getByText(/Snoozed until/).waitFor();
    await row(ann, 'Alice Archer').waitFor({ state: 'detached' });
    await ann.getByRole('tab', { name: /Snoozed/ }).click();
    await row(ann, 'Alice Archer').locator('.snoozed-tag').waitFor();
    await ann.screenshot({ path: `${screenshots}inbox-snoozed.png` });
    await ann.getByRole('tab', { name: /Queue/ }).click();
    await row(ann, 'Alice Archer').waitFor({ state: 'detached' });
    await send(server, alice.token, alice.conversationId, 'Any news?');
    await row(ann, 'Alice Archer').waitFor();
    await pane(ann).getByText(/Snoozed until/).waitFor({ state: 'detached' });
    await context.close();
  });

  test('every page has an address: reload stays on statistics, back returns to the conversation, an unknown address says so', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const olga = await signIn(server, context, people.olga.email);
    const nav = (name: string) => olga.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name, exact: true });
    await row(olga, 'Hi there').getByRole('button').click();
    await olga.waitForURL(`**/console/inbox/${bob.conversationId}`);
    await nav('Statistics').click();
    await olga.waitForURL('**/console/stats');
    await olga.reload();
    await nav('Statistics').and(olga.locator('[aria-current="page"]')).waitFor();
    await olga.goBack();
    await olga.waitForURL(`**/console/inbox/${bob.conversationId}`);
    await pane(olga).getByRole('heading').waitFor();
    // Changing the view by keyboard keeps the open conversation and its address.
    await olga.keyboard.press('Alt+3');
    await olga.getByRole('tab', { name: /All open/, selected: true }).waitFor();
    assert.ok(olga.url().endsWith(`/console/inbox/${bob.conversationId}`), olga.url());
    await pane(olga).getByRole('heading').waitFor();
    await olga.goForward();
    await nav('Statistics').and(olga.locator('[aria-current="page"]')).waitFor();
    // A contact's page has its own address too.
    await nav('Contacts').click();
    await olga.waitForURL('**/console/contacts');
    await olga.locator('.contact-rows li', { hasText: 'Alice Archer' }).getByRole('button').click();
    await olga.waitForURL(`**/console/contacts/${alice.customerId}`);
    await olga.reload();
    await olga.getByRole('heading', { name: 'Alice Archer' }).waitFor();
    await olga.goBack();
    await olga.waitForURL('**/console/contacts');
    await olga.locator('.contact-rows li', { hasText: 'Alice Archer' }).waitFor();
    // A shared link to an administration section opens it.
    await olga.goto(`${server.url}/console/admin/canned`);
    await olga.getByRole('tab', { name: 'Canned responses', selected: true }).waitFor();
    await olga.getByRole('tab', { name: 'Labels' }).click();
    await olga.waitForURL('**/console/admin/labels');
    // Keyboard shortcuts still move between the inbox's views.
    await olga.goto(`${server.url}/console/inbox`);
    await olga.getByRole('tab', { name: /Queue/ }).waitFor();
    await olga.keyboard.press('Alt+5');
    await olga.getByRole('tab', { name: /Snoozed/, selected: true }).waitFor();
    await olga.goto(`${server.url}/console/no-such-page`);
    await olga.getByRole('heading', { name: 'There is no such page.' }).waitFor();
    await olga.screenshot({ path: `${screenshots}inbox-not-found.png` });
    await olga.getByRole('link', { name: 'Go to the inbox' }).click();
    await olga.waitForURL('**/console/inbox');
    await context.close();
  });

  test('a customer’s message that wakes a snoozed conversation calls for attention once, not twice', { timeout: 60_000 }, async () => {
    const carla = await openWidget(server, shop.shopId, { profile: { name: 'Carla Chime' } });
    await send(server, carla.token, carla.conversationId, 'Are you open on Sunday?');
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    // A chime is one oscillator started (widget/src/app/media.tsx): the page counts them.
    await context.addInitScript(() => {
      const w = globalThis as unknown as { chimes: number; OscillatorNode: { prototype: { start(...args: unknown[]): void } } };
      w.chimes = 0;
      const start = w.OscillatorNode.prototype.start;
      w.OscillatorNode.prototype.start = function (this: unknown, ...args: unknown[]) {
        w.chimes += 1;
        return start.apply(this, args);
      };
    });
    const ann = await signIn(server, context, people.ann.email);
    await row(ann, 'Carla Chime').getByRole('button').click();
    await pane(ann).getByRole('button', { name: /Snooze/ }).click();
    await pane(ann).getByRole('button', { name: 'Tomorrow 9:00' }).click();
    await pane(ann).getByText(/Snoozed until/).waitFor();
    await ann.getByRole('tab', { name: /Snoozed/ }).click();
    await row(ann, 'Carla Chime').locator('.snoozed-tag').waitFor();
    // Another conversation in front of the agent, so Carla's calls for attention when it wakes.
    await ann.getByRole('tab', { name: /All open/ }).click();
    await row(ann, 'Alice Archer').getByRole('button').click();
    await ann.waitForURL(`**/console/inbox/${alice.conversationId}`);
    await ann.evaluate(() => ((globalThis as unknown as { chimes: number }).chimes = 0));

    await send(server, carla.token, carla.conversationId, 'Hello? Anyone?');
    await row(ann, 'Carla Chime').locator('.snoozed-tag').waitFor({ state: 'detached' });
    await ann.waitForTimeout(1_500); // a second chime would come within this
    assert.equal(await ann.evaluate(() => (globalThis as unknown as { chimes: number }).chimes), 1, 'the wake and the message it came with: one chime');
    await context.close();
  });

  test('in Chinese: priority, snooze and the not-found page', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 760 }, locale: 'zh-CN' });
    const bea = await context.newPage();
    await bea.goto(`${server.url}/console/inbox/${bob.conversationId}`);
    await bea.getByLabel('邮箱').fill(people.bea.email);
    await bea.getByLabel('密码').fill(PASSWORD);
    await bea.getByLabel('密码').press('Enter');
    // Signed in on a deep link: the conversation it names opens.
    await pane(bea).getByLabel('优先级').selectOption('high');
    await pane(bea).getByLabel('优先级').and(bea.locator(':has(option[value="high"]:checked)')).waitFor();
    await pane(bea).getByRole('button', { name: /暂缓/ }).click();
    await pane(bea).getByRole('button', { name: '1 小时后' }).waitFor();
    await bea.screenshot({ path: `${screenshots}inbox-zh-snooze.png` });
    await pane(bea).getByRole('button', { name: '1 小时后' }).click();
    await pane(bea).getByText(/暂缓至/).waitFor();
    await pane(bea).getByRole('button', { name: '立即唤醒' }).click();
    await pane(bea).getByText(/暂缓至/).waitFor({ state: 'detached' });
    assert.equal((await call(server, 'GET', `/api/v1/conversations/${bob.conversationId}`, { token: shop.agentToken })).body.priority, 'high');
    assert.equal(await pane(bea).getByLabel('优先级').inputValue(), 'high');
    // The transcript speaks the console's language.
    await pane(bea).getByText('聊天记录').click();
    const [download] = await Promise.all([bea.waitForEvent('download'), pane(bea).getByRole('button', { name: '下载为文本' }).click()]);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    assert.match(text, /^与 访客 的对话 — Corner shop\n会话: /);
    assert.match(text, /\] 访客: Hi there/);
    await bea.goto(`${server.url}/console/nowhere/at/all`);
    await bea.getByRole('heading', { name: '没有这个页面。' }).waitFor();
    // An agent's link to an owner's page says the same.
    await bea.goto(`${server.url}/console/stats`);
    await bea.getByRole('heading', { name: '没有这个页面。' }).waitFor();
    await context.close();
  });

  test('a snoozed conversation that wakes by itself calls for attention', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await controllableVisibility(context);
    const ann = await signIn(server, context, people.ann.email);
    const snoozed = await call(server, 'PATCH', `/api/v1/conversations/${bob.conversationId}`, { token: shop.ownerToken, body: { snoozedUntil: new Date(Date.now() + 3_000).toISOString() } });
    assert.equal(snoozed.status, 200, JSON.stringify(snoozed.body));
    await ann.getByRole('tab', { name: /Snoozed/ }).click();
    await row(ann, 'Hi there').waitFor();
    await setHidden(ann, true);
    // The sweep wakes it: the row leaves the Snoozed view and the hidden tab's title says why.
    await row(ann, 'Hi there').waitFor({ state: 'detached', timeout: 30_000 });
    await ann.waitForFunction(() => (globalThis as unknown as { document: { title: string } }).document.title.includes('A snoozed conversation is back'), undefined, { timeout: 10_000 });
    await context.close();
  });
});
