import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { Message } from '@frontdesk/protocol';
import { FrontdeskClient, apiUrlFor } from '../src/index.ts';
import { createShop, openWidget, type ShopFixture } from '../../server/test/support/client.ts';
import { startServer, type TestServer } from '../../server/test/support/server.ts';
import { wsUrl } from './support/helpers.ts';

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('sdk files', () => {
  let server: TestServer;
  let shop: ShopFixture;
  before(async () => {
    server = await startServer('sqlite', { UPLOAD_CHUNK_BYTES: '65536' });
    shop = await createShop(server);
  });
  after(() => server.close());

  test('the API URL is found next to the gateway', () => {
    assert.equal(apiUrlFor('wss://chat.example/ws'), 'https://chat.example/api/v1');
    assert.equal(apiUrlFor('ws://127.0.0.1:8080/ws'), 'http://127.0.0.1:8080/api/v1');
    assert.equal(apiUrlFor('wss://example.org/support/ws'), 'https://example.org/support/api/v1');
  });

  test('an image message goes round trip: upload, send, receive, thumbnail', { timeout: 20_000 }, async (t) => {
    const customer = await openWidget(server, shop.shopId);
    const alice = new FrontdeskClient({ url: wsUrl(server), token: customer.token });
    const agent = new FrontdeskClient({ url: wsUrl(server), token: shop.agentToken });
    t.after(() => {
      alice.close();
      agent.close();
    });
    await Promise.all([alice.connect(), agent.connect()]);
    const received = new Promise<Message>((resolve) => agent.on('message', (m) => m.attachment && resolve(m)));

    const photo = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#2a9d8f' } }).jpeg().toBuffer();
    const progress: number[] = [];
    const attachment = await alice.files.upload(customer.conversationId, photo, { name: 'photo.jpg', onProgress: (sent) => progress.push(sent) });
    assert.deepEqual([attachment.kind, attachment.mime, attachment.width, attachment.height], ['image', 'image/jpeg', 1200, 900]);
    assert.deepEqual(progress, [photo.length]);
    const stored = await alice.send({ conversationId: customer.conversationId, text: 'my order arrived like this', attachmentId: attachment.id }).promise;
    assert.equal(stored.contentType, 'image');
    assert.deepEqual(stored.attachment, attachment);

    const message = await received;
    assert.equal(message.id, stored.id);
    assert.deepEqual(message.attachment?.thumbnail, { width: 320, height: 240 });
    // The agent's console shows the thumbnail through a signed link (an <img src> sends no header).
    const link = await agent.files.link(message.attachment!.id, 'thumbnail');
    assert.ok(link.url.startsWith(server.url), link.url);
    const thumbnail = new Uint8Array(await (await fetch(link.url)).arrayBuffer());
    const meta = await sharp(thumbnail).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 320, 240]);
    const original = await agent.files.download(message.attachment!.id);
    assert.equal(original.length, attachment.size);
  });

  test('a large file goes up in resumable chunks and survives a failing network', { timeout: 20_000 }, async () => {
    const customer = await openWidget(server, shop.shopId);
    let puts = 0;
    // Every third chunk is lost on the way: the SDK asks where the upload stands and resumes.
    const flaky: typeof fetch = async (input, init) => {
      if (init?.method === 'PUT' && ++puts % 3 === 0) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const client = new FrontdeskClient({ url: wsUrl(server), token: customer.token, fetch: flaky });
    const data = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300_000)]);
    const attachment = await client.files.upload(customer.conversationId, data, { name: 'manual.pdf', resumableAbove: 100_000 });
    client.close();
    assert.ok(puts >= 7, `chunks went up one by one, some twice (${puts} PUTs)`);
    assert.deepEqual([attachment.kind, attachment.mime, attachment.size], ['file', 'application/pdf', data.length]);
    const agent = new FrontdeskClient({ url: wsUrl(server), token: customer.token });
    assert.equal(sha(await agent.files.download(attachment.id)), sha(data));
    agent.close();
  });

  test('refusals arrive as FrontdeskErrors with the server’s code', async () => {
    const customer = await openWidget(server, shop.shopId);
    const client = new FrontdeskClient({ url: wsUrl(server), token: customer.token });
    await assert.rejects(
      client.files.upload(customer.conversationId, Buffer.from('<html><script>alert(1)</script></html>'), { name: 'x.png' }),
      (error: any) => error.code === 'ATTACHMENT_TYPE_NOT_ALLOWED',
    );
    client.close();
  });
});
