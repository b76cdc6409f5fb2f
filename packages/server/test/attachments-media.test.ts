import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import zlib from 'node:zlib';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { InvalidImage, processImage } from '../src/attachments/images.ts';
import { sniffBytes, sniffFile } from '../src/attachments/sniff.ts';
import { seededRandom } from './support/random.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-media-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: Uint8Array | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

function solid(width: number, height: number, background = '#3366cc'): Sharp {
  return sharp({ create: { width, height, channels: 3, background } });
}

/** Three differently coloured frames of 40×30, joined into one animation. */
async function animation(): Promise<Sharp> {
  const frames = await Promise.all(['red', 'lime', 'blue'].map((colour) => solid(40, 30, colour).png().toBuffer()));
  return sharp(frames, { join: { animated: true } });
}

/** Inserts a PNG chunk right after IHDR (signature 8 bytes + IHDR chunk 25 bytes), where tools put text. */
function withPngChunk(png: Buffer, type: string, body: string): Buffer {
  const afterHeader = 8 + 25;
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from(body, 'latin1')]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(typeAndData.length - 4);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData));
  return Buffer.concat([png.subarray(0, afterHeader), length, typeAndData, crc, png.subarray(afterHeader)]);
}

describe('sniffing attachments by their bytes', () => {
  const images: Array<[string, () => Promise<Buffer>, string]> = [
    ['a PNG', () => solid(8, 8).png().toBuffer(), 'image/png'],
    ['a JPEG named x.txt', () => solid(8, 8).jpeg().toBuffer(), 'image/jpeg'],
    ['a GIF', () => solid(8, 8).gif().toBuffer(), 'image/gif'],
    ['a WebP', () => solid(8, 8).webp().toBuffer(), 'image/webp'],
  ];
  for (const [label, make, mime] of images) {
    test(`${label} is ${mime}, shown inline`, async () => {
      const file = write(label === 'a JPEG named x.txt' ? 'x.txt' : `image-${mime.slice(6)}.bin`, await make());
      assert.deepEqual(await sniffFile(file), { mime, kind: 'image' });
    });
  }

  test('HTML named evil.png is text/html, download only', async () => {
    const file = write('evil.png', '<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>');
    assert.deepEqual(await sniffFile(file), { mime: 'text/html', kind: 'file' });
  });

  test('HTML fragments without a doctype are still HTML', async () => {
    for (const fragment of ['  <IFRAME src="https://evil.example">', 'hello <Script>x()</script>', 'x <embed src=a.swf>']) {
      assert.equal((await sniffBytes(Buffer.from(fragment))).mime, 'text/html', fragment);
    }
  });

  test('an SVG with a script is image/svg+xml and never inline', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    assert.deepEqual(await sniffFile(write('logo.svg', svg)), { mime: 'image/svg+xml', kind: 'file' });
  });

  test('an SVG behind a UTF-8 BOM, whitespace and an XML prolog is still image/svg+xml', async () => {
    const svg = '\uFEFF\n  <?xml version="1.0" encoding="UTF-8"?>\n<SVG xmlns="http://www.w3.org/2000/svg"/>';
    assert.deepEqual(await sniffFile(write('bom.svg', svg)), { mime: 'image/svg+xml', kind: 'file' });
  });

  test('an SVG encoded as UTF-16 with a BOM is still image/svg+xml', async () => {
    const svg = Buffer.from('\uFEFF<?xml version="1.0" encoding="UTF-16"?><svg onload="alert(1)"/>', 'utf16le');
    assert.equal((await sniffBytes(svg)).mime, 'image/svg+xml');
  });

  test('XML that is neither SVG nor HTML is application/xml', async () => {
    assert.deepEqual(await sniffBytes(Buffer.from('<?xml version="1.0"?><invoice total="3"/>')), {
      mime: 'application/xml',
      kind: 'file',
    });
  });

  test('a PDF header is application/pdf', async () => {
    const pdf = '%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n';
    assert.deepEqual(await sniffFile(write('report.pdf', Buffer.from(pdf, 'latin1'))), {
      mime: 'application/pdf',
      kind: 'file',
    });
  });

  test('UTF-8 text with Chinese is text/plain', async () => {
    const text = '您好，我的订单还没到。\r\nOrder #4411\tshipped?\f\n';
    assert.deepEqual(await sniffFile(write('note.png', text)), { mime: 'text/plain', kind: 'file' });
  });

  test('random bytes with NULs are application/octet-stream', async () => {
    const random = seededRandom(7);
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i % 97 === 0 ? 0 : Math.floor(random() * 256))));
    assert.deepEqual(await sniffFile(write('blob.txt', bytes)), { mime: 'application/octet-stream', kind: 'file' });
  });

  test('text with a control character or invalid UTF-8 is not text/plain', async () => {
    assert.equal((await sniffBytes(Buffer.from('colour \x1B[31mred\n'))).mime, 'application/octet-stream');
    assert.equal((await sniffBytes(Buffer.from('caf\xE9 au lait\n', 'latin1'))).mime, 'application/octet-stream');
  });

  test('a multi-byte character cut by the 64 KiB boundary is still text/plain', async () => {
    const text = Buffer.concat([Buffer.from('a'.repeat(64 * 1024 - 1)), Buffer.from('中文'.repeat(100))]);
    assert.equal(text[64 * 1024 - 1], 0xe4, 'the boundary falls inside 中');
    assert.deepEqual(await sniffFile(write('long.txt', text)), { mime: 'text/plain', kind: 'file' });
  });

  test('only the first 64 KiB are read', async () => {
    const text = 'a'.repeat(64 * 1024) + '<script>alert(1)</script>';
    assert.equal((await sniffFile(write('late-script.txt', text))).mime, 'text/plain');
  });

  test('a PNG with HTML appended (a polyglot) is image/png', async () => {
    const png = await solid(24, 16).png().toBuffer();
    const file = write('polyglot.png', Buffer.concat([png, Buffer.from('<html><script>alert(1)</script></html>')]));
    assert.deepEqual(await sniffFile(file), { mime: 'image/png', kind: 'image' });
  });
});

describe('processing inline images', () => {
  test('a polyglot PNG loses its appended HTML and keeps its size', async () => {
    const png = await solid(24, 16).png().toBuffer();
    const file = write('polyglot-process.png', Buffer.concat([png, Buffer.from('<html><script>alert(1)</script></html>')]));
    const { original } = await processImage(file, 'image/png');
    assert.equal(original.data.includes('<script'), false);
    assert.equal(original.mime, 'image/png');
    const decoded = await sharp(original.data).metadata();
    assert.deepEqual([decoded.format, decoded.width, decoded.height], ['png', 24, 16]);
    assert.deepEqual([original.width, original.height], [24, 16]);
  });

  test('a JPEG loses EXIF (GPS included), XMP and ICC, and is turned upright', async () => {
    const jpeg = await solid(1200, 800)
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExifMerge({
        IFD0: { Artist: 'Alice Example', Copyright: 'Secret Co' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' },
      })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><home>12 Secret Lane</home></x:xmpmeta>')
      .withIccProfile('p3')
      .toBuffer();
    const before = await sharp(jpeg).metadata();
    assert.equal(before.orientation, 6);
    assert.ok(before.exif?.includes('Alice Example'), 'the fixture has an Artist');
    assert.ok(before.exif?.includes(Buffer.from([0x25, 0x88])), 'the fixture has a GPS IFD pointer (tag 0x8825)');
    assert.ok(before.xmp && before.icc);

    const { original, thumbnail } = await processImage(write('photo.jpg', jpeg), 'image/jpeg');
    const after = await sharp(original.data).metadata();
    assert.equal(after.format, 'jpeg');
    assert.equal(after.exif, undefined);
    assert.equal(after.xmp, undefined);
    // No ICC: sharp converts to sRGB, the browser default, so no profile is needed to show the colours.
    assert.equal(after.icc, undefined);
    assert.equal(after.orientation, undefined);
    assert.equal(original.data.includes('Secret'), false);
    assert.deepEqual([after.width, after.height], [800, 1200]);
    assert.deepEqual([original.mime, original.width, original.height], ['image/jpeg', 800, 1200]);

    const thumb = await sharp(thumbnail.data).metadata();
    assert.equal(thumb.format, 'webp');
    assert.equal(thumbnail.mime, 'image/webp');
    assert.deepEqual([thumbnail.width, thumbnail.height], [213, 320]);
    assert.deepEqual([thumb.width, thumb.height], [213, 320]);
    assert.equal(thumb.exif, undefined);
  });

  test('PNG text chunks do not survive', async () => {
    const png = withPngChunk(await solid(20, 20).png().toBuffer(), 'tEXt', 'Comment\0lives at 12 Secret Lane');
    assert.deepEqual((await sharp(png).metadata()).comments, [{ keyword: 'Comment', text: 'lives at 12 Secret Lane' }]);
    const { original } = await processImage(write('comment.png', png), 'image/png');
    assert.equal((await sharp(original.data).metadata()).comments, undefined);
    assert.equal(original.data.includes('Secret Lane'), false);
  });

  test('a small image is not enlarged in its thumbnail', async () => {
    const { thumbnail } = await processImage(write('small.png', await solid(50, 30).png().toBuffer()), 'image/png');
    assert.deepEqual([thumbnail.width, thumbnail.height], [50, 30]);
    const thumb = await sharp(thumbnail.data).metadata();
    assert.deepEqual([thumb.format, thumb.width, thumb.height], ['webp', 50, 30]);
  });

  test('a custom thumbnail size is honoured', async () => {
    const file = write('wide.webp', await solid(400, 100).webp().toBuffer());
    const { original, thumbnail } = await processImage(file, 'image/webp', { thumbnailSize: 64 });
    assert.deepEqual([original.mime, original.width, original.height], ['image/webp', 400, 100]);
    assert.deepEqual([thumbnail.width, thumbnail.height], [64, 16]);
  });

  test('too many pixels is InvalidImage', async () => {
    const file = write('huge.png', await solid(10_000, 10_000, 'white').png({ compressionLevel: 9 }).toBuffer());
    assert.ok(fs.statSync(file).size < 1024 * 1024, 'the bomb is small on disk');
    await assert.rejects(
      processImage(file, 'image/png', { maxPixels: 40_000_000 }),
      (error: unknown) => error instanceof InvalidImage && /pixel limit/.test(error.message),
    );
  });

  test('a truncated PNG is InvalidImage', async () => {
    const noise = { type: 'gaussian', mean: 128, sigma: 40 } as const;
    const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: 'gray', noise } }).png().toBuffer();
    const file = write('truncated.png', png.subarray(0, png.length >> 1));
    await assert.rejects(processImage(file, 'image/png'), InvalidImage);
  });

  test('JPEG bytes declared as image/png are InvalidImage', async () => {
    const file = write('liar.png', await solid(10, 10).jpeg().toBuffer());
    await assert.rejects(
      processImage(file, 'image/png'),
      (error: unknown) => error instanceof InvalidImage && /jpeg/.test(error.message),
    );
  });

  test('a type that is not shown inline is InvalidImage', async () => {
    const file = write('vector.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    await assert.rejects(processImage(file, 'image/svg+xml'), InvalidImage);
  });

  test('an animated GIF keeps its frames and reports one frame’s size', async () => {
    const file = write('anim.gif', await (await animation()).gif().toBuffer());
    const { original, thumbnail } = await processImage(file, 'image/gif');
    const decoded = await sharp(original.data, { animated: true }).metadata();
    assert.equal(decoded.format, 'gif');
    assert.equal(decoded.pages, 3);
    assert.deepEqual([original.width, original.height], [40, 30]);
    assert.deepEqual([thumbnail.width, thumbnail.height], [40, 30]);
    const thumb = await sharp(thumbnail.data, { animated: true }).metadata();
    assert.deepEqual([thumb.format, thumb.pages ?? 1, thumb.height], ['webp', 1, 30]);
  });

  test('an animated WebP with an EXIF orientation keeps its frames (libvips cannot rotate an animation)', async () => {
    const webp = await (await animation()).webp().withMetadata({ orientation: 6 }).toBuffer();
    assert.equal((await sharp(webp).metadata()).orientation, 6);
    const { original } = await processImage(write('anim.webp', webp), 'image/webp');
    const decoded = await sharp(original.data, { animated: true }).metadata();
    assert.deepEqual([decoded.pages, decoded.exif, original.width, original.height], [3, undefined, 40, 30]);
  });
});
