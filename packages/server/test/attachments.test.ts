import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { call, createShop, openWidget, send, type ShopFixture } from './support/client.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** One-request upload (multipart), as a browser's FormData sends it. */
async function upload(server: TestServer, token: string, conversationId: string, data: Uint8Array, name: string, type = 'application/octet-stream') {
  const form = new FormData();
  form.append('file', new Blob([data], { type }), name);
  const response = await fetch(`${server.url}/api/v1/conversations/${conversationId}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function download(server: TestServer, pathAndQuery: string, token?: string) {
  const response = await fetch(server.url + pathAndQuery, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

async function putChunk(server: TestServer, token: string, uploadId: string, offset: number, data: Uint8Array) {
  return call(server, 'PUT', `/api/v1/uploads/${uploadId}?offset=${offset}`, {
    token,
    rawBody: data as unknown as string,
    headers: { 'content-type': 'application/octet-stream' },
  });
}

/** Sends `total` bytes' worth of headers for a chunk, writes `sent` of them, then cuts the connection. */
function dropMidChunk(server: TestServer, token: string, uploadId: string, offset: number, data: Uint8Array, sent: number): Promise<void> {
  const url = new URL(`${server.url}/api/v1/uploads/${uploadId}?offset=${offset}`);
  return new Promise((resolve) => {
    const request = http.request(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': data.length },
    });
    request.on('error', () => resolve());
    request.write(data.subarray(0, sent), () => {
      // Give the server a moment to take the bytes, then drop the socket mid-body.
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 200);
    });
  });
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const blobFiles = (server: TestServer) => {
  const root = path.join(server.app.config.dataDir, 'blobs');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (/^[0-9a-f]{64}$/.test(entry.name)) found.push(entry.name);
    }
  };
  if (fs.existsSync(root)) walk(root);
  return found;
};

for (const engine of engines) {
  describe(`attachments on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let png: Buffer;
    before(async () => {
      server = await startServer(engine, { ATTACHMENT_LINK_SECONDS: '5', UPLOAD_CHUNK_BYTES: '65536' });
      shop = await createShop(server, 'Attachments');
      png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#3366cc' } })
        .png()
        .toBuffer();
    });
    after(() => server.close());

    test('an image is stored without its metadata, gets a thumbnail, and is served inline with safe headers', async () => {
      const customer = await openWidget(server, shop.shopId);
      const jpeg = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#cc6633' } })
        .jpeg()
        .withExif({ IFD0: { Artist: 'Secret Person', Copyright: 'GPS 48.85N 2.35E' } })
        .toBuffer();
      assert.ok((await sharp(jpeg).metadata()).exif, 'the fixture carries EXIF');
      const reply = await upload(server, customer.token, customer.conversationId, jpeg, '../../etc/holiday\u202Egpj.exe', 'text/html');
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      const attachment = reply.body;
      assert.equal(attachment.kind, 'image');
      assert.equal(attachment.mime, 'image/jpeg', 'sniffed, not the declared text/html');
      assert.equal(attachment.name, 'holidaygpj.exe', 'no directories, no bidirectional override');
      assert.deepEqual([attachment.width, attachment.height], [600, 400]);
      assert.deepEqual(attachment.thumbnail, { width: 320, height: 213 });

      const original = await download(server, `/api/v1/attachments/${attachment.id}/content`, customer.token);
      assert.equal(original.status, 200);
      assert.equal(original.headers.get('content-type'), 'image/jpeg');
      assert.equal(original.headers.get('x-content-type-options'), 'nosniff');
      assert.match(original.headers.get('content-security-policy') ?? '', /sandbox/);
      assert.match(original.headers.get('content-disposition') ?? '', /^inline; /);
      const stored = await sharp(original.bytes).metadata();
      assert.equal(stored.exif, undefined, 'EXIF is gone');
      assert.ok(!Buffer.from(original.bytes).includes('Secret Person'));
      assert.equal(original.bytes.length, attachment.size);

      const thumbnail = await download(server, `/api/v1/attachments/${attachment.id}/content?variant=thumbnail`, customer.token);
      assert.equal(thumbnail.headers.get('content-type'), 'image/webp');
      const thumb = await sharp(thumbnail.bytes).metadata();
      assert.deepEqual([thumb.format, thumb.width, thumb.height], ['webp', 320, 213]);

      const again = await download(server, `/api/v1/attachments/${attachment.id}/content`, customer.token);
      const etag = again.headers.get('etag')!;
      const cached = await fetch(`${server.url}/api/v1/attachments/${attachment.id}/content`, {
        headers: { authorization: `Bearer ${customer.token}`, 'if-none-match': etag },
      });
      assert.equal(cached.status, 304);
    });

    test('a polyglot is refused when it is markup, and defused when it is a real image', async () => {
      const customer = await openWidget(server, shop.shopId);
      const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
      const refused = await upload(server, customer.token, customer.conversationId, html, 'cat.png', 'image/png');
      assert.equal(refused.status, 415);
      assert.equal(refused.body.error.code, 'ATTACHMENT_TYPE_NOT_ALLOWED');

      const polyglot = Buffer.concat([png, Buffer.from('<html><script>alert(1)</script></html>')]);
      const accepted = await upload(server, customer.token, customer.conversationId, polyglot, 'cat.png', 'image/png');
      assert.equal(accepted.status, 201);
      assert.equal(accepted.body.mime, 'image/png');
      const served = await download(server, `/api/v1/attachments/${accepted.body.id}/content`, customer.token);
      assert.equal(served.headers.get('content-type'), 'image/png');
      assert.ok(!Buffer.from(served.bytes).includes('<script'), 're-encoded: the trailing HTML is gone');
    });

    test('an SVG with a script is refused, and when a shop allows SVG it is only ever downloaded', async () => {
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="5"/></svg>');
      const other = await createShop(server, 'Allows SVG');
      const customer = await openWidget(server, other.shopId);
      const refused = await upload(server, customer.token, customer.conversationId, svg, 'logo.svg', 'image/svg+xml');
      assert.equal(refused.status, 415);
      assert.equal(refused.body.error.code, 'ATTACHMENT_TYPE_NOT_ALLOWED');

      const shopReply = await call(server, 'GET', '/api/v1/shop', { token: other.ownerToken });
      const types = [...shopReply.body.settings.allowedAttachmentTypes, 'image/svg+xml'];
      const patched = await call(server, 'PATCH', '/api/v1/shop', { token: other.ownerToken, body: { settings: { allowedAttachmentTypes: types } } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const accepted = await upload(server, customer.token, customer.conversationId, svg, 'logo.svg', 'image/svg+xml');
      assert.equal(accepted.status, 201);
      assert.deepEqual([accepted.body.kind, accepted.body.mime, accepted.body.thumbnail], ['file', 'image/svg+xml', null]);
      const served = await download(server, `/api/v1/attachments/${accepted.body.id}/content`, customer.token);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), 'application/octet-stream');
      assert.match(served.headers.get('content-disposition') ?? '', /^attachment; filename="logo.svg"/);
      assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
      assert.match(served.headers.get('content-security-policy') ?? '', /default-src 'none'.*sandbox/);
    });

    test('a file over the shop limit is refused, whole or resumable, and nothing is kept', async () => {
      const small = await createShop(server, 'Small limit');
      const patched = await call(server, 'PATCH', '/api/v1/shop', { token: small.ownerToken, body: { settings: { maxAttachmentBytes: 4096 } } });
      assert.equal(patched.status, 200);
      const customer = await openWidget(server, small.shopId);
      const before = blobFiles(server).length;
      const big = Buffer.alloc(5000, 'a');
      const whole = await upload(server, customer.token, customer.conversationId, big, 'big.txt', 'text/plain');
      assert.equal(whole.status, 413);
      assert.equal(whole.body.error.code, 'ATTACHMENT_TOO_LARGE');
      const started = await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/uploads`, {
        token: customer.token,
        body: { name: 'big.txt', size: 5000 },
      });
      assert.equal(started.status, 413);
      assert.equal(started.body.error.code, 'ATTACHMENT_TOO_LARGE');
      // A resumable upload cannot grow past the size it declared.
      const fits = await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/uploads`, {
        token: customer.token,
        body: { name: 'fits.txt', size: 4000 },
      });
      assert.equal(fits.status, 201);
      const overrun = await putChunk(server, customer.token, fits.body.id, 0, Buffer.alloc(4001, 'b'));
      assert.equal(overrun.status, 413);
      assert.equal((await call(server, 'GET', `/api/v1/uploads/${fits.body.id}`, { token: customer.token })).body.offset, 0);
      assert.equal(blobFiles(server).length, before);
      assert.deepEqual(fs.readdirSync(path.join(server.app.config.dataDir, 'staging')).filter((n) => n !== fits.body.id), []);
    });

    test('chunks with a gap or a wrong offset are refused with the offset to resume from', async () => {
      const customer = await openWidget(server, shop.shopId);
      const data = randomBytes(150_000);
      const started = await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/uploads`, {
        token: customer.token,
        body: { name: 'data.bin', size: data.length },
      });
      assert.equal(started.status, 201);
      const id = started.body.id;
      assert.equal(started.body.maxChunkBytes, 65536);
      assert.equal((await putChunk(server, customer.token, id, 0, data.subarray(0, 65536))).status, 200);
      const gap = await putChunk(server, customer.token, id, 70_000, data.subarray(70_000, 100_000));
      assert.equal(gap.status, 409);
      assert.equal(gap.body.error.code, 'UPLOAD_OFFSET_MISMATCH');
      assert.deepEqual(gap.body.error.details, ['offset=65536']);
      const replay = await putChunk(server, customer.token, id, 0, data.subarray(0, 100));
      assert.equal(replay.status, 409, 'an old offset is refused too');
      const tooBig = await putChunk(server, customer.token, id, 65536, data.subarray(65536, 65536 + 65537));
      assert.equal(tooBig.status, 413, 'a chunk over maxChunkBytes');
      const early = await call(server, 'POST', `/api/v1/uploads/${id}/complete`, { token: customer.token });
      assert.equal(early.status, 409);
      assert.equal(early.body.error.code, 'UPLOAD_INCOMPLETE');
      const status = await call(server, 'GET', `/api/v1/uploads/${id}`, { token: customer.token });
      assert.equal(status.body.offset, 65536, 'nothing refused was written');
      const stranger = await openWidget(server, shop.shopId);
      assert.equal((await call(server, 'GET', `/api/v1/uploads/${id}`, { token: stranger.token })).status, 404);
      assert.equal((await putChunk(server, stranger.token, id, 65536, data.subarray(65536, 70_000))).status, 404);
    });

    test('a resumable upload completes after the connection drops half way', async () => {
      const customer = await openWidget(server, shop.shopId);
      // A PDF header, then random bytes: an allowed type that does not compress or repeat.
      const data = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(200_000)]);
      const started = await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/uploads`, {
        token: customer.token,
        body: { name: 'scan.pdf', size: data.length },
      });
      const id = started.body.id;
      assert.equal((await putChunk(server, customer.token, id, 0, data.subarray(0, 65536))).status, 200);
      await dropMidChunk(server, customer.token, id, 65536, data.subarray(65536, 131072), 30_000);
      const status = await until(
        () => call(server, 'GET', `/api/v1/uploads/${id}`, { token: customer.token }),
        (reply) => reply.body.offset > 65536,
      );
      const offset = status.body.offset;
      assert.ok(offset > 65536 && offset <= 65536 + 30_000, `the bytes that arrived are kept (offset ${offset})`);
      for (let at = offset; at < data.length; at += 65536) {
        const reply = await putChunk(server, customer.token, id, at, data.subarray(at, Math.min(at + 65536, data.length)));
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
      }
      const done = await call(server, 'POST', `/api/v1/uploads/${id}/complete`, { token: customer.token });
      assert.equal(done.status, 201, JSON.stringify(done.body));
      assert.deepEqual([done.body.kind, done.body.mime, done.body.size], ['file', 'application/pdf', data.length]);
      const sent = await send(server, customer.token, customer.conversationId, '', { attachmentId: done.body.id });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      const served = await download(server, `/api/v1/attachments/${done.body.id}/content`, shop.agentToken);
      assert.equal(sha(served.bytes), sha(data), 'the agent downloads exactly the bytes uploaded');
      assert.equal((await call(server, 'GET', `/api/v1/uploads/${id}`, { token: customer.token })).status, 404, 'the upload is finished');
    });

    test('another shop cannot upload into, send with, or download from a conversation', async () => {
      const customer = await openWidget(server, shop.shopId);
      const other = await createShop(server, 'Other tenant');
      const otherCustomer = await openWidget(server, other.shopId);
      for (const token of [other.agentToken, otherCustomer.token]) {
        const reply = await upload(server, token, customer.conversationId, png, 'x.png');
        assert.equal(reply.status, 404);
        assert.equal(reply.body.error.code, 'CONVERSATION_NOT_FOUND');
        const resumable = await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/uploads`, { token, body: { name: 'x', size: 10 } });
        assert.equal(resumable.status, 404);
      }
      const mine = await upload(server, customer.token, customer.conversationId, png, 'mine.png');
      assert.equal(mine.status, 201);
      // Someone else's attachment cannot be sent, even into their own conversation.
      const stolen = await send(server, otherCustomer.token, otherCustomer.conversationId, '', { attachmentId: mine.body.id });
      assert.equal(stolen.status, 404);
      assert.equal(stolen.body.error.code, 'ATTACHMENT_NOT_FOUND');
      const sent = await send(server, customer.token, customer.conversationId, 'here', { attachmentId: mine.body.id });
      assert.equal(sent.status, 201);
      for (const token of [other.agentToken, other.ownerToken, otherCustomer.token]) {
        assert.equal((await download(server, `/api/v1/attachments/${mine.body.id}/content`, token)).status, 404);
        assert.equal((await call(server, 'GET', `/api/v1/attachments/${mine.body.id}/link`, { token })).status, 404);
        assert.equal((await call(server, 'GET', `/api/v1/attachments/${mine.body.id}`, { token })).status, 404);
      }
    });

    test('only members and the shop’s staff download; unsent files only their uploader; links expire', async () => {
      const customer = await openWidget(server, shop.shopId);
      const neighbour = await openWidget(server, shop.shopId);
      const up = await upload(server, customer.token, customer.conversationId, png, 'photo.png');
      assert.equal((await download(server, `/api/v1/attachments/${up.body.id}/content`, shop.agentToken)).status, 404, 'not sent yet');
      assert.equal((await download(server, `/api/v1/attachments/${up.body.id}/content`, customer.token)).status, 200);
      const sent = await send(server, customer.token, customer.conversationId, '', { attachmentId: up.body.id });
      assert.equal(sent.status, 201);
      assert.equal(sent.body.contentType, 'image');
      assert.equal(sent.body.attachment.id, up.body.id);
      const reuse = await send(server, customer.token, customer.conversationId, '', { attachmentId: up.body.id });
      assert.equal(reuse.status, 409, 'one attachment, one message');
      assert.equal(reuse.body.error.code, 'ATTACHMENT_IN_USE');
      assert.equal((await download(server, `/api/v1/attachments/${up.body.id}/content`, shop.agentToken)).status, 200);
      assert.equal((await download(server, `/api/v1/attachments/${up.body.id}/content`, neighbour.token)).status, 404, 'another customer of the shop');
      assert.equal((await download(server, `/api/v1/attachments/${up.body.id}/content`)).status, 401);

      const link = await call(server, 'GET', `/api/v1/attachments/${up.body.id}/link?variant=thumbnail`, { token: shop.agentToken });
      assert.equal(link.status, 200);
      assert.match(link.body.url, /^\/api\/v1\/files\/[^/]+\/thumbnail\?expires=\d+&signature=[\w-]+$/);
      const viaLink = await download(server, link.body.url);
      assert.equal(viaLink.status, 200);
      assert.equal(viaLink.headers.get('content-type'), 'image/webp');
      const tampered = await download(server, link.body.url.replace('/thumbnail?', '/original?'));
      assert.equal(tampered.status, 403, 'a link is for one variant');
      // One character of the signature changed (to another one: a signature may start with 'A').
      const forged = await download(server, link.body.url.replace(/signature=(.)/, (_: string, c: string) => `signature=${c === 'A' ? 'B' : 'A'}`));
      assert.equal(forged.status, 403);
      const expiresAt = Date.parse(link.body.expiresAt);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 50));
      const expired = await download(server, link.body.url);
      assert.equal(expired.status, 403);
      assert.equal(JSON.parse(Buffer.from(expired.bytes).toString()).error.code, 'LINK_INVALID');

      // Deleting the message takes its file with it.
      const removed = await call(server, 'DELETE', `/api/v1/conversations/${customer.conversationId}/messages/${sent.body.id}`, { token: customer.token });
      assert.equal(removed.status, 200);
      assert.equal(removed.body.attachment, null);
      assert.equal((await download(server, `/api/v1/attachments/${up.body.id}/content`, shop.agentToken)).status, 404);
    });

    test('internal notes’ attachments stay with staff', async () => {
      const customer = await openWidget(server, shop.shopId);
      const note = await upload(server, shop.agentToken, customer.conversationId, png, 'internal.png');
      assert.equal(note.status, 201);
      const sent = await send(server, shop.agentToken, customer.conversationId, 'see this', { attachmentId: note.body.id, visibility: 'internal' });
      assert.equal(sent.status, 201);
      assert.equal((await download(server, `/api/v1/attachments/${note.body.id}/content`, shop.ownerToken)).status, 200);
      assert.equal((await download(server, `/api/v1/attachments/${note.body.id}/content`, customer.token)).status, 404);
    });

    test('sends with attachments are checked: kind, ownership, resend', async () => {
      const customer = await openWidget(server, shop.shopId);
      const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
      const file = await upload(server, customer.token, customer.conversationId, pdf, 'invoice.pdf');
      assert.equal(file.status, 201);
      assert.deepEqual([file.body.kind, file.body.mime], ['file', 'application/pdf']);
      const asImage = await send(server, customer.token, customer.conversationId, '', { attachmentId: file.body.id, contentType: 'image' });
      assert.equal(asImage.status, 400);
      const noFile = await send(server, customer.token, customer.conversationId, 'x', { contentType: 'file' });
      assert.equal(noFile.status, 400);
      const empty = await send(server, customer.token, customer.conversationId, '');
      assert.equal(empty.status, 400, 'a text message still needs text');
      const clientMsgId = randomUUID();
      const first = await send(server, customer.token, customer.conversationId, 'the invoice', { attachmentId: file.body.id, clientMsgId });
      assert.equal(first.status, 201);
      assert.equal(first.body.contentType, 'file');
      const resend = await send(server, customer.token, customer.conversationId, 'the invoice', { attachmentId: file.body.id, clientMsgId });
      assert.equal(resend.status, 200, 'a resend returns the original');
      assert.equal(resend.body.id, first.body.id);
      const list = await call(server, 'GET', '/api/v1/conversations', { token: customer.token });
      const conversation = list.body.items.find((c: any) => c.id === customer.conversationId);
      assert.equal(conversation.lastMessage.preview, 'the invoice');
      assert.equal(conversation.lastMessage.contentType, 'file');
      const history = await call(server, 'GET', `/api/v1/conversations/${customer.conversationId}/messages`, { token: shop.agentToken });
      const stored = history.body.items.find((m: any) => m.id === first.body.id);
      assert.deepEqual(stored.attachment, file.body, 'history carries the attachment as uploaded');
    });

    test('the same bytes are stored once', async () => {
      const customer = await openWidget(server, shop.shopId);
      const bytes = Buffer.from(`plain text ${randomUUID()}\n`);
      const before = blobFiles(server).length;
      const a = await upload(server, customer.token, customer.conversationId, bytes, 'a.txt');
      const b = await upload(server, customer.token, customer.conversationId, bytes, 'b.txt');
      assert.equal(a.status, 201);
      assert.notEqual(a.body.id, b.body.id);
      assert.equal(blobFiles(server).length, before + 1);
    });
  });

  describe(`attachment cleanup on ${engine}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(engine, { ATTACHMENT_ORPHAN_SECONDS: '1' });
    });
    after(() => server.close());

    test('unsent attachments, expired uploads and deleted messages’ files are removed; sent ones stay', async () => {
      const shop = await createShop(server, 'Cleanup');
      const customer = await openWidget(server, shop.shopId);
      const text = (label: string) => Buffer.from(`${label} ${randomUUID()}\n`);
      const kept = await upload(server, customer.token, customer.conversationId, text('kept'), 'kept.txt');
      const orphan = await upload(server, customer.token, customer.conversationId, text('orphan'), 'orphan.txt');
      const deleted = await upload(server, customer.token, customer.conversationId, text('deleted'), 'deleted.txt');
      const started = await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/uploads`, {
        token: customer.token,
        body: { name: 'never.bin', size: 1000 },
      });
      assert.equal(started.status, 201);
      assert.equal((await send(server, customer.token, customer.conversationId, '', { attachmentId: kept.body.id })).status, 201);
      const gone = await send(server, customer.token, customer.conversationId, '', { attachmentId: deleted.body.id });
      await call(server, 'DELETE', `/api/v1/conversations/${customer.conversationId}/messages/${gone.body.id}`, { token: customer.token });
      assert.equal(blobFiles(server).length, 3);

      await new Promise((resolve) => setTimeout(resolve, 1100));
      // Uploads live at least a minute: move this one's expiry into the past.
      await server.app.storage.db.updateTable('uploads').set({ expires_at: Date.now() - 1 }).where('id', '=', started.body.id).execute();
      const counts = await server.app.services.attachments.sweep();
      assert.deepEqual(counts, { attachments: 2, blobs: 2, uploads: 1 });
      assert.equal(blobFiles(server).length, 1);
      assert.equal((await download(server, `/api/v1/attachments/${kept.body.id}/content`, customer.token)).status, 200);
      assert.equal((await download(server, `/api/v1/attachments/${orphan.body.id}/content`, customer.token)).status, 404);
      assert.equal((await call(server, 'GET', `/api/v1/uploads/${started.body.id}`, { token: customer.token })).status, 404);
      assert.ok(!fs.existsSync(path.join(server.app.config.dataDir, 'staging', started.body.id)));
      assert.deepEqual(await server.app.services.attachments.sweep(), { attachments: 0, blobs: 0, uploads: 0 }, 'nothing left to do');
    });
  });
}

describe('malformed uploads', () => {
  let server: TestServer;
  let customer: { token: string; conversationId: string };
  before(async () => {
    server = await startServer('sqlite');
    const shop = await createShop(server, 'Malformed');
    customer = await openWidget(server, shop.shopId);
  });
  after(() => server.close());

  const post = async (body: NonNullable<RequestInit['body']>, contentType?: string) => {
    const response = await fetch(`${server.url}/api/v1/conversations/${customer.conversationId}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${customer.token}`, ...(contentType && { 'content-type': contentType }) },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  };

  test('every malformed multipart body gets a 4xx catalogue error and stores nothing', async () => {
    const twoFiles = new FormData();
    twoFiles.append('file', new Blob(['one']), 'a.txt');
    twoFiles.append('file', new Blob(['two']), 'b.txt');
    const fieldOnly = new FormData();
    fieldOnly.append('note', 'no file here');
    const wrongName = new FormData();
    wrongName.append('upload', new Blob(['x']), 'a.txt');
    const empty = new FormData();
    empty.append('file', new Blob([]), 'empty.txt');
    const cases: Array<[string, NonNullable<RequestInit['body']>, string?]> = [
      ['two files', twoFiles],
      ['a field, no file', fieldOnly],
      ['a file part with another name', wrongName],
      ['an empty file', empty],
      ['JSON instead of a form', '{"file":"x"}', 'application/json'],
      ['a boundary that never comes', '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc', 'multipart/form-data; boundary=xyz'],
      ['no boundary', 'abc', 'multipart/form-data'],
      ['garbage', randomBytes(2000), 'multipart/form-data; boundary=----x'],
    ];
    const before = blobFiles(server).length;
    for (const [label, body, type] of cases) {
      const reply = await post(body, type);
      assert.ok(reply.status >= 400 && reply.status < 500, `${label}: ${reply.status} ${JSON.stringify(reply.body)}`);
      assert.equal(typeof reply.body?.error?.code, 'string', `${label}: ${JSON.stringify(reply.body)}`);
    }
    assert.equal(blobFiles(server).length, before);
    const rows = await server.app.storage.db.selectFrom('attachments').select('id').execute();
    assert.deepEqual(rows, []);
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
  });
});

describe('attachment links in the logs', () => {
  test('request logs keep the link’s path but never its signature (nor any bearer token)', async () => {
    const lines: string[] = [];
    const server = await startServer('sqlite', { LOG_LEVEL: 'info' }, { write: (line) => void lines.push(line) });
    try {
      const shop = await createShop(server, 'Logged');
      const customer = await openWidget(server, shop.shopId);
      const up = await upload(server, customer.token, customer.conversationId, Buffer.from('logged file\n'), 'log.txt');
      const link = await call(server, 'GET', `/api/v1/attachments/${up.body.id}/link`, { token: customer.token });
      assert.equal((await download(server, link.body.url)).status, 200);
      const signature = new URL(link.body.url, server.url).searchParams.get('signature')!;
      const log = lines.join('');
      assert.ok(log.includes(`/api/v1/files/${up.body.id}/original?expires=`), 'the request is logged');
      assert.ok(log.includes('signature=[redacted]'));
      assert.ok(!log.includes(signature), 'the signature is not');
      assert.ok(!log.includes(customer.token) && !log.includes(shop.ownerToken));
    } finally {
      await server.close();
    }
  });
});
