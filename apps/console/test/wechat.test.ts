import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../packages/sdk/test/support/browser.ts';
import { call, createShop, send, type ShopFixture } from '../../../packages/server/test/support/client.ts';
import { eventually } from '../../../packages/server/test/support/eventually.ts';
import { startServer, type TestServer } from '../../../packages/server/test/support/server.ts';
import { WechatSimulator, type SimAccount } from '../../../packages/server/test/support/wechat-simulator.ts';
import { addStaff, horizontalOverflow, screenshotDir, signIn, type Person } from './support/console.ts';

const screenshots = screenshotDir();

/**
 * WeChat in the console (docs/channels.md): the owner connects the official account on
 * Administration → Channels; a follower's conversation shows WeChat's reply window and quota,
 * the composer says why it is closed once the quota is spent, and a reply WeChat refused shows as
 * not delivered with a Retry. In English and in Chinese, and at 360 px.
 */
describe('console: WeChat in Chromium', () => {
  const sim = new WechatSimulator();
  let server: TestServer;
  let shop: ShopFixture;
  let browser: Browser;
  let people: Record<'ann' | 'bea' | 'olga', Person>;
  let olga: Page;
  let account: SimAccount;
  const openid = `o${randomBytes(8).toString('hex')}`;

  before(async () => {
    await sim.start();
    server = await startServer('sqlite', { WECHAT_API_BASE: sim.url, WECHAT_SWEEP_MS: '200' });
    shop = await createShop(server, 'Tea house');
    people = await addStaff(server, shop.shopId, 'wechat.example');
    browser = await launchChromium();
    olga = await signIn(server, await browser.newContext({ viewport: { width: 1280, height: 900 } }), people.olga.email);
    account = sim.addAccount('safe');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await sim.stop();
  });

  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name, exact: true });

  test('the owner connects the account; a follower’s conversation shows the window, the quota, a closed composer and a refused reply with Retry', { timeout: 120_000 }, async () => {
    await nav(olga, 'Administration').click();
    await olga.getByRole('tab', { name: 'Channels' }).click();
    const form = olga.getByRole('form', { name: 'WeChat official account' });
    await form.getByLabel('AppID').fill(account.appId);
    await form.getByLabel('AppSecret').fill(account.appSecret);
    await form.getByLabel('Token').fill(account.token);
    await form.getByLabel('EncodingAESKey (43 characters)').fill(account.encodingAesKey);
    await form.getByLabel('Original ID (gh_…)').fill(account.originalId);
    await form.getByRole('button', { name: 'Connect' }).click();
    const callback = olga.getByLabel('Callback URL');
    await callback.waitFor();
    const url = await callback.inputValue();
    assert.match(url, /\/channels\/wechat\/[A-Za-z0-9_-]+$/);
    await olga.screenshot({ path: `${screenshots}wechat-admin.png` });
    account.callbackUrl = `${server.url}${new URL(url).pathname}`;
    assert.equal((await sim.verifyCallback(account)).status, 200, 'WeChat’s URL check passes with what the page shows');

    // A follower writes; the conversation is in the queue with its channel.
    await sim.fanWrites(account, openid, { type: 'text', content: '请问今天营业吗？' });
    await nav(olga, 'Inbox').click();
    const row = olga.locator('.item', { hasText: '请问今天营业吗？' });
    await row.locator('.channel-tag', { hasText: 'WeChat' }).waitFor();
    await row.click();
    const banner = olga.locator('.channel-banner');
    await banner.filter({ hasText: '5 of 5 left' }).waitFor();
    // The panel says who this is: a follower known by openid (WeChat gives no name), not a site's visitor.
    const panel = olga.getByRole('complementary', { name: 'Customer' });
    await panel.locator('dt', { hasText: 'openid' }).locator('+ dd', { hasText: openid }).waitFor();
    await panel.locator('dt', { hasText: 'Role' }).locator('+ dd', { hasText: 'Follower of the WeChat account' }).waitFor();
    assert.equal(await panel.getByText('Visitor', { exact: true }).count(), 0);
    await olga.locator('footer.composer textarea').fill('Yes, until 22:00.');
    await olga.getByRole('button', { name: 'Send', exact: true }).click();
    await eventually('the reply in WeChat', async () => sim.inbox.some((m) => m.toUser === openid && m.text?.content === 'Yes, until 22:00.'));
    await banner.filter({ hasText: '4 of 5 left' }).waitFor();
    await olga.screenshot({ path: `${screenshots}wechat-conversation.png` });

    // Four more use the quota; the composer then says why it is closed. A sixth, sent anyway through
    // the API, is refused by WeChat (45047) and shows as not delivered, with Retry.
    const conversationId = (await call(server, 'GET', '/api/v1/conversations?limit=10', { token: shop.ownerToken })).body.items[0].id as string;
    for (let i = 2; i <= 5; i++) await send(server, shop.agentToken, conversationId, `reply ${i}`);
    await eventually('five replies in WeChat', async () => sim.inbox.filter((m) => m.toUser === openid).length === 5);
    await send(server, shop.agentToken, conversationId, 'one too many');
    await olga.locator('.delivery-failure', { hasText: 'Not delivered to WeChat (45047)' }).waitFor();
    await olga.locator('.hint.blocked', { hasText: 'WeChat allows 5 replies per window' }).waitFor();
    assert.equal(await olga.getByRole('button', { name: 'Send', exact: true }).isDisabled(), true);
    // Internal notes still work.
    await olga.getByRole('tab', { name: 'Internal note' }).click();
    await olga.locator('footer.composer textarea').fill('Waiting for the customer to write again');
    assert.equal(await olga.getByRole('button', { name: 'Send', exact: true }).isDisabled(), false);
    await olga.getByRole('tab', { name: 'Reply' }).click();
    await olga.locator('.channel-banner', { hasText: '0 of 5 replies left' }).waitFor();
    await olga.screenshot({ path: `${screenshots}wechat-quota-spent.png` });

    // The follower writes again: a new window; Retry sends the refused reply.
    await sim.fanWrites(account, openid, { type: 'text', content: '好的' });
    await banner.filter({ hasText: '5 of 5 left' }).waitFor();
    await olga.locator('.delivery-failure').getByRole('button', { name: 'Retry' }).click();
    await eventually('the retried reply in WeChat', async () => sim.inbox.some((m) => m.toUser === openid && m.text?.content === 'one too many'));
    await olga.locator('.delivery-failure').waitFor({ state: 'detached' });

    // The follower unfollows: the conversation says so, and the composer says why it is closed.
    await sim.fanWrites(account, openid, { type: 'event', event: 'unsubscribe' });
    await eventually('the unfollow recorded', async () => (await call(server, 'GET', `/api/v1/conversations/${conversationId}/channel`, { token: shop.agentToken })).body.unfollowedAt !== null);
    await olga.reload();
    await olga.locator('.item', { hasText: '好的' }).click();
    await banner.filter({ hasText: 'unfollowed your account' }).waitFor();
    await olga.locator('.hint.blocked', { hasText: 'The customer unfollowed your official account' }).waitFor();
    assert.equal(await olga.getByRole('button', { name: 'Send', exact: true }).isDisabled(), true);
    await olga.screenshot({ path: `${screenshots}wechat-unfollowed.png` });
  });

  test('in Chinese, and at 360 px', { timeout: 90_000 }, async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true });
    try {
      const ann = await signIn(server, phone, people.ann.email);
      await ann.getByRole('button', { name: 'Settings' }).click();
      await ann.getByLabel('Language').selectOption('zh-CN');
      await ann.getByRole('dialog').getByRole('button', { name: '关闭' }).click();
      await ann.getByRole('tab', { name: /进行中|全部|开放/ }).first().click().catch(() => {});
      const row = ann.locator('.item', { has: ann.locator('.channel-tag', { hasText: '微信' }) }).first();
      await row.waitFor();
      await row.click();
      // Unfollowed (the test above), then following again: a new window.
      await ann.locator('.channel-banner', { hasText: '取消关注' }).waitFor();
      await ann.locator('.hint.blocked', { hasText: '客户已取消关注您的公众号' }).waitFor();
      await sim.fanWrites(account, openid, { type: 'event', event: 'subscribe' });
      await ann.reload(); // the conversation stays open
      await ann.locator('.channel-banner', { hasText: '前可回复' }).waitFor();
      await ann.locator('.channel-banner .channel-tag', { hasText: '微信' }).waitFor();
      assert.equal(await horizontalOverflow(ann), 0, 'nothing overflows the WeChat conversation at 360 px');
      await ann.screenshot({ path: `${screenshots}wechat-zh-360.png` });
    } finally {
      await phone.close();
    }
  });
});
