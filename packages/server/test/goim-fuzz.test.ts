import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { goim } from '@frontdesk/protocol';
import { call, createShop, type ShopFixture } from './support/client.ts';
import { goimWs, signedGoimToken, text, type GoimTestClient } from './support/goim-client.ts';
import { seededRandom } from './support/random.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';

const { ops } = goim;
const OPS = [ops.heartbeat, ops.send, ops.auth, ops.changeRoom, ops.sync, ops.ack, 0, 9, 99, -1];

/** goim's and openresty-im's auth bodies and requests, with hostile values in every field. */
function hostileBody(r: () => number, shop: ShopFixture, other: ShopFixture): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(r() * items.length)]!;
  const mid = pick(['1', '0', '-1', '99999999999999999999', '"abc"', 'null', '1e400', '[]', '{"$gt":""}']);
  const key = pick([
    signedGoimToken(shop.shopId, other.identitySecret, 1),
    signedGoimToken(other.shopId, shop.identitySecret, 1),
    signedGoimToken(shop.shopId, shop.identitySecret, 2),
    `fdg.${shop.shopId}.${'z'.repeat(64)}`,
    'fdc_nope',
    '',
    'x'.repeat(300),
  ]);
  const room = pick([`shop://${other.shopId}`, 'live://1000', '0190f0f0-0000-7000-8000-000000000000', '', 'a'.repeat(500), 'live://\u0000', '://', 'conversation://x']);
  const accepts = pick(['[1000]', '"[1000,1001]"', '[]', '"x"', '[1e400]', 'null', '{"a":1}']);
  switch (Math.floor(r() * 8)) {
    case 0: return `{"mid":${mid},"room_id":${JSON.stringify(room)},"platform":"web","accepts":${accepts},"key":${JSON.stringify(key)}}`;
    case 1: return JSON.stringify({ room_id: room, accepts: '[1000]', key, mid: '1', shop_id: other.shopId, suburl: 'x', pushurl: 'y' });
    case 2: return pick(['1000,1001', '-1', '2147483648', ',', '1,,2', '99999999999']);
    case 3: return room;
    case 4: return randomBytes(Math.floor(r() * 64)).toString('latin1');
    case 5: return JSON.stringify({ conversationId: room, clientMsgId: 'x', text: 'y'.repeat(Math.floor(r() * 10)) });
    case 6: return '{'.repeat(Math.floor(r() * 100));
    default: return '';
  }
}

for (const engine of engines) {
  describe(`goim dialect fuzz on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let other: ShopFixture;
    before(async () => {
      server = await startServer(engine, { WS_RATE_PER_SECOND: '100000', WS_RATE_BURST: '100000' });
      shop = await createShop(server);
      other = await createShop(server);
    });
    after(() => server.close());

    test('3,000 random goim packets before and after a goim auth: answers or closes, the server stays up, a goim bystander still gets its room’s pushes', async () => {
      const r = seededRandom(engine === 'sqlite' ? 18 : 81);
      const key = (await call(server, 'POST', '/api/v1/api-keys', { token: shop.ownerToken, body: { name: 'fuzz' } })).body.key as string;
      const bystander = await goimWs(server.url);
      bystander.request(ops.auth, 1, `{"mid":5,"room_id":"live://5","platform":"web","accepts":[1000],"key":"${signedGoimToken(shop.shopId, shop.identitySecret, 5)}"}`);
      await bystander.next(ops.authReply);
      const messagesBefore = await server.storage.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      let sent = 0;
      let round = 0;
      let closes = 0;
      while (sent < 3_000) {
        round += 1;
        const client: GoimTestClient = await goimWs(server.url);
        if (round % 2 === 0) client.request(ops.auth, 1, `{"mid":9,"room_id":"","platform":"web","accepts":[],"key":"${signedGoimToken(shop.shopId, shop.identitySecret, 9)}"}`);
        const burst = 20 + Math.floor(r() * 60);
        for (let i = 0; i < burst; i++, sent++) client.write(goim.encodePacket({ op: OPS[Math.floor(r() * OPS.length)]!, seq: i, body: Buffer.from(hostileBody(r, shop, other)) }));
        client.request(ops.heartbeat, 424242);
        const outcome = await Promise.race([
          client.closed.then((code) => ({ closed: code })),
          client.next(ops.heartbeatReply, (p) => p.seq === 424242, 10_000).then(() => ({ alive: true })),
        ]);
        if ('closed' in outcome) {
          closes += 1;
          assert.ok([1008, 1009, 4001, 4008, 1002, 1006].includes(outcome.closed), `close code ${outcome.closed}`);
        } else client.close();
        if (round % 5 === 0) {
          const body = `still there ${round}`;
          const pushed = await fetch(`${server.url}/goim/push/room?operation=1000&type=live&room=5`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body });
          assert.equal(((await pushed.json()) as { code: number }).code, 0);
          await bystander.next(1000, (p) => text(p) === body);
        }
      }
      assert.ok(closes > 5, `some connections were closed (${closes})`);
      assert.equal((await call(server, 'GET', '/healthz')).status, 200);
      const messagesAfter = await server.storage.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(messagesAfter.n), Number(messagesBefore.n), 'no message was stored');
      bystander.close();
    });
  });
}
