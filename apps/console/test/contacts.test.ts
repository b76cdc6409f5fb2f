import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { call, createShop, identityToken, openWidget, send, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { addStaff, createLabel, horizontalOverflow, screenshotDir, signIn, type Person } from './support/console.ts';

const screenshots = screenshotDir();

describe('console: contacts and labels in Chromium', () => {
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let context: BrowserContext;
  let olga: Page;
  let people: Record<'ann' | 'bea' | 'olga', Person>;

  before(async () => {
    server = await startServer('sqlite');
    shop = await createShop(server, 'Corner shop');
    people = await addStaff(server, shop.shopId, 'contacts.example');
    // Three identified customers who wrote in (contacts with names, e-mails and external ids).
    for (const [sub, name, email] of [
      ['c-alice', 'Alice Archer', 'alice@buyers.example'],
      ['c-bob', 'Bob Baker', 'bob@buyers.example'],
      ['c-cleo', 'Cleo Cole', 'cleo@buyers.example'],
    ] as const) {
      // Cleo's widget speaks Chinese; the others' say nothing of their language.
      const locale = sub === 'c-cleo' ? { locale: 'zh-CN' } : {};
      const customer = await openWidget(server, shop.shopId, { identity: { jwt: await identityToken(shop.identitySecret, sub) }, profile: { name, email }, ...locale });
      await send(server, customer.token, customer.conversationId, `Hello, ${name} here`);
    }
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    olga = await signIn(server, context, people.olga.email);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name, exact: true });
  const row = (page: Page, name: string) => page.locator('.contact-rows li', { hasText: name });

  test('labels are made on the admin page; contacts are searched and labelled in bulk', { timeout: 60_000 }, async () => {
    await createLabel(olga, 'VIP', '#facc15');
    await createLabel(olga, 'Wholesale', '#1e3a8a');

    await nav(olga, 'Contacts').click();
    for (const name of ['Alice Archer', 'Bob Baker', 'Cleo Cole']) await row(olga, name).waitFor();

    // Search by e-mail, then by external id.
    await olga.getByLabel('Search by name, e-mail or external id').fill('bob@');
    await row(olga, 'Alice Archer').waitFor({ state: 'detached' });
    assert.equal(await olga.locator('.contact-rows li').count(), 1);
    await olga.getByLabel('Search by name, e-mail or external id').fill('c-cleo');
    await row(olga, 'Bob Baker').waitFor({ state: 'detached' });
    await row(olga, 'Cleo Cole').waitFor();
    await olga.getByLabel('Search by name, e-mail or external id').fill('');
    await row(olga, 'Alice Archer').waitFor();

    // Alice and Bob get "VIP" in one go.
    await olga.getByRole('checkbox', { name: 'Select Alice Archer' }).check();
    await olga.getByRole('checkbox', { name: 'Select Bob Baker' }).check();
    await olga.locator('.bulk').getByText('2 selected').waitFor();
    await olga.locator('.bulk').getByLabel('Label').selectOption({ label: 'VIP' });
    await olga.getByRole('button', { name: 'Add label' }).click();
    await olga.getByRole('status').filter({ hasText: '“VIP” added to 2 contacts.' }).waitFor();
    await row(olga, 'Alice Archer').locator('.chip', { hasText: 'VIP' }).waitFor();
    await row(olga, 'Bob Baker').locator('.chip', { hasText: 'VIP' }).waitFor();
    assert.equal(await row(olga, 'Cleo Cole').locator('.chip').count(), 0);

    // The label filter lists exactly them.
    await olga.locator('.contact-filters').getByLabel('Label').selectOption({ label: 'VIP' });
    await row(olga, 'Cleo Cole').waitFor({ state: 'detached' });
    assert.equal(await olga.locator('.contact-rows li').count(), 2);
    await olga.screenshot({ path: `${screenshots}contacts-list.png` });
    await olga.locator('.contact-filters').getByLabel('Label').selectOption({ label: 'Any' });
    await row(olga, 'Cleo Cole').waitFor();
  });

  test('labels on conversations: the pane’s picker, chips on inbox rows, the inbox filtered by label and saved as a view', { timeout: 60_000 }, async () => {
    await nav(olga, 'Inbox').click();
    const item = (name: string) => olga.locator('.conversations .item', { hasText: `Hello, ${name} here` });
    await item('Alice Archer').click();
    const pane = olga.locator('section.pane');
    await pane.getByRole('heading', { name: 'Alice Archer' }).waitFor();
    await pane.locator('.label-editor').getByRole('button', { name: /Labels/ }).click();
    const vip = olga.getByRole('dialog', { name: 'Labels' }).getByRole('checkbox', { name: 'VIP' });
    await vip.check();
    await vip.press('Escape');
    await pane.locator('.label-editor .chip', { hasText: 'VIP' }).waitFor();
    await item('Alice Archer').locator('.chip', { hasText: 'VIP' }).waitFor();

    // Filtered by the label: only Alice's conversation; saved as a view, cleared, and picked again.
    await olga.getByRole('button', { name: /Filters/ }).click();
    const filters = olga.locator('.filter-fields');
    await filters.getByLabel('Label').selectOption({ label: 'VIP' });
    await item('Bob Baker').waitFor({ state: 'detached' });
    await item('Alice Archer').waitFor();
    assert.equal(await olga.locator('.conversations .item').count(), 1);
    // The tabs count what the filter lets through: one open conversation with the label, three without.
    const openBadge = (n: number) => olga.getByRole('tab', { name: /^All open/ }).locator('.count', { hasText: new RegExp(`^${n}$`) });
    await openBadge(1).waitFor();
    await filters.getByRole('button', { name: 'Save as view' }).click();
    await olga.getByLabel('View name').fill('VIP queue');
    await olga.getByLabel('View name').press('Enter');
    await olga.locator('.saved-views li', { hasText: 'VIP queue' }).waitFor();
    await olga.screenshot({ path: `${screenshots}contacts-inbox-labels.png` });
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await item('Bob Baker').waitFor();
    await openBadge(3).waitFor();
    // A status combines with the tab too: nobody has claimed one, so "Assigned" leaves All open empty.
    await olga.getByRole('tab', { name: /^All open/ }).click();
    await filters.getByLabel('Status').selectOption({ label: 'Assigned' });
    await item('Bob Baker').waitFor({ state: 'detached' });
    await openBadge(0).waitFor();
    assert.equal(await olga.locator('.conversations .item').count(), 0);
    await filters.getByLabel('Status').selectOption({ label: 'Queued' });
    await openBadge(3).waitFor();
    await item('Bob Baker').waitFor();
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    // The panel offers what a view can hold: All open is never closed; the queue is queued and nobody's.
    const statusOff = (name: string) => filters.getByLabel('Status').locator('option', { hasText: new RegExp(`^${name}$`) }).isDisabled();
    assert.deepEqual(await Promise.all(['Queued', 'Assigned', 'Closed'].map(statusOff)), [false, false, true]);
    assert.equal(await filters.getByLabel('Assignee').isDisabled(), false);
    await olga.getByRole('tab', { name: /^Queue/ }).click();
    assert.deepEqual(await Promise.all(['Queued', 'Assigned', 'Closed'].map(statusOff)), [false, true, true]);
    assert.equal(await filters.getByLabel('Assignee').isDisabled(), true);
    await olga.getByLabel('Open a saved view').selectOption({ label: 'VIP queue' });
    await item('Bob Baker').waitFor({ state: 'detached' });
    await item('Alice Archer').waitFor();
    olga.once('dialog', (dialog) => void dialog.accept());
    await olga.getByRole('button', { name: 'Delete the view “VIP queue”' }).click();
    await olga.locator('.saved-views li', { hasText: 'VIP queue' }).waitFor({ state: 'detached' });
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await item('Bob Baker').waitFor();
    await nav(olga, 'Contacts').click();
  });

  test('the contact page: notes added, edited and deleted; a label from the picker; opt-out', { timeout: 60_000 }, async () => {
    await nav(olga, 'Contacts').click();
    await row(olga, 'Cleo Cole').getByRole('button').click();
    await olga.getByRole('heading', { name: 'Cleo Cole' }).waitFor();
    await olga.locator('.facts').getByText('cleo@buyers.example').waitFor();
    await olga.locator('.facts').getByText('c-cleo').waitFor();
    await olga.locator('.facts dt', { hasText: 'Language' }).locator('+ dd', { hasText: 'Chinese (Simplified)' }).waitFor();

    await olga.getByLabel('New note (only staff see notes)').fill('Prefers calls after 18:00 <b>not bold</b>');
    await olga.getByRole('button', { name: 'Add note' }).click();
    const note = olga.locator('.note-list li', { hasText: 'Prefers calls after 18:00' });
    await note.waitFor();
    await note.getByText('<b>not bold</b>', { exact: false }).waitFor(); // shown as text, never markup
    await note.getByRole('button', { name: 'Edit' }).click();
    const edit = olga.getByRole('textbox', { name: 'Edit note' });
    await edit.fill('Prefers calls after 19:00');
    await edit.press('Enter');
    await olga.locator('.note-list li', { hasText: 'Prefers calls after 19:00' }).waitFor();
    await olga.getByLabel('New note (only staff see notes)').fill('Asked for a catalogue');
    await olga.getByRole('button', { name: 'Add note' }).click();
    const second = olga.locator('.note-list li', { hasText: 'Asked for a catalogue' });
    await second.waitFor();
    olga.once('dialog', (dialog) => void dialog.accept());
    await second.getByRole('button', { name: 'Delete' }).click();
    await second.waitFor({ state: 'detached' });

    // A label from the picker, kept by the server.
    await olga.locator('.contact-page .label-editor').getByRole('button', { name: /Labels/ }).click();
    await olga.getByRole('dialog', { name: 'Labels' }).getByRole('checkbox', { name: 'Wholesale' }).check();
    await olga.getByRole('dialog', { name: 'Labels' }).getByRole('checkbox', { name: 'Wholesale' }).press('Escape');
    await olga.locator('.contact-page .label-editor .chip', { hasText: 'Wholesale' }).waitFor();

    await olga.getByLabel('Opted out of campaigns').check();
    await olga.locator('.contact-page').getByText(/^Since /).waitFor();
    await olga.screenshot({ path: `${screenshots}contacts-page.png` });

    const owner = await call(server, 'GET', '/api/v1/contacts?q=cleo', { token: shop.ownerToken });
    const cleo = owner.body.items[0];
    assert.ok(cleo.optedOutAt, 'opted out on the server');
    const labels = await call(server, 'GET', '/api/v1/labels', { token: shop.ownerToken });
    const wholesale = labels.body.items.find((l: { name: string }) => l.name === 'Wholesale');
    assert.deepEqual(cleo.labelIds, [wholesale.id]);
    const details = await call(server, 'GET', `/api/v1/contacts/${cleo.customer.id}`, { token: shop.ownerToken });
    assert.deepEqual(
      details.body.notes.map((n: { text: string }) => n.text),
      ['Prefers calls after 19:00'],
    );
    await olga.getByRole('button', { name: '← Contacts' }).click();
  });

  test('a CSV import reports what it created and which lines it refused; export downloads the list', { timeout: 60_000 }, async () => {
    await nav(olga, 'Contacts').click();
    const csv = ['external_id,name,email,labels,attr.plan,opted_out', 'c-dora,Dora Diaz,dora@buyers.example,VIP,gold,false', 'c-alice,Alice A. Archer,,,,', ',No Id,nobody@buyers.example,,,', 'c-evan,Evan Eng,not-an-email,,,'].join('\n');
    await olga.locator('.contacts-head input[type=file]').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const summary = olga.locator('.import-result');
    await summary.waitFor();
    const text = await summary.innerText();
    assert.match(text, /1 created, 1 updated, 2 lines with errors/);
    assert.match(text, /Line 4:/);
    assert.match(text, /Line 5:/);
    await row(olga, 'Dora Diaz').locator('.chip', { hasText: 'VIP' }).waitFor();
    await row(olga, 'Alice A. Archer').waitFor();
    await olga.screenshot({ path: `${screenshots}contacts-import.png` });

    const download = olga.waitForEvent('download');
    await olga.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    const exported = await (await import('node:fs/promises')).readFile((await file.path())!, 'utf8');
    assert.match(exported, /^external_id,name,email/);
    assert.match(exported, /c-dora,Dora Diaz,dora@buyers\.example/);
  });

  test('an agent sees contacts but no export; the contact list and page read well at 360 px', { timeout: 60_000 }, async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const ann = await signIn(server, phone, people.ann.email);
    await nav(ann, 'Contacts').click();
    await row(ann, 'Bob Baker').waitFor();
    assert.equal(await ann.getByRole('button', { name: 'Export CSV' }).count(), 0);
    assert.equal(await horizontalOverflow(ann), 0, 'nothing overflows the list at 360 px');
    await ann.screenshot({ path: `${screenshots}contacts-360.png`, fullPage: true });
    await row(ann, 'Bob Baker').getByRole('button').click();
    await ann.getByRole('heading', { name: 'Bob Baker' }).waitFor();
    await ann.locator('.facts dt', { hasText: 'Language' }).locator('+ dd', { hasText: '—' }).waitFor();
    assert.equal(await horizontalOverflow(ann), 0, 'nothing overflows the contact page at 360 px');
    await ann.screenshot({ path: `${screenshots}contacts-page-360.png`, fullPage: true });
    // The contact's conversation opens in the inbox, alone on a phone, with a way back to the list.
    await ann.getByRole('button', { name: 'Open the conversation' }).click();
    const pane = ann.locator('section.pane');
    await pane.locator('.bubble', { hasText: 'Hello, Bob Baker here' }).waitFor();
    assert.equal(await ann.locator('aside.list').isVisible(), false);
    assert.equal(await horizontalOverflow(ann), 0, 'nothing overflows the conversation at 360 px');
    await ann.screenshot({ path: `${screenshots}contacts-conversation-360.png` });
    await pane.getByRole('button', { name: 'Back' }).click();
    await ann.locator('aside.list').waitFor();
    // In Chinese.
    await ann.getByRole('button', { name: 'Settings' }).click();
    await ann.getByLabel('Language').selectOption('zh-CN');
    await ann.getByRole('dialog').getByRole('button', { name: '关闭' }).click();
    await nav(ann, '联系人').click();
    await ann.getByRole('heading', { name: '联系人' }).waitFor();
    await ann.getByLabel('按姓名、邮箱或外部 ID 搜索').waitFor();
    await row(ann, 'Bob Baker').waitFor();
    await ann.screenshot({ path: `${screenshots}contacts-zh-360.png` });
    await row(ann, 'Cleo Cole').getByRole('button').click();
    await ann.locator('.facts dt', { hasText: '语言' }).locator('+ dd', { hasText: '简体中文' }).waitFor();
    await ann.screenshot({ path: `${screenshots}contact-page-zh-360.png`, fullPage: true });
    await phone.close();
  });
});
