import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { goim } from '@frontdesk/protocol';
import { call, createShop, openWidget, send, type CustomerFixture, type ShopFixture } from './support/client.ts';
import { goimTcp, goimWs, json, signedGoimToken, text, type GoimTestClient } from './support/goim-client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed } from './support/ws-client.ts';

const { ops } = goim;
const silence = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * goim clients (written here from goim's published protocol) and goim's logic HTTP API: a shop's
 * API keys, goim's own auth body with a signed token, rooms, accepts, and every push route.
 */
for (const engine of engines) {
  describe(`goim dialect and push API on ${engine}`, () => {
    let server: TestServer;
    let a: ShopFixture;
    let b: ShopFixture;
    let aKey: string;
    let bKey: string;
    let customer: CustomerFixture;
    const clients: GoimTestClient[] = [];

    const goimCall = async (path: string, key: string | undefined, body?: string | Buffer) => {
      const response = await fetch(`${server.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { ...(key && { authorization: `Bearer ${key}` }), ...(body !== undefined && { 'content-type': 'text/plain' }) },
        ...(body !== undefined && { body }),
      });
      return { status: response.status, body: (await response.json()) as { code: number; message: string; data?: any } };
    };

    /** goim's exact auth body, with the shop-signed token as its key. */
    async function goimClient(shop: ShopFixture, mid: number | string, roomId: string, accepts: number[], transport: 'ws' | 'tcp' = 'ws') {
      const client = transport === 'ws' ? await goimWs(server.url) : await goimTcp(server.app.goimTcpPort()!);
      clients.push(client);
      const key = signedGoimToken(shop.shopId, shop.identitySecret, mid);
      client.write(goim.encodePacket({ op: ops.auth, seq: 1, body: Buffer.from(`{"mid":${mid}, "room_id":"${roomId}", "platform":"web", "accepts":${JSON.stringify(accepts)}, "key":"${key}"}`) }));
      const reply = json(await client.next(ops.authReply));
      return { client, reply };
    }

    before(async () => {
      server = await startServer(engine, { GOIM_TCP_PORT: '0' });
      a = await createShop(server, 'Alpha');
      b = await createShop(server, 'Bravo');
      customer = await openWidget(server, a.shopId);
      for (const [shop, set] of [[a, (k: string) => (aKey = k)], [b, (k: string) => (bKey = k)]] as const) {
        const created = await call(server, 'POST', '/api/v1/api-keys', { token: shop.ownerToken, body: { name: 'push' } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.match(created.body.key, /^fdk_/);
        set(created.body.key);
      }
    });
    after(async () => {
      clients.forEach((c) => c.close());
      await server.close();
    });

    test('API keys: owners and admins create, list (without the key) and revoke them; agents and customers may not', async () => {
      const created = await call(server, 'POST', '/api/v1/api-keys', { token: a.ownerToken, body: { name: 'temporary' } });
      assert.equal(created.status, 201);
      const listed = await call(server, 'GET', '/api/v1/api-keys', { token: a.ownerToken });
      assert.deepEqual(listed.body.items.map((k: { name: string }) => k.name).sort(), ['push', 'temporary']);
      assert.ok(!JSON.stringify(listed.body).includes(created.body.key), 'the key is shown once');
      assert.equal(created.body.key.startsWith(created.body.prefix), true);
      const row = await server.storage.db.selectFrom('api_keys').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(row).includes(created.body.key), 'stored hashed');
      for (const token of [a.agentToken, customer.token]) {
        assert.equal((await call(server, 'GET', '/api/v1/api-keys', { token })).status, 403);
        assert.equal((await call(server, 'POST', '/api/v1/api-keys', { token, body: { name: 'x' } })).status, 403);
      }
      assert.equal((await goimCall('/goim/online/total', created.body.key)).body.code, 0);
      assert.equal((await call(server, 'DELETE', `/api/v1/api-keys/${created.body.id}`, { token: a.ownerToken })).status, 204);
      const revoked = await goimCall('/goim/online/total', created.body.key);
      assert.deepEqual([revoked.status, revoked.body.code, revoked.body.message.split(':')[0]], [401, -401, 'TOKEN_INVALID']);
      assert.equal((await call(server, 'DELETE', `/api/v1/api-keys/${created.body.id}`, { token: a.ownerToken })).body.error.code, 'API_KEY_NOT_FOUND');
      assert.equal((await goimCall('/goim/online/total', undefined)).status, 401);
    });

    test('goim’s auth body with a signed token: mid is the customer’s external id; room push, accepts, ops 12/14/16 and every push route', async () => {
      const { client, reply } = await goimClient(a, 123, 'live://1000', [1000, 1001, 1002]);
      assert.equal(reply.user.kind, 'customer');
      assert.equal(reply.room_id, 'live://1000');
      const customerRow = await server.storage.db.selectFrom('customers').selectAll().where('id', '=', reply.user.id).executeTakeFirstOrThrow();
      assert.deepEqual([customerRow.external_id, customerRow.shop_id], ['123', a.shopId]);
      const other = await goimClient(a, 456, 'live://2000', [1000]);

      const room = await goimCall('/goim/push/room?operation=1000&type=live&room=1000', aKey, 'hello room');
      assert.deepEqual(room.body, { code: 0, message: '' });
      const pushed = await client.next(1000);
      assert.deepEqual([pushed.seq, text(pushed)], [0, 'hello room']);

      // Not accepted: 2000 is dropped until op 14 adds it, and again after op 16 takes it away.
      await goimCall('/goim/push/room?operation=2000&type=live&room=1000', aKey, 'not yet');
      client.request(ops.sync, 7, '2000,2001');
      assert.equal(text(await client.next(ops.syncReply, (p) => p.seq === 7)), '2000,2001');
      await goimCall('/goim/push/room?operation=2000&type=live&room=1000', aKey, 'now');
      assert.equal(text(await client.next(2000)), 'now');
      client.request(ops.ack, 8, '2000');
      assert.equal(text(await client.next(ops.ackReply, (p) => p.seq === 8)), '2000');
      await goimCall('/goim/push/room?operation=2000&type=live&room=1000', aKey, 'gone again');

      // keys (the key of its op 8 reply), mids, all.
      await goimCall(`/goim/push/keys?operation=1001&keys=${reply.key}`, aKey, 'by key');
      assert.equal(text(await client.next(1001)), 'by key');
      await goimCall('/goim/push/mids?operation=1002&mids=123&mids=999', aKey, 'by mid');
      assert.equal(text(await client.next(1002)), 'by mid');
      await goimCall('/goim/push/all?operation=1000&speed=100', aKey, 'to all');
      assert.equal(text(await client.next(1000)), 'to all');
      assert.equal(text(await other.client.next(1000)), 'to all');

      // Online counts, then op 12 moves the client to the other room.
      const top = await goimCall('/goim/online/top?type=live&limit=10', aKey);
      assert.deepEqual(top.body.data.sort((x: any, y: any) => x.room_id.localeCompare(y.room_id)), [{ room_id: '1000', count: 1 }, { room_id: '2000', count: 1 }]);
      client.request(ops.changeRoom, 9, 'live://2000');
      assert.equal(text(await client.next(ops.changeRoomReply, (p) => p.seq === 9)), 'live://2000');
      const rooms = await goimCall('/goim/online/room?type=live&rooms=1000&rooms=2000', aKey);
      assert.deepEqual(rooms.body.data, { 1000: 0, 2000: 2 });
      assert.deepEqual((await goimCall('/goim/online/total', aKey)).body.data, { ip_count: 2, conn_count: 2 });
      assert.deepEqual((await goimCall('/goim/online/total', bKey)).body.data, { ip_count: 0, conn_count: 0 });
      await goimCall('/goim/push/room?operation=1000&type=live&room=1000', aKey, 'old room');
      await goimCall('/goim/push/room?operation=1000&type=live&room=2000', aKey, 'new room');
      assert.equal(text(await client.next(1000)), 'new room');
      assert.equal(text(await other.client.next(1000, (p) => text(p) === 'new room')), 'new room');
      const bodies = client.packets.map(text);
      for (const never of ['not yet', 'gone again', 'old room']) assert.ok(!bodies.includes(never), never);

      // A conversation is a room too, for those who may read it; unknown rooms are refused.
      client.request(ops.changeRoom, 10, customer.conversationId);
      assert.equal(json(await client.next(ops.changeRoomReply, (p) => p.seq === 10)).code, 'ROOM_NOT_FOUND');
      client.request(ops.changeRoom, 11, `shop://${b.shopId}`);
      assert.equal(json(await client.next(ops.changeRoomReply, (p) => p.seq === 11)).code, 'ROOM_NOT_FOUND');
      client.request(ops.changeRoom, 12, `shop://${a.shopId}`);
      assert.equal(text(await client.next(ops.changeRoomReply, (p) => p.seq === 12)), `shop://${a.shopId}`);
    });

    test('Frontdesk’s own clients get raw pushes as a push frame: /ws JSON and /sub with {token}', async () => {
      const ws = await rawAuthed(server, a.agentToken);
      const sub = await goimWs(server.url);
      clients.push(sub);
      sub.request(ops.auth, 1, { token: a.ownerToken });
      await sub.next(ops.authReply);
      await goimCall('/goim/push/all?operation=3000', aKey, '{"hello":"all"}');
      assert.deepEqual(await ws.next('push'), { type: 'push', operation: 3000, body: '{"hello":"all"}' });
      assert.deepEqual(json(await sub.next(ops.message, (p) => json(p).type === 'push')), { type: 'push', operation: 3000, body: '{"hello":"all"}' });
      ws.close();
    });

    test('TCP: goim’s 4-minute heartbeat holds where Frontdesk’s limit would cut, and a batch is bare consecutive packets', async () => {
      const quick = await startServer(engine, { GOIM_TCP_PORT: '0', WS_HEARTBEAT_MS: '200' });
      try {
        const shop = await createShop(quick);
        const keyReply = await call(quick, 'POST', '/api/v1/api-keys', { token: shop.ownerToken, body: { name: 'k' } });
        const goimClient = await goimTcp(quick.app.goimTcpPort()!);
        const frontdesk = await goimTcp(quick.app.goimTcpPort()!);
        clients.push(goimClient, frontdesk);
        goimClient.request(ops.auth, 1, `{"mid":77,"room_id":"live://7","platform":"ios","accepts":[1000],"key":"${signedGoimToken(shop.shopId, shop.identitySecret, 77)}"}`);
        const reply = json(await goimClient.next(ops.authReply));
        frontdesk.request(ops.auth, 1, { token: shop.agentToken });
        await frontdesk.next(ops.authReply);
        await frontdesk.closed; // cut after 2 × 200 ms of silence
        await silence(1_500);
        goimClient.request(ops.heartbeat, 2);
        await goimClient.next(ops.heartbeatReply);
        // Two pushes in one turn: one write of two op 1000 packets, no op 9 header.
        const before = goimClient.writes.length;
        const push = (body: string) =>
          fetch(`${quick.url}/goim/push/keys?operation=1000&keys=${reply.key}`, { method: 'POST', headers: { authorization: `Bearer ${keyReply.body.key}` }, body });
        await Promise.all([push('one'), push('two')]);
        await goimClient.next(1000, (p) => text(p) === 'two');
        await goimClient.next(1000, (p) => text(p) === 'one');
        const raw = Buffer.concat(goimClient.writes.slice(before));
        const packets = goim.decodeMessage(raw, { maxBodyBytes: 1 << 20 });
        assert.deepEqual(packets.map((p) => p.op), [1000, 1000]);
      } finally {
        await quick.close();
      }
    });

    test('refused: another shop’s signature, mid, rooms and keys; bad operation, speed and size: nothing delivered', async () => {
      const { client, reply } = await goimClient(a, 321, 'live://9', [1000]);
      // B's signature over A's shop id, and A's over another mid: closed with 4001.
      for (const key of [signedGoimToken(a.shopId, b.identitySecret, 5), signedGoimToken(b.shopId, a.identitySecret, 5), `fdg.${a.shopId}.${'0'.repeat(64)}`]) {
        const refused = await goimWs(server.url);
        refused.request(ops.auth, 1, `{"mid":5,"room_id":"live://9","platform":"web","accepts":[1000],"key":"${key}"}`);
        assert.equal(await refused.closed, 4001);
      }
      // A room of another shop, a conversation of another customer: ROOM_NOT_FOUND closes the auth.
      for (const roomId of [`shop://${b.shopId}`, customer.conversationId]) {
        const refused = await goimWs(server.url);
        refused.request(ops.auth, 1, `{"mid":6,"room_id":"${roomId}","platform":"web","accepts":[1000],"key":"${signedGoimToken(a.shopId, a.identitySecret, 6)}"}`);
        assert.equal(await refused.closed, 1008);
      }
      // B's key reaches none of A's connections, whatever it names.
      for (const path of [`/goim/push/keys?operation=1000&keys=${reply.key}`, '/goim/push/mids?operation=1000&mids=321', '/goim/push/room?operation=1000&type=live&room=9', '/goim/push/all?operation=1000']) {
        assert.equal((await goimCall(path, bKey, 'from b')).body.code, 0, path);
      }
      const unknownRoom = await goimCall(`/goim/push/room?operation=1000&type=shop&room=${a.shopId}`, bKey, 'from b');
      assert.deepEqual([unknownRoom.status, unknownRoom.body.code], [404, -404]);
      const badInput: Array<[string, string | Buffer, number]> = [
        ['/goim/push/all?operation=1000&speed=-1', 'x', -400],
        ['/goim/push/all?operation=1000&speed=99999999999', 'x', -400],
        ['/goim/push/all?operation=1000&speed=abc', 'x', -400],
        ['/goim/push/all?operation=1000&speed=1&speed=2', 'x', -400],
        ['/goim/push/all?speed=1', 'x', -400],
        ['/goim/push/room?operation=1000&room=9', 'x', -400],
        ['/goim/push/room?operation=1e3&type=live&room=9', 'x', -400],
        ['/goim/push/mids?operation=1000&mids=abc', 'x', -400],
        ['/goim/push/all?operation=1000', Buffer.alloc(70_000, 120), -413],
      ];
      for (const [path, body, code] of badInput) {
        const refused = await goimCall(path, aKey, body);
        assert.equal(refused.body.code, code, `${path}: ${JSON.stringify(refused.body)}`);
      }
      await goimCall('/goim/push/room?operation=1000&type=live&room=9', aKey, 'the only one');
      assert.equal(text(await client.next(1000)), 'the only one');
      await silence(100);
      assert.deepEqual(client.packets.filter((p) => p.op === 1000).map(text), ['the only one']);
    });

    test('nodes/weighted tells a client where to connect, as goim does', async () => {
      const nodes = await goimCall('/goim/nodes/weighted?platform=web', undefined);
      assert.equal(nodes.body.code, 0);
      assert.equal(nodes.body.data.heartbeat, 240);
      assert.equal(nodes.body.data.heartbeat_max, 2);
      assert.equal(nodes.body.data.tcp_port, server.app.goimTcpPort());
      assert.ok(nodes.body.data.nodes.length === 1);
    });

    test('a push never stores anything', async () => {
      const before = (await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages`, { token: a.ownerToken })).body.items.length;
      await goimCall('/goim/push/all?operation=5', aKey, 'ephemeral');
      assert.equal((await send(server, customer.token, customer.conversationId, 'stored')).status, 201);
      const afterPush = (await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages`, { token: a.ownerToken })).body.items;
      assert.equal(afterPush.length, before + 1);
    });
  });
}
