/**
 * The intake of an uploaded file (seeds 000 and 002), for whole-file uploads and for resumable ones
 * once complete: the staged bytes are sniffed and checked against the shop's allowed types, an
 * image is re-encoded (metadata dropped) with a thumbnail, the bytes are stored once by their
 * content, and the attachment row is written.
 */
import { createHash } from 'node:crypto';
import { limits } from '@frontdesk/protocol';
import type { AttachmentIo } from './attachments.ts';
import type { DomainDeps } from './domain.ts';
import { AppError, fail } from './errors.ts';
import { newId } from './ids.ts';
import type { NewBlob } from './ports.ts';
import { principalUserId, type AttachmentRecord, type ConversationFacts, type Principal } from './records.ts';

export function attachmentIntake({ store, now }: Pick<DomainDeps, 'store' | 'now'>, { blobs, staging, media }: AttachmentIo) {
  return async function intake(principal: Principal, facts: ConversationFacts, allowed: ReadonlySet<string>, stagingId: string, name: string): Promise<AttachmentRecord> {
    const file = staging.path(stagingId);
    const sniffed = await media.sniff(file);
    if (!allowed.has(sniffed.mime)) {
      fail('ATTACHMENT_TYPE_NOT_ALLOWED', `Files of type ${sniffed.mime} may not be uploaded in this shop.`);
    }
    const id = newId();
    const base = {
      id,
      shopId: facts.shopId,
      conversationId: facts.id,
      uploaderId: principalUserId(principal),
      uploaderKind: principal.kind,
      name: cleanFileName(name),
      mime: sniffed.mime,
      claimedBy: null,
      claimedAt: null,
      createdAt: now(),
    };
    let record: AttachmentRecord;
    let puts: Array<{ key: string; source: { path: string } | { data: Buffer } }>;
    if (sniffed.kind === 'image') {
      const image = await media.processImage(file, sniffed.mime).catch((error: unknown) => {
        throw new AppError('VALIDATION_FAILED', 'The image could not be read.', [error instanceof Error ? error.message : String(error)]);
      });
      const original = { key: sha256(image.original.data), source: { data: image.original.data } };
      const thumbnail = { key: sha256(image.thumbnail.data), source: { data: image.thumbnail.data } };
      puts = [original, thumbnail];
      record = {
        ...base,
        kind: 'image',
        size: image.original.data.length,
        blobKey: original.key,
        width: image.original.width,
        height: image.original.height,
        thumbKey: thumbnail.key,
        thumbWidth: image.thumbnail.width,
        thumbHeight: image.thumbnail.height,
      };
    } else {
      const hashed = await staging.hash(stagingId);
      puts = [{ key: hashed.key, source: { path: file } }];
      record = { ...base, kind: 'file', size: hashed.size, blobKey: hashed.key, width: null, height: null, thumbKey: null, thumbWidth: null, thumbHeight: null };
    }
    const sizes = new Map(puts.map((p) => [p.key, 'data' in p.source ? p.source.data.length : record.size]));
    const newBlobs: NewBlob[] = [...sizes].map(([key, size]) => ({ key, size }));
    // Bytes first, then the rows; then the bytes again if a cleanup removed them in between
    // (it holds the blob row while it deletes, so after our commit they stay).
    for (const p of puts) await blobs.put(p.key, p.source);
    await store.attachments.create(record, newBlobs);
    for (const p of puts) if (!(await blobs.has(p.key))) await blobs.put(p.key, p.source);
    return record;
  };
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * The uploader's file name as shown and offered for download: no directories, no control or
 * bidirectional-override characters (which disguise `exe.txt` as `txt.exe`), at most 200 characters.
 */
export function cleanFileName(raw: string): string {
  // Lone surrogates become U+FFFD (encodeURIComponent would throw on them later).
  const base = (raw.split(/[/\\]/).pop() ?? '').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  const cleaned = base
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  if (cleaned === '') return 'file';
  const chars = [...cleaned];
  if (chars.length <= limits.fileNameMaxChars) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : '';
  return chars.slice(0, limits.fileNameMaxChars - [...extension].length).join('') + extension;
}

