import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { call, createShop, send, type ShopFixture } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { WechatSimulator, type SimAccount } from './support/wechat-simulator.ts';
import { rawAuthed } from './support/ws-client.ts';

const PNG = await sharp({ create: { width: 4, height: 3, channels: 3, background: '#07c160' } }).png().toBuffer();

/** The fan's service conversation, found the way the console finds it: the queue, by the customer's external id (openid). */
async function conversationOf(server: TestServer, shop: ShopFixture, openid: string): Promise<string> {
  return eventually(`the conversation of ${openid}`, async () => {
    const list = await call(server, 'GET', '/api/v1/conversations?limit=100', { token: shop.ownerToken });
    return list.body.items.find((c: { customer: { externalId: string } | null }) => c.customer?.externalId === openid)?.id as string | undefined;
  });
}

async function history(server: TestServer, shop: ShopFixture, conversationId: string) {
  return (await call(server, 'GET', `/api/v1/conversations/${conversationId}/messages?limit=100`, { token: shop.ownerToken })).body.items as Array<{
    id: string;
    senderKind: string;
    contentType: string;
    text: string | null;
    attachment: { id: string; mime: string; size: number } | null;
  }>;
}

/** WeChat official accounts against a simulator of WeChat's servers (support/wechat-simulator.ts): docs/channels.md. */
for (const engine of engines) {
  describe(`WeChat channel on ${engine}`, () => {
    const sim = new WechatSimulator();
    let server: TestServer;
    let shop: ShopFixture;
    let account: SimAccount;

    before(async () => {
      await sim.start();
      server = await startServer(engine, { WECHAT_API_BASE: sim.url, WECHAT_SWEEP_MS: '200' });
      shop = await createShop(server, 'WeChat shop');
      account = sim.addAccount('safe');
      const connected = await call(server, 'PUT', '/api/v1/channels/wechat', {
        token: shop.ownerToken,
        body: { appId: account.appId, appSecret: account.appSecret, token: account.token, encodingAesKey: account.encodingAesKey, originalId: account.originalId },
      });
      assert.equal(connected.status, 200, JSON.stringify(connected.body));
      account.callbackUrl = `${server.url}${new URL(connected.body.callbackUrl).pathname}`;
    });
    after(async () => {
      await server.close();
      await sim.stop();
    });

    test('the account: secrets never shown again, admins only; WeChat’s URL check answered only when signed with the token', async () => {
      const shown = await call(server, 'GET', '/api/v1/channels/wechat', { token: shop.ownerToken });
      assert.deepEqual(Object.keys(shown.body).sort(), ['appId', 'callbackUrl', 'connectedAt', 'originalId']);
      assert.ok(!JSON.stringify(shown.body).includes(account.appSecret));
      assert.equal((await call(server, 'GET', '/api/v1/channels/wechat', { token: shop.agentToken })).body.error.code, 'FORBIDDEN');
      const sealed = await server.storage.db.selectFrom('wechat_accounts').selectAll().executeTakeFirstOrThrow();
      assert.ok(![sealed.app_secret, sealed.callback_token, sealed.encoding_aes_key].some((value) => [account.appSecret, account.token, account.encodingAesKey].includes(value)));
      const verified = await sim.verifyCallback(account);
      assert.equal(verified.status, 200);
      assert.match(verified.body, /^[0-9a-f]{16}$/);
      assert.equal((await sim.verifyCallback(account, true)).status, 401);
    });

    test('another shop sees no account of this one, cannot take its account, and its fans’ messages stay here', async () => {
      const other = await createShop(server, 'Other shop');
      assert.equal((await call(server, 'GET', '/api/v1/channels/wechat', { token: other.ownerToken })).body.error.code, 'WECHAT_NOT_CONNECTED');
      assert.equal((await call(server, 'DELETE', '/api/v1/channels/wechat', { token: other.ownerToken })).body.error.code, 'WECHAT_NOT_CONNECTED');
      const taken = await call(server, 'PUT', '/api/v1/channels/wechat', {
        token: other.ownerToken,
        body: { appId: account.appId, appSecret: 'f'.repeat(32), token: 'othertoken', encodingAesKey: 'b'.repeat(43), originalId: 'gh_aaaaaaaaaaaa' },
      });
      assert.equal(taken.body.error.code, 'WECHAT_APP_TAKEN');
      const openid = `o${randomBytes(8).toString('hex')}`;
      await sim.fanWrites(account, openid, { type: 'text', content: 'for the first shop only' });
      await conversationOf(server, shop, openid);
      const theirs = await call(server, 'GET', '/api/v1/conversations?limit=100', { token: other.ownerToken });
      assert.equal(theirs.body.items.length, 0);
      assert.equal((await call(server, 'GET', '/api/v1/channels/wechat', { token: shop.ownerToken })).body.appId, account.appId);
    });

    test('a fan’s text and image reach the console; WeChat’s retries of one MsgId are stored once', async () => {
      const openid = `o${randomBytes(8).toString('hex')}`;
      const agentSocket = await rawAuthed(server, shop.ownerToken);
      const answers = await sim.fanWrites(account, openid, { type: 'text', content: '你好, is my order on its way?' }, { attempts: 3 });
      assert.deepEqual(answers.map((a) => [a.status, a.body]), [[200, 'success'], [200, 'success'], [200, 'success']]);
      const live = await agentSocket.next('message', (f) => f.message.text === '你好, is my order on its way?');
      const conversationId = await conversationOf(server, shop, openid);
      assert.equal(live.message.conversationId, conversationId);
      await sim.fanWrites(account, openid, { type: 'image', bytes: PNG, mime: 'image/png' });
      const image = await eventually('the image', async () => (await history(server, shop, conversationId)).find((m) => m.contentType === 'image'));
      assert.equal(image.attachment?.size, PNG.length);
      const content = await fetch(`${server.url}/api/v1/attachments/${image.attachment!.id}/content`, { headers: { authorization: `Bearer ${shop.ownerToken}` } });
      assert.deepEqual(Buffer.from(await content.arrayBuffer()), PNG);
      const texts = (await history(server, shop, conversationId)).filter((m) => m.senderKind === 'customer' && m.contentType === 'text');
      assert.equal(texts.length, 1);
      const channel = await call(server, 'GET', `/api/v1/conversations/${conversationId}/channel`, { token: shop.agentToken });
      assert.deepEqual([channel.body.channel, channel.body.remaining], ['wechat', 5]);
      agentSocket.close();
    });

    test('agent replies reach the fan through the customer-service API, text and image, in order', async () => {
      const openid = `o${randomBytes(8).toString('hex')}`;
      await sim.fanWrites(account, openid, { type: 'text', content: 'hello' });
      const conversationId = await conversationOf(server, shop, openid);
      await send(server, shop.agentToken, conversationId, 'First reply');
      await send(server, shop.agentToken, conversationId, 'Second reply');
      await send(server, shop.agentToken, conversationId, 'A note for colleagues', { visibility: 'internal' });
      await eventually('two replies', async () => sim.inbox.filter((m) => m.toUser === openid).length === 2);
      const upload = new FormData();
      upload.set('file', new Blob([PNG], { type: 'image/png' }), 'map.png');
      const stored = await fetch(`${server.url}/api/v1/conversations/${conversationId}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${shop.agentToken}` }, body: upload });
      const attachment = (await stored.json()) as { id: string };
      assert.equal(stored.status, 201, JSON.stringify(attachment));
      await send(server, shop.agentToken, conversationId, '', { attachmentId: attachment.id, contentType: 'image' });
      const received = await eventually('three replies', async () => {
        const mine = sim.inbox.filter((m) => m.toUser === openid);
        return mine.length === 3 && mine;
      });
      assert.deepEqual(received.map((m) => m.text?.content ?? m.msgtype), ['First reply', 'Second reply', 'image']);
      assert.deepEqual(sim.media.get(received[2]!.image!.media_id)?.bytes, PNG);
    });

    test('WeChat’s window: 5 replies per 48 h; the 6th fails and is shown so, a new message from the fan opens the window and a retry sends it; outside the window, 45015', async () => {
      const openid = `o${randomBytes(8).toString('hex')}`;
      await sim.fanWrites(account, openid, { type: 'text', content: 'window test' });
      const conversationId = await conversationOf(server, shop, openid);
      const ids: string[] = [];
      for (let i = 1; i <= 6; i++) ids.push((await send(server, shop.agentToken, conversationId, `reply ${i}`)).body.id);
      const failed = await eventually('the 6th refused', async () => {
        const channel = (await call(server, 'GET', `/api/v1/conversations/${conversationId}/channel`, { token: shop.agentToken })).body;
        return channel.failures.length === 1 && channel;
      });
      assert.deepEqual([failed.remaining, failed.failures[0].messageId, failed.failures[0].errorCode], [0, ids[5], '45047']);
      assert.equal(sim.inbox.filter((m) => m.toUser === openid).length, 5);
      assert.equal((await call(server, 'POST', `/api/v1/conversations/${conversationId}/messages/${ids[0]}/retry`, { token: shop.agentToken })).body.error.code, 'DELIVERY_NOT_FAILED');

      await sim.fanWrites(account, openid, { type: 'text', content: 'still there?' });
      await eventually('the window open again', async () => (await call(server, 'GET', `/api/v1/conversations/${conversationId}/channel`, { token: shop.agentToken })).body.remaining === 5);
      assert.equal((await call(server, 'POST', `/api/v1/conversations/${conversationId}/messages/${ids[5]}/retry`, { token: shop.agentToken })).status, 202);
      await eventually('the retried reply', async () => sim.inbox.some((m) => m.toUser === openid && m.text?.content === 'reply 6'));
      await eventually('no failure left', async () => (await call(server, 'GET', `/api/v1/conversations/${conversationId}/channel`, { token: shop.agentToken })).body.failures.length === 0);

      sim.clockOffsetMs = 49 * 3_600_000;
      try {
        const late = (await send(server, shop.agentToken, conversationId, 'two days later')).body.id;
        const refused = await eventually('45015', async () => (await call(server, 'GET', `/api/v1/conversations/${conversationId}/channel`, { token: shop.agentToken })).body.failures.find((f: { messageId: string }) => f.messageId === late));
        assert.equal(refused.errorCode, '45015');
      } finally {
        sim.clockOffsetMs = 0;
      }
    });

    test('following opens WeChat’s window, so a welcome goes out before the fan writes; unfollowing is shown, and WeChat’s 43004 refusal with it; following again opens it', async () => {
      const openid = `o${randomBytes(8).toString('hex')}`;
      await sim.fanWrites(account, openid, { type: 'event', event: 'subscribe' });
      const conversationId = await eventually('the follower a contact', async () => {
        const found = (await call(server, 'GET', `/api/v1/contacts?q=${openid}`, { token: shop.agentToken })).body.items[0];
        return found?.conversationId as string | undefined;
      });
      const channel = async () => (await call(server, 'GET', `/api/v1/conversations/${conversationId}/channel`, { token: shop.agentToken })).body;
      const open = await eventually('the window open', async () => {
        const c = await channel();
        return c.channel === 'wechat' && c.remaining === 5 && c;
      });
      assert.ok(Math.abs(Date.parse(open.windowClosesAt) - (Date.now() + 48 * 3_600_000)) < 60_000, open.windowClosesAt);
      assert.equal(open.unfollowedAt, null);
      await send(server, shop.agentToken, conversationId, 'Welcome! Ask us anything.');
      await eventually('the welcome delivered', async () => sim.inbox.some((m) => m.toUser === openid && m.text?.content === 'Welcome! Ask us anything.'));

      await sim.fanWrites(account, openid, { type: 'event', event: 'unsubscribe' });
      const gone = await eventually('the unfollow recorded', async () => {
        const c = await channel();
        return c.unfollowedAt !== null && c;
      });
      assert.ok(Math.abs(Date.parse(gone.unfollowedAt) - Date.now()) < 60_000);
      const late = (await send(server, shop.agentToken, conversationId, 'Sorry to see you go')).body.id;
      const refused = await eventually('43004', async () => (await channel()).failures.find((f: { messageId: string }) => f.messageId === late));
      assert.equal(refused.errorCode, '43004');

      // A second follow: WeChat tells its retries apart by sender and second, so not within the first's second.
      await new Promise((resolve) => setTimeout(resolve, 1000 - (sim.now() % 1000) + 10));
      await sim.fanWrites(account, openid, { type: 'event', event: 'subscribe' });
      await eventually('following again', async () => (await channel()).unfollowedAt === null);
      assert.equal((await call(server, 'POST', `/api/v1/conversations/${conversationId}/messages/${late}/retry`, { token: shop.agentToken })).status, 202);
      await eventually('the retried reply', async () => sim.inbox.some((m) => m.toUser === openid && m.text?.content === 'Sorry to see you go'));
      assert.deepEqual(await history(server, shop, conversationId).then((items) => items.map((m) => m.text)), ['Welcome! Ask us anything.', 'Sorry to see you go'], 'events store no message');
    });

    test('a stale access token (40001) is replaced once and the reply still goes out', async () => {
      const openid = `o${randomBytes(8).toString('hex')}`;
      await sim.fanWrites(account, openid, { type: 'text', content: 'token test' });
      const conversationId = await conversationOf(server, shop, openid);
      const before = sim.tokenRequests.get(account.appId) ?? 0;
      sim.revokeTokens();
      await send(server, shop.agentToken, conversationId, 'after the revocation');
      await eventually('the reply', async () => sim.inbox.some((m) => m.toUser === openid && m.text?.content === 'after the revocation'));
      assert.equal(sim.tokenRequests.get(account.appId), before + 1);
    });

    test('bad signatures, stale timestamps, other accounts’ ciphertext and junk store nothing', async () => {
      const openid = `o${randomBytes(8).toString('hex')}`;
      const inbound = async () => (await server.storage.db.selectFrom('wechat_inbound').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
      const stored = await inbound();
      assert.equal((await sim.fanWrites(account, openid, { type: 'text', content: 'forged' }, { signatureOverride: 'a'.repeat(40) }))[0]!.status, 401);
      // Signed with our token but encrypted for another app: the signature holds, the ciphertext does not.
      const other = { ...sim.addAccount('safe', account.callbackUrl), token: account.token };
      assert.equal((await sim.fanWrites(other, openid, { type: 'text', content: 'another app’s ciphertext' }))[0]!.status, 400);
      const plain = sim.addAccount('plain', account.callbackUrl);
      assert.equal((await sim.fanWrites(plain, openid, { type: 'text', content: 'wrong token' }))[0]!.status, 401);
      for (const body of ['', 'not xml', '<xml><Encrypt>zz</Encrypt></xml>', '<!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>', `<xml>${'<a>'.repeat(5000)}</xml>`]) {
        const reply = await fetch(`${account.callbackUrl}?signature=x&timestamp=1&nonce=1`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
        assert.ok([400, 401].includes(reply.status), `${reply.status} for ${body.slice(0, 40)}`);
      }
      const unknown = await fetch(`${server.url}/channels/wechat/${randomUUID().replaceAll('-', '')}?signature=x`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<xml/>' });
      assert.equal(unknown.status, 404);
      assert.equal(await inbound(), stored);
    });
  });
}
