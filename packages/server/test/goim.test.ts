import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { goim, type Message, type ServerFrame } from '@frontdesk/protocol';
import { createShop, openWidget, type CustomerFixture, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { GoimTransport } from '../src/channels/goim/goim.ts';
import { Outgoing } from '../src/channels/sockets/outgoing.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';
import { goimTcp, goimWs, type GoimTestClient } from './support/goim-client.ts';

const { ops } = goim;

type GoimClient = GoimTestClient;
const connectSub = (server: TestServer) => goimWs(server.url);
const connectTcp = goimTcp;

const json = (packet: goim.Packet) => goim.parseJsonBody(packet) as Record<string, any>;

test('what the gateway sends in one turn goes out as one op 9 batch; replies take their request’s op and seq', async () => {
  const writes: Uint8Array[] = [];
  const transport = new GoimTransport(4096, (bytes) => writes.push(bytes), () => 0, () => {}, () => {});
  transport.expect(5, ops.syncReply);
  transport.send(new Outgoing({ type: 'message', message: { text: 'one' } } as unknown as ServerFrame));
  transport.send(new Outgoing({ type: 'sync.result', id: 5, messages: [], token: 't', hasMore: false } as unknown as ServerFrame));
  transport.send(new Outgoing({ type: 'typing', conversationId: 'c', userId: 'u' } as unknown as ServerFrame));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 1);
  const [batch] = goim.decodeMessage(writes[0]!);
  assert.equal(batch!.op, ops.batch);
  assert.deepEqual(goim.unbatch(batch!).map((p) => [p.op, p.seq, json(p).type]), [
    [ops.message, 0, 'message'],
    [ops.syncReply, 5, 'sync.result'],
    [ops.message, 0, 'typing'],
  ]);
  transport.send(new Outgoing({ type: 'presence', userId: 'u', status: 'online' } as unknown as ServerFrame));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(goim.decodeMessage(writes[1]!)[0]!.op, ops.message, 'alone, a packet is sent as it is');
});

for (const engine of engines) {
  describe(`goim protocol on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let customer: CustomerFixture;
    let agent: RawClient;
    let tcpPort: number;
    const clients: Array<{ close(): void }> = [];

    before(async () => {
      server = await startServer(engine, { GOIM_TCP_PORT: '0' });
      tcpPort = server.app.goimTcpPort()!;
      shop = await createShop(server);
      customer = await openWidget(server, shop.shopId);
      agent = await rawAuthed(server, shop.agentToken);
      clients.push(agent);
    });
    after(async () => {
      clients.forEach((c) => c.close());
      await server.close();
    });

    async function authed(client: GoimClient, body: unknown = { token: customer.token }) {
      clients.push(client);
      client.request(ops.auth, 1, body);
      const reply = await client.next(ops.authReply);
      assert.equal(reply.seq, 1);
      return json(reply);
    }

    test('WebSocket /sub: auth, heartbeat with the online count, send with the seq echoed, pushes, sync and ack — beside a JSON client', async () => {
      const client = await connectSub(server);
      const ok = await authed(client);
      assert.equal(ok.type, 'auth.ok');
      assert.equal(ok.user.id, customer.customerId);
      assert.equal(ok.maxFrameBytes, 4096, 'the largest body a goim client may send');

      client.request(ops.heartbeat, 7);
      const beat = await client.next(ops.heartbeatReply);
      assert.equal(beat.seq, 7);
      assert.ok(goim.parseInt32Body(beat) >= 2, 'the customer and the agent are online in the shop');

      const clientMsgId = randomUUID();
      client.request(ops.send, 42, { conversationId: customer.conversationId, clientMsgId, text: 'hello from goim' });
      const ack = await client.next(ops.message, (p) => p.seq === 42);
      assert.equal(json(ack).type, 'ack');
      assert.equal(json(ack).message.text, 'hello from goim');
      const atAgent = await agent.next('message', (f) => f.message.clientMsgId === clientMsgId);
      assert.equal(atAgent.message.seq, json(ack).message.seq);

      // The JSON client answers: a push, op 5 with seq 0.
      agent.send({ type: 'send', id: 'a1', conversationId: customer.conversationId, clientMsgId: randomUUID(), text: 'hello from JSON' });
      const push = await client.next(ops.message, (p) => json(p).type === 'message');
      assert.equal(push.seq, 0);
      const pushed = json(push).message as Message;
      assert.equal(pushed.text, 'hello from JSON');

      // Missed messages come back on sync; ack moves the read cursor.
      client.request(ops.sync, 9, { token: ok.syncToken });
      const synced = json(await client.next(ops.syncReply, (p) => p.seq === 9));
      assert.deepEqual(synced.messages.map((m: Message) => m.text), ['hello from goim', 'hello from JSON']);
      client.request(ops.ack, 10, { conversationId: customer.conversationId, seq: pushed.seq });
      const echo = json(await client.next(ops.ackReply, (p) => p.seq === 10));
      assert.equal(echo.type, 'read');
      assert.equal(echo.seq, pushed.seq);
      const receipt = await agent.next('read', (f) => f.userId === customer.customerId);
      assert.equal(receipt.seq, pushed.seq);

      // A refused send answers on its reply op, with its seq.
      client.request(ops.send, 43, { conversationId: randomUUID(), clientMsgId: randomUUID(), text: 'nowhere' });
      const refused = json(await client.next(ops.message, (p) => p.seq === 43));
      assert.equal(refused.type, 'error');
      assert.equal(refused.code, 'CONVERSATION_NOT_FOUND');
    });

    test('TCP: goim’s own auth layout, split and coalesced packets', async () => {
      const client = await connectTcp(tcpPort);
      const ok = await authed(client, { mid: 123, room_id: 'live://1000', platform: 'web', accepts: [1000], key: customer.token });
      assert.equal(ok.user.id, customer.customerId);
      // Two sends in one write, then one send a byte at a time.
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      const packets = ids.map((clientMsgId, i) => goim.encodeJsonPacket(ops.send, 100 + i, { conversationId: customer.conversationId, clientMsgId, text: `tcp ${i}` }));
      client.write(Buffer.concat([packets[0]!, packets[1]!]));
      for (const byte of packets[2]!) client.write(Uint8Array.of(byte));
      for (let i = 0; i < 3; i++) {
        const ack = json(await client.next(ops.message, (p) => p.seq === 100 + i));
        assert.equal(ack.message.text, `tcp ${i}`);
      }
      for (const clientMsgId of ids) await agent.next('message', (f) => f.message.clientMsgId === clientMsgId);
    });

    test('refusals: a bad token, a malformed header, a body over the limit close only that connection', async () => {
      const bystander = await connectSub(server);
      await authed(bystander);

      const badToken = await connectSub(server);
      badToken.request(ops.auth, 1, { token: 'fdc_not-a-token' });
      await badToken.closed;

      const badHeader = await connectTcp(tcpPort);
      const header = goim.encodePacket({ op: ops.auth, seq: 1 });
      new DataView(header.buffer, header.byteOffset).setInt16(4, 20);
      badHeader.write(header);
      await badHeader.closed;

      const tooBig = await connectTcp(tcpPort);
      await authed(tooBig);
      tooBig.request(ops.send, 5, { conversationId: customer.conversationId, clientMsgId: randomUUID(), text: 'x'.repeat(5000) });
      await tooBig.closed;

      bystander.request(ops.heartbeat, 2);
      await bystander.next(ops.heartbeatReply, (p) => p.seq === 2);
    });

    // The codec and the gateway do not depend on the database: one engine is enough for the fuzz.
    if (engine === 'sqlite') test('fuzz: 100,000 random byte sequences on /sub and TCP; the server stays up and a bystander is undisturbed', { timeout: 120_000 }, async () => {
      let state = 0x9e3779b9;
      const random = () => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
      const bystander = await connectSub(server);
      await authed(bystander);
      // Half raw noise (the framing refuses it and the link closes), half well-framed packets with
      // random ops, seqs and bodies on authenticated links (the frames are refused one by one).
      let sent = 0;
      let refusals = 0;
      let noiseLinks = 0;
      const total = 100_000;
      for (let link = 0; sent < total; link++) {
        // Nine noise links to one packet link: together about half the sequences each.
        const noise = link % 10 !== 9;
        const client = noise ? await connectTcp(tcpPort) : await connectSub(server);
        if (!noise) await authed(client);
        if (noise) noiseLinks += 1;
        // Noise: a few sequences per link (the first bad header ends it); packets: 200 per link.
        for (let i = 0; i < (noise ? 10 : 200) && sent < total; i++, sent++) {
          if (noise) client.write(bytes(1 + Math.floor(random() * 64)));
          else {
            const op = [ops.send, ops.sync, ops.ack, ops.heartbeat, Math.floor(random() * 40)][Math.floor(random() * 5)]!;
            const body = random() < 0.5 ? bytes(Math.floor(random() * 200)) : new TextEncoder().encode(JSON.stringify({ conversationId: customer.conversationId, seq: Math.floor(random() * 10) - 3, text: 'x', clientMsgId: 5 }));
            client.write(goim.encodePacket({ op, seq: Math.floor(random() * 1000), body }));
          }
        }
        if (!noise) {
          // The server read them: refusals come back until the rate limit cuts the flood off.
          await client.next(ops.message, (p) => json(p).type === 'error', 1_000).catch(() => undefined);
          refusals += client.packets.filter((p) => p.op !== ops.authReply && p.op !== ops.heartbeatReply && json(p).type === 'error').length;
        }
        client.close();
        await client.closed;
      }
      assert.ok(refusals > 100, `the server answered the packets it could read (${refusals} refusals)`);
      assert.ok(noiseLinks > 1000);
      bystander.request(ops.heartbeat, 3);
      await bystander.next(ops.heartbeatReply, (p) => p.seq === 3);
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
    });
  });
}
