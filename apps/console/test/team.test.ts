import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FrontdeskClient } from '../../../packages/sdk/src/index.ts';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { wsUrl } from '../../../packages/sdk/test/support/helpers.ts';
import { call, createShop, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { addStaff, controllableVisibility, horizontalOverflow, PASSWORD, screenshotDir, setHidden, signIn as signInAt, type Person } from './support/console.ts';

const screenshots = screenshotDir();

interface Note {
  readonly title: string;
  readonly body: string;
}

/** A Notification that is always granted and records what it was asked to show (window.notes). */
async function notificationSpy(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = globalThis as unknown as { notes: Note[]; Notification: unknown };
    w.notes = [];
    w.Notification = class {
      static permission = 'granted';
      static requestPermission = () => Promise.resolve('granted');
      onclick: (() => void) | null = null;
      constructor(title: string, options?: { body?: string }) {
        w.notes.push({ title, body: options?.body ?? '' });
      }
      close() {}
    };
  });
}
const notes = (page: Page): Promise<Note[]> => page.evaluate(() => (globalThis as unknown as { notes: Note[] }).notes);

describe('console: the Team area (staff chat and broadcasts) in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let annContext: BrowserContext;
  let olgaContext: BrowserContext;
  let ann: Page;
  let olga: Page;
  let bea: FrontdeskClient;
  let groupId = '';
  /** The text frames Olga's console received. */
  const olgaFrames: string[] = [];
  let people: Record<'ann' | 'bea' | 'olga', Person>;

  before(async () => {
    server = await startServer('sqlite');
    shop = await createShop(server, 'Corner shop');
    people = await addStaff(server, shop.shopId, 'team.example');
    // Bea is online on another device (the SDK).
    bea = new FrontdeskClient({ url: wsUrl(server), token: await login(people.bea.email) });
    await bea.connect();
    browser = await launchChromium();
    annContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    olgaContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await controllableVisibility(annContext);
    await notificationSpy(annContext);
    ann = await signIn(annContext, people.ann.email);
    olga = await olgaContext.newPage();
    olga.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => typeof payload === 'string' && olgaFrames.push(payload)));
    olga = await signIn(olgaContext, people.olga.email, olga);
  });
  after(async () => {
    bea?.close();
    await browser?.close();
    await server?.close();
  });

  async function login(email: string): Promise<string> {
    const reply = await call(server, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.token;
  }

  const signIn = (context: BrowserContext, email: string, page?: Page) => signInAt(server, context, email, page);

  const teamTab = (page: Page) => page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: /^Team/ });
  const chatPane = (page: Page) => page.locator('section.staff-chat');
  const recent = (page: Page, name: string) => page.locator('.team-list .chats .item', { has: page.locator('strong', { hasText: name }) });
  async function say(page: Page, text: string) {
    const box = chatPane(page).locator('footer textarea');
    await box.fill(text);
    await box.press('Enter');
    await chatPane(page).locator('.row.mine .bubble', { hasText: text }).waitFor();
  }
  const post = (token: string, conversationId: string, text: string, mentions?: string[]) =>
    call(server, 'POST', `/api/v1/conversations/${conversationId}/messages`, { token, body: { clientMsgId: randomUUID(), text, ...(mentions && { mentions }) } });

  test('a direct chat both ways: presence, unread badge, read receipt, edit and delete', { timeout: 90_000 }, async () => {
    await teamTab(ann).click();
    const olgaRow = ann.locator('.team-list .colleague', { hasText: 'Olga' });
    await olgaRow.locator('.dot.online').waitFor();
    await ann.locator('.team-list .colleague', { hasText: 'Bea' }).locator('.dot.online').waitFor();
    await olgaRow.click();
    await chatPane(ann).getByRole('heading', { name: 'Olga' }).waitFor();
    await say(ann, 'Hi Olga, can you cover Friday?');

    // Olga, on the inbox: the Team tab counts it; the chat is listed with its preview and badge.
    await teamTab(olga).locator('.badge', { hasText: '1' }).waitFor();
    await teamTab(olga).click();
    const fromAnn = recent(olga, 'Ann');
    await fromAnn.locator('.preview', { hasText: 'Hi Olga, can you cover Friday?' }).waitFor();
    await fromAnn.locator('.badge', { hasText: '1' }).waitFor();
    await fromAnn.click();
    await chatPane(olga).locator('.bubble', { hasText: 'Hi Olga, can you cover Friday?' }).waitFor();
    assert.equal(await fromAnn.locator('.badge').count(), 0, 'read: no badge');
    await say(olga, 'Sure, no problme');

    // Ann sees the answer and that her message was read.
    await chatPane(ann).locator('.row.theirs .bubble', { hasText: 'Sure, no problme' }).waitFor();
    await chatPane(ann).locator('.row.mine .bubble', { hasText: 'Hi Olga' }).locator('.meta', { hasText: 'Read' }).waitFor();

    // Olga fixes her typo, then sends and deletes a message: Ann sees both live.
    const typo = chatPane(olga).locator('.row.mine', { hasText: 'Sure, no problme' });
    await typo.hover();
    await typo.getByRole('button', { name: 'Edit' }).click();
    const edit = chatPane(olga).getByRole('textbox', { name: 'Edit' });
    await edit.fill('Sure, no problem');
    await edit.press('Enter');
    await chatPane(ann).locator('.row.theirs .bubble', { hasText: 'Sure, no problem' }).locator('.meta', { hasText: '(edited)' }).waitFor();
    await say(olga, 'wrong chat, sorry');
    await chatPane(ann).locator('.bubble', { hasText: 'wrong chat, sorry' }).waitFor();
    const wrong = chatPane(olga).locator('.row.mine', { hasText: 'wrong chat, sorry' });
    await wrong.hover();
    olga.once('dialog', (dialog) => void dialog.accept());
    await wrong.getByRole('button', { name: 'Delete' }).click();
    await chatPane(ann).locator('.bubble.deleted', { hasText: 'Message deleted' }).waitFor();
    assert.equal(await chatPane(ann).locator('.bubble', { hasText: 'wrong chat, sorry' }).count(), 0);

    // A file goes the same way as in a customer conversation.
    await chatPane(ann).locator('footer input[type=file]').setInputFiles({ name: 'rota.txt', mimeType: 'text/plain', buffer: Buffer.from('Fri: Olga 9-17\n') });
    await chatPane(olga).locator('.row.theirs .file', { hasText: 'rota.txt' }).waitFor();
    await ann.screenshot({ path: `${screenshots}team-direct.png` });
  });

  test('a group: created, renamed, a member removed; both see the notices; @ mentions from the composer', { timeout: 90_000 }, async () => {
    await olga.getByRole('button', { name: '+ New group' }).click();
    const dialog = olga.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill('Night shift');
    await dialog.getByRole('checkbox', { name: /Ann/ }).check();
    await dialog.getByRole('checkbox', { name: /Bea/ }).check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await chatPane(olga).getByRole('heading', { name: 'Night shift' }).waitFor();
    const created = chatPane(olga).locator('.system', { hasText: 'Olga created the group “Night shift”' });
    await created.waitFor();

    // Ann: the group comes to her list with its notice, in her words.
    const group = recent(ann, 'Night shift');
    await group.click();
    await chatPane(ann).locator('.system', { hasText: 'Olga created the group “Night shift”' }).waitFor();
    groupId = (await call(server, 'GET', '/api/v1/team', { token: await login(people.ann.email) })).body.chats.find((c: { conversation: { title: string } }) => c.conversation.title === 'Night shift').conversation.id;

    // Olga renames it and removes Bea from the info panel.
    await chatPane(olga).getByRole('button', { name: 'Group info' }).click();
    const panel = olga.getByRole('complementary', { name: 'Group info' });
    await panel.getByLabel('Group name').fill('Night owls');
    await panel.getByRole('button', { name: 'Rename' }).click();
    olga.once('dialog', (confirm) => void confirm.accept());
    await panel.getByRole('button', { name: 'Remove Bea' }).click();
    await panel.locator('.members li', { hasText: 'Bea' }).waitFor({ state: 'detached' });
    for (const page of [ann, olga]) {
      await chatPane(page).locator('.system', { hasText: 'Olga renamed the group to “Night owls”' }).waitFor();
      await chatPane(page).locator('.system', { hasText: 'Olga removed Bea' }).waitFor();
    }
    await chatPane(ann).getByRole('heading', { name: 'Night owls' }).waitFor();
    await recent(ann, 'Night owls').waitFor();

    // A mention picked from the list: @Ann in the text, Ann's id in the message's mentions.
    const box = chatPane(olga).locator('footer textarea');
    await box.fill('');
    await box.pressSequentially('@An');
    const option = chatPane(olga).getByRole('option', { name: /Ann/ });
    await option.waitFor();
    assert.ok(await chatPane(olga).getByRole('option', { name: /@all/ }).count() === 0, '@all is not offered for “An”');
    await olga.screenshot({ path: `${screenshots}team-mention.png` });
    await box.press('Enter');
    assert.equal(await box.inputValue(), '@Ann ');
    // A read receipt that overtakes the readers' answer still counts: Ann's tab is hidden while
    // Olga's console asks who read the message (nobody), she looks before the answer reaches the
    // page, and her receipt reaches Olga's console first.
    await setHidden(ann, true);
    let fetched = () => {};
    let answer = () => {};
    const readersFetched = new Promise<void>((resolve) => (fetched = resolve));
    const receiptIn = new Promise<void>((resolve) => (answer = resolve));
    await olga.route('**/readers', async (route) => {
      const response = await route.fetch();
      fetched();
      await receiptIn;
      await route.fulfill({ response });
    });
    await box.pressSequentially('can you take the late queue?');
    await box.press('Enter');
    await chatPane(ann).locator('.bubble', { hasText: '@Ann can you take the late queue?' }).waitFor();
    const history = await call(server, 'GET', `/api/v1/conversations/${groupId}/messages?limit=50`, { token: await login(people.olga.email) });
    assert.deepEqual(history.body.items.at(-1).mentions, [people.ann.id]);
    await readersFetched;
    await setHidden(ann, false);
    const seq: number = history.body.items.at(-1).seq;
    const receipt = () => olgaFrames.some((f) => f.includes('"read"') && f.includes(people.ann.id) && f.includes(`"seq":${seq}`));
    for (let i = 0; i < 100 && !receipt(); i++) await olga.waitForTimeout(100);
    assert.ok(receipt(), "Ann's read receipt reached Olga's console");
    answer();
    // Read by Ann, the only other member now.
    await chatPane(olga).locator('.row.mine', { hasText: 'late queue' }).locator('.meta', { hasText: 'Read by 1 of 1' }).waitFor();
    await olga.unroute('**/readers');
    await olga.screenshot({ path: `${screenshots}team-group.png` });

    // In Chinese, the notices are Chinese.
    await ann.getByRole('button', { name: 'Settings' }).click();
    await ann.getByLabel('Language').selectOption('zh-CN');
    await chatPane(ann).locator('.system', { hasText: 'Olga 将 Bea 移出了群组' }).waitFor();
    await chatPane(ann).locator('.system', { hasText: 'Olga 将群名称改为“Night owls”' }).waitFor();
    await ann.screenshot({ path: `${screenshots}team-group-zh.png` });
    await ann.getByLabel('语言').selectOption('en');
    await ann.getByRole('button', { name: 'Close' }).click();
  });

  test('a muted group does not notify, except a message that mentions me', { timeout: 60_000 }, async () => {
    const olgaToken = await login(people.olga.email);
    await recent(ann, 'Night owls').click();
    await chatPane(ann).getByRole('button', { name: /Mute/ }).click();
    await chatPane(ann).getByRole('menuitem', { name: 'Mute until I unmute' }).click();
    await chatPane(ann).getByRole('button', { name: '🔕 Muted' }).waitFor();
    await recent(ann, 'Night owls').locator('.muted').waitFor();
    // Ann looks at another chat, then away from the tab.
    await recent(ann, 'Olga').click();
    await setHidden(ann, true);
    const before = (await notes(ann)).length;

    // The direct chat is not muted: it notifies (the spy works).
    assert.equal((await post(olgaToken, (await call(server, 'POST', '/api/v1/direct', { token: olgaToken, body: { staffId: people.ann.id } })).body.id, 'are you there?')).status, 201);
    for (let i = 0; i < 50 && (await notes(ann)).length === before; i++) await ann.waitForTimeout(100);
    assert.deepEqual((await notes(ann)).slice(before), [{ title: 'Olga', body: 'are you there?' }]);

    // The muted group: listed, no badge, no notification, no title flash.
    await setHidden(ann, false);
    await setHidden(ann, true);
    assert.equal((await post(olgaToken, groupId, 'idle talk about lunch')).status, 201);
    await recent(ann, 'Night owls').locator('.preview', { hasText: 'idle talk about lunch' }).waitFor();
    await ann.waitForTimeout(300);
    assert.equal((await notes(ann)).length, before + 1, 'no notification from the muted group');
    assert.equal(await recent(ann, 'Night owls').locator('.badge').count(), 0, 'no unread badge while muted');
    assert.equal(await ann.title(), 'Frontdesk', 'no count and no flash (the direct message was seen when the tab came back)');

    // A mention of Ann gets through, and the list shows "@".
    assert.equal((await post(olgaToken, groupId, '@Ann the till is short', [people.ann.id])).status, 201);
    for (let i = 0; i < 50 && (await notes(ann)).length === before + 1; i++) await ann.waitForTimeout(100);
    assert.deepEqual((await notes(ann)).slice(before + 1), [{ title: 'Night owls', body: 'Olga: @Ann the till is short' }]);
    await recent(ann, 'Night owls').locator('.badge.mention', { hasText: '@' }).waitFor();
    const titles = new Set<string>();
    for (let i = 0; i < 25; i++) {
      titles.add(await ann.title());
      await ann.waitForTimeout(100);
    }
    assert.ok([...titles].some((title) => title.includes('Night owls')), `the title flashes: ${[...titles].join(' | ')}`);
    await setHidden(ann, false);
    await ann.screenshot({ path: `${screenshots}team-muted.png` });
  });

  test('on a phone: the list, then the chat, nothing wider than the screen', { timeout: 30_000 }, async () => {
    await ann.setViewportSize({ width: 360, height: 740 });
    try {
      await chatPane(ann).getByRole('button', { name: 'Back' }).click();
      await ann.locator('.team-list').waitFor();
      assert.equal(await horizontalOverflow(ann), 0, 'the list fits');
      await ann.screenshot({ path: `${screenshots}team-list-360.png` });
      await recent(ann, 'Night owls').click();
      await chatPane(ann).locator('footer textarea').waitFor();
      assert.equal(await ann.locator('.team-list').isVisible(), false, 'one column at a time');
      assert.equal(await horizontalOverflow(ann), 0, 'the chat fits');
      await ann.screenshot({ path: `${screenshots}team-chat-360.png` });
      await chatPane(ann).getByRole('button', { name: 'Group info' }).click();
      const panel = ann.getByRole('complementary', { name: 'Group info' });
      await panel.getByRole('button', { name: 'Leave group' }).waitFor();
      assert.equal(await panel.getByRole('button', { name: /Remove/ }).count(), 0, 'an agent member removes no one');
      await ann.screenshot({ path: `${screenshots}team-group-info-360.png` });
      await panel.getByRole('button', { name: 'Close' }).click();
    } finally {
      await ann.setViewportSize({ width: 1280, height: 860 });
    }
  });

  test('a broadcast sent while Ann was signed out is shown when she signs in again; one sent while online at once', { timeout: 60_000 }, async () => {
    await ann.getByRole('button', { name: 'Sign out' }).click();
    await ann.getByLabel('E-mail').waitFor();

    await olga.getByRole('button', { name: /Broadcasts/ }).click();
    await olga.getByRole('button', { name: 'New broadcast' }).click();
    const form = olga.getByRole('dialog', { name: 'New broadcast' });
    await form.getByLabel('Title').fill('Stocktake on Friday');
    await form.getByLabel('Text').fill('Everyone stays until 7 pm. Pizza is on the house.');
    await form.getByLabel('Chosen colleagues and groups').check();
    await form.getByRole('checkbox', { name: /Night owls/ }).waitFor();
    await olga.screenshot({ path: `${screenshots}team-broadcast-compose.png` });
    await form.getByLabel('Every colleague').check();
    await form.getByRole('button', { name: 'Send broadcast' }).click();
    await olga.getByRole('status').filter({ hasText: 'Broadcast sent.' }).waitFor();

    await signIn(annContext, people.ann.email, ann);
    const banner = ann.locator('.broadcast-banner');
    await banner.getByText('Stocktake on Friday').waitFor();
    await banner.getByText('Everyone stays until 7 pm.').waitFor();
    await ann.screenshot({ path: `${screenshots}team-broadcast-signin.png` });
    await ann.setViewportSize({ width: 360, height: 740 });
    assert.equal(await horizontalOverflow(ann), 0, 'the banner fits a phone');
    await ann.screenshot({ path: `${screenshots}team-broadcast-360.png` });
    await ann.setViewportSize({ width: 1280, height: 860 });

    // The inbox: unread first; opening it marks it read for Ann.
    await banner.getByRole('button', { name: 'All broadcasts' }).click();
    const item = ann.locator('.broadcast-list li.unread', { hasText: 'Stocktake on Friday' });
    await item.locator('summary').click();
    await ann.locator('.broadcast-list li:not(.unread)', { hasText: 'Stocktake on Friday' }).waitFor();
    await banner.waitFor({ state: 'detached' });
    const list = await call(server, 'GET', '/api/v1/broadcasts', { token: await login(people.ann.email) });
    assert.ok(list.body.items.find((b: { title: string }) => b.title === 'Stocktake on Friday').readAt, 'read on the server');

    // Online: a broadcast to Ann alone shows at once.
    const olgaToken = await login(people.olga.email);
    const live = await call(server, 'POST', '/api/v1/broadcasts', { token: olgaToken, body: { title: 'Till 2 is broken', text: 'Use till 1 today.', to: { staffIds: [people.ann.id] } } });
    assert.equal(live.status, 201, JSON.stringify(live.body));
    await banner.getByText('Till 2 is broken').waitFor();
    await ann.locator('.broadcast-list li.unread', { hasText: 'Till 2 is broken' }).waitFor();
    await ann.screenshot({ path: `${screenshots}team-broadcasts.png` });
  });
});
