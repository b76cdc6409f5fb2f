import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { textColorOn, type PublicAppearance } from '@frontdesk/protocol';
import type { DomainDeps } from './domain.ts';
import { AppError, fail } from './errors.ts';
import { newId } from './ids.ts';
import type { Principal, ShopRecord } from './records.ts';
import { prechatOf } from './shop-settings.ts';
import { requireRole } from './staff.ts';

/** A logo is small: it is drawn at 28 px in the widget's header. */
export const LOGO_MAX_BYTES = 128 * 1024;

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/**
 * Logos live in the blob store under a key of their own shop (never the bytes' hash alone, which
 * an attachment with the same bytes would share and whose cleanup could remove).
 */
const blobKeyOf = (shopId: string, logoId: string) => sha256(`logo\u0000${shopId}\u0000${logoId}`);

/** The raster type the bytes start with; nothing else is ever served as a logo (no SVG, no markup). */
export function rasterTypeOf(bytes: Uint8Array): string | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes[0] === 0x89 && ascii(1, 4) === 'PNG') return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 4) === 'GIF8') return 'image/gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The widget's looks (docs/widget.md#appearance): public for the loader and the widget, the logo uploaded by admins. */
export function createWidgetAppearance({ store, events, now, files }: DomainDeps) {
  return {
    /** What a page may know before any session: the shop's name and how its widget looks. */
    async appearance(shopId: string): Promise<PublicAppearance> {
      const shop = await store.shops.find(shopId);
      if (!shop) fail('SHOP_NOT_FOUND');
      const widget = shop.settings.widget;
      return {
        shopName: shop.name,
        color: widget.color,
        textColor: textColorOn(widget.color),
        position: widget.position,
        launcherText: widget.launcherText,
        greeting: widget.greeting,
        logoUrl: widget.logo === null ? null : `/api/v1/widget/shops/${shop.id}/logo/${widget.logo}`,
        prechat: prechatOf(shop.settings),
      };
    },

    /**
     * Admins upload the logo: a raster image by its bytes (sniffed, never the declared type),
     * re-encoded without metadata (what hides in a polyglot does not survive) and made small.
     */
    async setLogo(principal: Principal, bytes: Buffer): Promise<ShopRecord> {
      const staff = requireRole(principal, 'admin');
      if (bytes.length > LOGO_MAX_BYTES) fail('LOGO_INVALID', `The logo is larger than ${LOGO_MAX_BYTES / 1024} KiB.`);
      const shop = await store.shops.find(staff.shopId);
      if (!shop) fail('SHOP_NOT_FOUND');
      const stagingId = `logo-${newId()}`;
      let data: Buffer;
      try {
        await files.staging.write(stagingId, 0, [bytes], LOGO_MAX_BYTES, true);
        const path = files.staging.path(stagingId);
        const sniffed = await files.media.sniff(path);
        if (sniffed.kind !== 'image') fail('LOGO_INVALID', `A ${sniffed.mime} file is not a logo: send a PNG, JPEG, WebP or GIF image.`);
        const image = await files.media.processImage(path, sniffed.mime).catch((error: unknown) => {
          throw new AppError('LOGO_INVALID', 'The image could not be read.', [error instanceof Error ? error.message : String(error)]);
        });
        // The thumbnail (at most 320 px, first frame): a logo needs no more, and it stays small.
        data = image.thumbnail.data;
      } finally {
        await files.staging.remove(stagingId);
      }
      const logo = sha256(data);
      await files.blobs.put(blobKeyOf(shop.id, logo), { data });
      const settings = { ...shop.settings, widget: { ...shop.settings.widget, logo } };
      await store.shops.update(shop.id, { settings }, now());
      const updated = { ...shop, settings };
      await events.emit({ type: 'shop.updated', shop: updated });
      return updated;
    },

    /** The shop's current logo only: an old or guessed id is not found. */
    async logo(shopId: string, logoId: string): Promise<{ data: Buffer; mime: string }> {
      const shop = await store.shops.find(shopId);
      if (!shop || shop.settings.widget.logo !== logoId) fail('LOGO_NOT_FOUND');
      const blob = await files.blobs.read(blobKeyOf(shop.id, logoId));
      if (!blob) fail('LOGO_NOT_FOUND');
      const data = await bytesOf(blob.stream);
      const mime = rasterTypeOf(data);
      if (mime === null) fail('LOGO_NOT_FOUND');
      return { data, mime };
    },
  };
}
