import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../sdk/test/support/browser.ts';
import { createShop, openWidget } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { rawAuthed } from './support/ws-client.ts';

/**
 * A browser client written the way goim's examples/javascript/client.js is: a WebSocket with
 * binaryType "arraybuffer", headers read and written with DataView at fixed offsets, bodies through
 * TextEncoder/TextDecoder. No SDK, no codec of ours. Runs in the page; resolves with what it saw.
 */
const goimPageClient = async ({ url, token, conversationId }: { url: string; token: string; conversationId: string }) => {
  const rawHeaderLen = 16;
  const packetOffset = 0;
  const headerOffset = 4;
  const verOffset = 6;
  const opOffset = 8;
  const seqOffset = 12;
  const textEncoder = new TextEncoder();
  const textDecoder = new TextDecoder();
  type Packet = { op: number; seq: number; body: string };
  const seen: Packet[] = [];
  const waiters: Array<() => void> = [];

  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const send = (op: number, seq: number, body: unknown) => {
    const payload = body === undefined ? new Uint8Array(0) : textEncoder.encode(JSON.stringify(body));
    const headerBuf = new ArrayBuffer(rawHeaderLen);
    const headerView = new DataView(headerBuf, 0);
    headerView.setInt32(packetOffset, rawHeaderLen + payload.byteLength);
    headerView.setInt16(headerOffset, rawHeaderLen);
    headerView.setInt16(verOffset, 1);
    headerView.setInt32(opOffset, op);
    headerView.setInt32(seqOffset, seq);
    const packet = new Uint8Array(rawHeaderLen + payload.byteLength);
    packet.set(new Uint8Array(headerBuf), 0);
    packet.set(payload, rawHeaderLen);
    ws.send(packet.buffer);
  };
  /** Packets from `offset` to `end`; op 9's body is more packets. */
  const read = (data: ArrayBuffer, offset: number, end: number) => {
    const dataView = new DataView(data);
    for (let at = offset; at < end; ) {
      const packetLen = dataView.getInt32(at + packetOffset);
      const headerLen = dataView.getInt16(at + headerOffset);
      const op = dataView.getInt32(at + opOffset);
      const seq = dataView.getInt32(at + seqOffset);
      if (op === 9) read(data, at + headerLen, at + packetLen);
      else if (op === 3) seen.push({ op, seq, body: String(dataView.getInt32(at + headerLen)) });
      else seen.push({ op, seq, body: textDecoder.decode(data.slice(at + headerLen, at + packetLen)) });
      at += packetLen;
    }
    waiters.splice(0).forEach((w) => w());
  };
  ws.onmessage = (event: { data: ArrayBuffer }) => read(event.data, 0, event.data.byteLength);
  const next = (op: number, match: (p: Packet) => boolean = () => true) =>
    new Promise<Packet>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no op ${op}: ${JSON.stringify(seen.map((p) => p.op))}`)), 5000);
      const look = () => {
        const index = seen.findIndex((p) => p.op === op && match(p));
        if (index < 0) return void waiters.push(look);
        clearTimeout(timer);
        resolve(seen.splice(index, 1)[0]!);
      };
      look();
    });
  await new Promise((resolve) => (ws.onopen = resolve));

  send(7, 1, { mid: 0, room_id: '', platform: 'web', accepts: [], key: token });
  const auth = JSON.parse((await next(8)).body);
  send(2, 2, undefined);
  const online = Number((await next(3)).body);
  send(4, 3, { conversationId, clientMsgId: crypto.randomUUID(), text: 'hello from a DataView client' });
  const ack = JSON.parse((await next(5, (p) => p.seq === 3)).body);
  const push = JSON.parse((await next(5, (p) => p.seq === 0 && JSON.parse(p.body).type === 'message')).body);
  send(14, 4, { token: auth.syncToken });
  const synced = JSON.parse((await next(15, (p) => p.seq === 4)).body);
  send(16, 5, { conversationId, seq: push.message.seq });
  const read17 = JSON.parse((await next(17, (p) => p.seq === 5)).body);
  ws.close();
  return {
    authType: auth.type,
    online,
    ackText: ack.message.text,
    pushText: push.message.text,
    synced: synced.messages.map((m: { text: string }) => m.text),
    readSeq: read17.seq,
    pushSeq: push.message.seq,
  };
};

describe('a goim client in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    server = await startServer('sqlite');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('written with DataView and ArrayBuffer only: authenticates, heartbeats, receives a push, syncs and acks', { timeout: 60_000 }, async () => {
    const shop = await createShop(server);
    const customer = await openWidget(server, shop.shopId);
    const agent = await rawAuthed(server, shop.agentToken);
    // The agent answers what the page sends: the page then receives a push it did not ask for.
    agent.next('message', (f) => f.message.text === 'hello from a DataView client', 20_000).then(() =>
      agent.send({ type: 'send', conversationId: customer.conversationId, clientMsgId: randomUUID(), text: 'answer from a JSON client' }),
    );
    const page = await browser.newPage();
    await page.goto(`${server.url}/healthz`); // our own origin
    const seen = await page.evaluate(goimPageClient, { url: `${server.url.replace(/^http/, 'ws')}/sub`, token: customer.token, conversationId: customer.conversationId });
    agent.close();
    assert.equal(seen.authType, 'auth.ok');
    assert.ok(seen.online >= 2, `online ${seen.online}`);
    assert.equal(seen.ackText, 'hello from a DataView client');
    assert.equal(seen.pushText, 'answer from a JSON client');
    assert.deepEqual(seen.synced, ['hello from a DataView client', 'answer from a JSON client']);
    assert.equal(seen.readSeq, seen.pushSeq);
  });
});
