import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { call, createShop, openWidget, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed, wsUrl } from './support/ws-client.ts';
import { seededRandom } from './support/random.ts';


const TYPES = ['auth', 'ping', 'send', 'read', 'typing', 'sync', 'history', 'Send', '', 'message', '__proto__', 'constructor'];
const FIELDS = ['type', 'id', 'token', 'conversationId', 'clientMsgId', 'text', 'seq', 'limit', 'beforeSeq', 'afterSeq', 'contentType', 'visibility', '__proto__'];

function hostileValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * 16);
  switch (pick) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return Math.floor(r() * 2 ** 31) - 2 ** 30;
    case 3: return [1e308, -1e308, 2 ** 53 + 1, -0, 0.5, 2147483648][Math.floor(r() * 6)];
    case 4: return 'x'.repeat(Math.floor(r() * 70_000));
    case 5: return randomBytes(Math.floor(r() * 64)).toString('latin1');
    case 6: return '0190f0f0-0000-7000-8000-000000000000';
    case 7: return { $gt: '' };
    case 8: return depth > 3 ? [] : Array.from({ length: Math.floor(r() * 4) }, () => hostileValue(r, depth + 1));
    case 9: return depth > 3 ? {} : Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [FIELDS[Math.floor(r() * FIELDS.length)]!, hostileValue(r, depth + 1)]));
    case 10: return '\u0000';
    case 11: return '🙂'.repeat(Math.floor(r() * 100));
    default: return String(Math.floor(r() * 1e6));
  }
}

function hostileFrame(r: () => number): string | Buffer {
  const kind = Math.floor(r() * 10);
  if (kind === 0) return randomBytes(Math.floor(r() * 200));
  if (kind === 1) return '{'.repeat(Math.floor(r() * 5000)) + '}'.repeat(Math.floor(r() * 5000));
  if (kind === 2) return `{"type":"send","x":${'['.repeat(2000)}${']'.repeat(2000)}}`;
  if (kind === 3) return ['', 'null', '[]', '"send"', '{"type":}', '{"type":"ping"', 'NaN', '1e999'][Math.floor(r() * 8)]!;
  const frame: Record<string, unknown> = { type: TYPES[Math.floor(r() * TYPES.length)] };
  const fields = Math.floor(r() * 6);
  for (let i = 0; i < fields; i++) frame[FIELDS[Math.floor(r() * FIELDS.length)]!] = hostileValue(r);
  return JSON.stringify(frame);
}

for (const engine of engines) {
  describe(`realtime fuzz on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    before(async () => {
      server = await startServer(engine, { WS_RATE_PER_SECOND: '100000', WS_RATE_BURST: '100000', WS_MAX_FRAME_BYTES: '65536' });
      shop = await createShop(server);
    });
    after(() => server.close());

    test('10,000 random frames before and after auth: errors or closes, the server stays up, bystanders are undisturbed', async () => {
      const seed = engine === 'sqlite' ? 20261122 : 19700101;
      const r = seededRandom(seed);
      // Bystanders: a customer and an agent in a conversation, talking throughout.
      const customer = await openWidget(server, shop.shopId);
      const bystanderWidget = await rawAuthed(server, customer.token);
      const bystanderAgent = await rawAuthed(server, shop.agentToken);
      const messagesBefore = await server.storage.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();

      let sent = 0;
      let closes = 0;
      let errorFrames = 0;
      let round = 0;
      while (sent < 10_000) {
        // Alternate unauthenticated sockets (frames before auth) and authenticated ones.
        const authed = round % 2 === 1;
        round += 1;
        const ws = new WebSocket(wsUrl(server));
        await new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        ws.on('message', (data) => {
          if (JSON.parse(data.toString()).type === 'error') errorFrames += 1;
        });
        const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
        ws.on('error', () => {});
        if (authed) ws.send(JSON.stringify({ type: 'auth', token: shop.ownerToken }));
        const burst = 50 + Math.floor(r() * 150);
        for (let i = 0; i < burst && ws.readyState === ws.OPEN; i++, sent++) {
          const frame = hostileFrame(r);
          ws.send(frame, { binary: Buffer.isBuffer(frame) });
        }
        // Every bad frame gets an error frame or ends the connection: wait for one or the other.
        ws.send(JSON.stringify({ type: 'ping', id: 'still-there' }));
        const outcome = await Promise.race([
          closed.then((code) => ({ closed: code })),
          new Promise<{ pong: true }>((resolve) => ws.on('message', (data) => JSON.parse(data.toString()).id === 'still-there' && resolve({ pong: true }))),
          new Promise<{ timeout: true }>((resolve) => setTimeout(() => resolve({ timeout: true }), 10_000)),
        ]);
        assert.ok(!('timeout' in outcome), 'the server answered or closed');
        if ('closed' in outcome) {
          closes += 1;
          assert.ok([1009, 4001, 4008, 1002, 1007].includes(outcome.closed), `close code ${outcome.closed}`);
        } else ws.close();

        // The bystanders still talk.
        if (round % 10 === 0) {
          const text = `still fine ${round}`;
          bystanderWidget.send({ type: 'send', id: round, conversationId: customer.conversationId, clientMsgId: `by-${round}`, text });
          await bystanderWidget.next('ack', (f) => f.id === round);
          await bystanderAgent.next('message', (f) => f.message.text === text);
        }
      }
      assert.ok(errorFrames > 100, `error frames were sent (${errorFrames})`);
      assert.ok(closes > 10, `some connections were closed (${closes})`);
      assert.equal((await call(server, 'GET', '/healthz')).status, 200);
      const messagesAfter = await server.storage.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const bystanderSends = Math.floor(round / 10);
      assert.equal(Number(messagesAfter.n) - Number(messagesBefore.n), bystanderSends, 'only the bystanders wrote messages');
      bystanderWidget.close();
      bystanderAgent.close();
    });
  });
}
