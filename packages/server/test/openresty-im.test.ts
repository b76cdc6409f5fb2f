import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { goim } from '@frontdesk/protocol';
import { call, createShop, openWidget, send, type CustomerFixture, type ShopFixture } from './support/client.ts';
import { goimWs, json, signedGoimToken, text, type GoimTestClient } from './support/goim-client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed } from './support/ws-client.ts';

const { ops } = goim;
const MID = '663291537152950273';

/** openresty-im's client (dist/js/goim.js), written here from its published protocol. */
for (const engine of engines) {
  describe(`openresty-im dialect on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let customer: CustomerFixture;
    const clients: GoimTestClient[] = [];

    /** Its op 7 body: the whole options object, accepts as a string, mid as a string. */
    const options = (key: string, roomId: string) => ({
      room_id: roomId, accepts: '[1000,1001,1002]', key, mid: MID, nickname: 'guest', face: '/f.jpg',
      shop_name: 'Shop', shop_id: shop.shopId, shop_face: '/s.jpg', platform: 'web', suburl: `${server.url}/sub`, pushurl: `${server.url}/open/push`,
    });
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const openPush = async (query: string, fields: Record<string, string>, token?: string) => {
      const response = await fetch(`${server.url}/open/push?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', ...(token && { authorization: `Bearer ${token}` }) },
        body: form(fields),
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };

    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server);
      customer = await openWidget(server, shop.shopId);
      for (const [token, body] of [[customer.token, 'first question'], [shop.agentToken, 'an answer'], [customer.token, 'thanks']] as const) {
        assert.equal((await send(server, token, customer.conversationId, body)).status, 201);
      }
    });
    after(async () => {
      clients.forEach((c) => c.close());
      await server.close();
    });

    async function connect(key = customer.token, roomId = customer.conversationId) {
      const client = await goimWs(server.url);
      clients.push(client);
      client.request(ops.auth, 1, options(key, roomId));
      await client.next(ops.authReply);
      return client;
    }

    test('op 14 with an empty body: one op 15 per recent message, in its flat shape', async () => {
      const client = await connect();
      client.request(ops.sync, 1);
      const replies = [await client.next(ops.syncReply), await client.next(ops.syncReply), await client.next(ops.syncReply)];
      const flat = replies.map(json);
      assert.deepEqual(flat.map((m) => m.msg), ['first question', 'an answer', 'thanks']);
      for (const m of flat) {
        assert.deepEqual(Object.keys(m).sort(), ['dateline', 'id', 'mid', 'msg', 'room_id', 'type']);
        assert.equal(m.type, 'text');
        assert.equal(m.room_id, `conversation://${customer.conversationId}`);
        assert.ok(Number.isInteger(m.dateline) && Math.abs(m.dateline - Date.now() / 1000) < 600);
      }
      assert.deepEqual(flat.map((m) => m.mid === MID), [true, false, true], 'its own messages carry its mid');
    });

    test('op 16 with a plain id moves the read cursor and op 17 echoes it; a bad id is refused on op 17', async () => {
      const client = await connect();
      const answer = (await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages`, { token: customer.token })).body.items.find((m: any) => m.text === 'an answer');
      const before = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}`, { token: customer.token });
      client.request(ops.ack, 5, answer.id);
      assert.equal(text(await client.next(ops.ackReply, (p) => p.seq === 5)), answer.id);
      const after = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}`, { token: customer.token });
      assert.equal(after.body.readSeq, Math.max(before.body.readSeq, answer.seq));
      client.request(ops.ack, 6, 'undefined');
      assert.equal(json(await client.next(ops.ackReply, (p) => p.seq === 6)).code, 'MESSAGE_NOT_FOUND');
    });

    test('POST /open/push with its form fields stores through the send path and reaches every side, op 5 in the flat shape', async () => {
      const client = await connect();
      const agent = await rawAuthed(server, shop.agentToken);
      const query = `room_id=conversation://${customer.conversationId}&mid=${MID}&nickname=guest&face=/f.jpg&shop_id=${shop.shopId}&shop_name=Shop`;
      const sent = await openPush(query, { type: 'text', msg: 'sent by form', room_id: `conversation://${customer.conversationId}` }, customer.token);
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      assert.deepEqual([sent.body.success, sent.body.status, sent.body.data.msg, sent.body.data.mid], [true, 1, 'sent by form', MID]);
      const pushed = json(await client.next(ops.message, (p) => json(p).msg === 'sent by form'));
      assert.deepEqual(pushed, sent.body.data);
      assert.equal((await agent.next('message', (f) => f.message.text === 'sent by form')).message.conversationId, customer.conversationId);
      const stored = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages`, { token: shop.agentToken });
      assert.ok(stored.body.items.some((m: any) => m.id === sent.body.data.id && m.senderId === customer.customerId));
      // Typing and read receipts are not for this client: nothing but messages arrives as op 5.
      agent.send({ type: 'typing', conversationId: customer.conversationId });
      await send(server, shop.agentToken, customer.conversationId, 'after typing');
      await client.next(ops.message, (p) => json(p).msg === 'after typing');
      assert.ok(client.packets.filter((p) => p.op === ops.message).every((p) => typeof json(p).msg === 'string'));
      agent.close();
    });

    test('a shop server posts as its customer with an API key and mid; without a credential nothing is stored', async () => {
      const key = (await call(server, 'POST', '/api/v1/api-keys', { token: shop.ownerToken, body: { name: 'open' } })).body.key;
      // The customer known by mid: a goim-signed connection made them.
      const goimClient = await goimWs(server.url);
      clients.push(goimClient);
      goimClient.request(ops.auth, 1, `{"mid":${MID},"room_id":"","platform":"web","accepts":[],"key":"${signedGoimToken(shop.shopId, shop.identitySecret, MID)}"}`);
      await goimClient.next(ops.authReply);
      const count = async () => Number((await server.storage.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const before = await count();
      const sent = await openPush(`mid=${MID}&shop_id=${shop.shopId}`, { type: 'text', msg: 'from the shop server' }, key);
      assert.equal(sent.body.success, true, JSON.stringify(sent.body));
      assert.equal(text(await goimClient.next(ops.message, (p) => text(p).includes('from the shop server'))).includes('"type":"message"'), true);
      for (const [token, query, fields, status] of [
        [undefined, '', { msg: 'anonymous' }, 401],
        ['fdc_forged', '', { msg: 'forged' }, 401],
        [key, `mid=1&shop_id=${shop.shopId}`, { msg: 'unknown mid' }, 404],
        [key, `mid=${MID}&shop_id=00000000-0000-7000-8000-000000000000`, { msg: 'another shop' }, 404],
        [customer.token, '', { msg: '' }, 400],
        [customer.token, '', { msg: 'x'.repeat(8001) }, 400],
        [customer.token, '', { msg: 'elsewhere', room_id: '00000000-0000-7000-8000-000000000000' }, 404],
      ] as const) {
        const refused = await openPush(query, fields, token);
        assert.deepEqual([refused.status, refused.body.success, refused.body.status], [status, false, 0], JSON.stringify(refused.body));
      }
      assert.equal(await count(), before + 1);
    });

    test('/open/im?shop_id= opens the shop’s hosted chat; /open/com is the agents’ entry', async () => {
      const im = await fetch(`${server.url}/open/im?shop_id=${shop.shopId}`, { redirect: 'manual' });
      assert.deepEqual([im.status, im.headers.get('location')], [302, `/widget/?shop=${shop.shopId}`]);
      const page = await fetch(`${server.url}${im.headers.get('location')}`);
      assert.equal(page.status, 200);
      const com = await fetch(`${server.url}/open/com?shop_id=${shop.shopId}`, { redirect: 'manual' });
      assert.deepEqual([com.status, com.headers.get('location')], [302, '/console/']);
      for (const bad of ['', 'shop_id=nope', 'shop_id=00000000-0000-7000-8000-000000000000']) {
        assert.equal((await fetch(`${server.url}/open/im?${bad}`, { redirect: 'manual' })).status, 404);
      }
    });
  });
}
