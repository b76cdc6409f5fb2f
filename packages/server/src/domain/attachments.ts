import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Attachment, AttachmentKind, ContentType } from '@frontdesk/protocol';
import { authorize, openConversation } from './access.ts';
import type { DomainDeps } from './domain.ts';
import { AppError, fail } from './errors.ts';
import { newId } from './ids.ts';
import type { BlobStore, Staging } from './ports.ts';
import { presentAttachment } from './present.ts';
import { lazyServerKey } from './server-keys.ts';
import { attachmentIntake, cleanFileName } from './attachment-intake.ts';
import { principalUserId, type AttachmentRecord, type ConversationFacts, type Principal, type UploadRecord } from './records.ts';

export type Variant = 'original' | 'thumbnail';

/** What the bytes are, decided from the bytes alone (attachments/sniff.ts). */
export interface Media {
  sniff(path: string): Promise<{ mime: string; kind: AttachmentKind }>;
  /** Re-encodes an inline image (metadata dropped) and makes its thumbnail; throws on a bad image. */
  processImage(path: string, mime: string): Promise<{ original: ImageBytes; thumbnail: ImageBytes }>;
}

export interface ImageBytes {
  readonly data: Buffer;
  readonly mime: string;
  readonly width: number;
  readonly height: number;
}

export interface AttachmentOptions {
  /** The deployment's ceiling; a shop's limit is capped by it. */
  readonly maxBytes: number;
  readonly chunkBytes: number;
  readonly linkSeconds: number;
  readonly orphanSeconds: number;
}

export interface AttachmentIo {
  readonly blobs: BlobStore;
  readonly staging: Staging;
  readonly media: Media;
}

/** The bytes of an attachment and how to serve them. */
export interface AttachmentContent {
  readonly stream: Readable;
  readonly size: number;
  readonly mime: string;
  readonly name: string;
  /** Shown in the page (a raster image); everything else is served as a download. */
  readonly inline: boolean;
  /** Content address: an ETag that never changes for these bytes. */
  readonly etag: string;
}

const LINK_KEY = 'attachment-links';

/**
 * Attachments (seeds 000 and 002): files uploaded into a conversation, whole or in resumable
 * chunks, checked by their bytes against the shop's limits, stored once by content, and served
 * only to whoever may read the conversation (or holds a short-lived signed link).
 */
export function createAttachments({ store, now }: DomainDeps, io: AttachmentIo, options: AttachmentOptions) {
  const { blobs, staging } = io;
  const key = lazyServerKey(store.attachments, LINK_KEY, now);
  const intake = attachmentIntake({ store, now }, io);

  /** Where a principal may upload: a conversation they may write in. Returns its facts and limits. */
  async function writable(principal: Principal, conversationId: string) {
    const facts = await store.conversations.facts(conversationId);
    if (!facts) fail('CONVERSATION_NOT_FOUND');
    const { member } = await authorize(store.conversations, principal, facts, false);
    if (facts.kind !== 'service' && !member) fail('CONVERSATION_READ_ONLY');
    const shop = await store.shops.find(facts.shopId);
    if (!shop) fail('CONVERSATION_NOT_FOUND');
    return {
      facts,
      maxBytes: Math.min(shop.settings.maxAttachmentBytes, options.maxBytes),
      allowed: new Set(shop.settings.allowedAttachmentTypes),
    };
  }

  async function visibleTo(principal: Principal, id: string): Promise<AttachmentRecord> {
    const attachment = await store.attachments.find(id);
    if (!attachment) fail('ATTACHMENT_NOT_FOUND');
    let seesInternal: boolean;
    try {
      ({ seesInternal } = await openConversation(store.conversations, principal, attachment.conversationId));
    } catch (error) {
      // Another tenant's attachment is simply not found: its conversation is not named.
      if (error instanceof AppError && error.code === 'CONVERSATION_NOT_FOUND') fail('ATTACHMENT_NOT_FOUND');
      throw error;
    }
    const message = await store.attachments.messageOf(attachment.id, attachment.conversationId);
    if (message) {
      if (message.deletedAt !== null || (message.visibility === 'internal' && !seesInternal)) fail('ATTACHMENT_NOT_FOUND');
    } else if (attachment.uploaderId !== principalUserId(principal)) {
      // Not sent yet: only its uploader sees it.
      fail('ATTACHMENT_NOT_FOUND');
    }
    return attachment;
  }

  async function contentOf(attachment: AttachmentRecord, variant: Variant): Promise<AttachmentContent> {
    const thumbnail = variant === 'thumbnail';
    const blobKey = thumbnail ? attachment.thumbKey : attachment.blobKey;
    if (blobKey === null) fail('ATTACHMENT_NOT_FOUND', 'This attachment has no thumbnail.');
    const blob = await blobs.read(blobKey);
    if (!blob) fail('ATTACHMENT_NOT_FOUND');
    return {
      stream: blob.stream,
      size: blob.size,
      mime: thumbnail ? 'image/webp' : attachment.mime,
      name: thumbnail ? `${stem(attachment.name)}-thumbnail.webp` : attachment.name,
      inline: attachment.kind === 'image',
      etag: blobKey,
    };
  }

  async function sign(id: string, variant: Variant, expires: number): Promise<string> {
    return createHmac('sha256', await key()).update(`${id}.${variant}.${expires}`).digest('base64url');
  }

  async function ownUpload(principal: Principal, uploadId: string): Promise<UploadRecord> {
    const upload = await store.attachments.findUpload(uploadId);
    if (!upload || upload.uploaderId !== principalUserId(principal) || upload.expiresAt <= now()) fail('UPLOAD_NOT_FOUND');
    return upload;
  }

  /** One chunk; the caller has marked the upload busy. */
  async function writeChunkAlone(principal: Principal, uploadId: string, offset: number, length: number | undefined, body: AsyncIterable<Uint8Array>) {
    const upload = await ownUpload(principal, uploadId);
    if (offset !== upload.received) {
      fail('UPLOAD_OFFSET_MISMATCH', `The upload stands at byte ${upload.received}; send the chunk that starts there.`, [`offset=${upload.received}`]);
    }
    const room = Math.min(upload.size - upload.received, options.chunkBytes);
    if (length !== undefined && length > room) {
      fail(length > upload.size - upload.received ? 'ATTACHMENT_TOO_LARGE' : 'PAYLOAD_TOO_LARGE', `This chunk may carry at most ${room} bytes.`);
    }
    const result = await staging.write(uploadId, offset, body, room).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      // Its staging file is gone (cleaned up, or on another node's disk): the upload cannot go on.
      await store.attachments.deleteUpload(uploadId);
      return fail('UPLOAD_NOT_FOUND', 'This upload’s bytes are gone; start a new upload.');
    });
    // Only what was written and flushed counts; the conditional update keeps two nodes honest.
    if (!(await store.attachments.advanceUpload(uploadId, offset, offset + result.written))) fail('UPLOAD_OFFSET_MISMATCH');
    if (result.overflow) fail('PAYLOAD_TOO_LARGE', `This chunk may carry at most ${room} bytes.`);
    if (result.error) fail('VALIDATION_FAILED', `The chunk was cut off; the upload stands at byte ${offset + result.written}.`, [`offset=${offset + result.written}`]);
    return { ...upload, received: offset + result.written };
  }

  async function stagedSize(id: string): Promise<number> {
    try {
      return (await staging.hash(id)).size;
    } catch {
      return -1;
    }
  }

  const busy = new Set<string>();

  return {
    /** The largest file `principal` may upload into the conversation (checked before reading a body). */
    async limitFor(principal: Principal, conversationId: string): Promise<number> {
      return (await writable(principal, conversationId)).maxBytes;
    },

    /**
     * A whole file in one request (multipart). `truncated` tells whether the body went past the
     * limit; `ended` checks, once the file is read, that the request holds nothing else.
     */
    async upload(
      principal: Principal,
      conversationId: string,
      name: string,
      body: AsyncIterable<Uint8Array>,
      request: { truncated: () => boolean; ended: () => Promise<void> },
    ) {
      const { facts, maxBytes, allowed } = await writable(principal, conversationId);
      const stagingId = newId();
      try {
        const result = await staging.write(stagingId, 0, body, maxBytes, true);
        if (result.overflow || request.truncated()) fail('ATTACHMENT_TOO_LARGE', `Files may be at most ${maxBytes} bytes here.`);
        if (result.error) fail('VALIDATION_FAILED', 'The file did not arrive whole: the request ended early.', [result.error.message]);
        await request.ended();
        if (result.written === 0) fail('VALIDATION_FAILED', 'The file is empty.');
        return presentAttachment(await intake(principal, facts, allowed, stagingId, name));
      } finally {
        await staging.remove(stagingId);
      }
    },

    /** Opens a resumable upload of `size` bytes. */
    async startUpload(principal: Principal, conversationId: string, request: { name: string; size: number }): Promise<UploadRecord> {
      const { facts, maxBytes } = await writable(principal, conversationId);
      if (request.size > maxBytes) fail('ATTACHMENT_TOO_LARGE', `Files may be at most ${maxBytes} bytes here.`);
      if (request.size < 1) fail('VALIDATION_FAILED', 'The file is empty.');
      const at = now();
      const upload: UploadRecord = {
        id: newId(),
        shopId: facts.shopId,
        conversationId: facts.id,
        uploaderId: principalUserId(principal),
        uploaderKind: principal.kind,
        name: cleanFileName(request.name),
        size: request.size,
        received: 0,
        createdAt: at,
        expiresAt: at + Math.max(options.orphanSeconds, 60) * 1000,
      };
      await staging.write(upload.id, 0, [], 0, true);
      await store.attachments.createUpload(upload);
      return upload;
    },

    uploadStatus: ownUpload,

    /**
     * Writes one chunk at `offset`, which must be where the upload stands. A chunk cut short (the
     * connection dropped) keeps what arrived: the client asks for the offset and resumes there.
     */
    async writeChunk(principal: Principal, uploadId: string, offset: number, length: number | undefined, body: AsyncIterable<Uint8Array>) {
      // Busy before the offset is read: a retried chunk must not pass the check while another writes.
      if (busy.has(uploadId)) fail('UPLOAD_BUSY');
      busy.add(uploadId);
      try {
        return await writeChunkAlone(principal, uploadId, offset, length, body);
      } finally {
        busy.delete(uploadId);
      }
    },

    /** Turns a fully received upload into an attachment (the same checks as a whole-file upload). */
    async completeUpload(principal: Principal, uploadId: string) {
      if (busy.has(uploadId)) fail('UPLOAD_BUSY');
      busy.add(uploadId);
      try {
        const upload = await ownUpload(principal, uploadId);
        if (upload.received !== upload.size) fail('UPLOAD_INCOMPLETE', `Received ${upload.received} of ${upload.size} bytes.`);
        const staged = await stagedSize(uploadId);
        if (staged !== upload.size) fail('UPLOAD_INCOMPLETE', `The staged file holds ${staged} of ${upload.size} bytes; upload it again.`);
        const { facts, allowed } = await writable(principal, upload.conversationId);
        const record = await intake(principal, facts, allowed, uploadId, upload.name);
        await store.attachments.deleteUpload(uploadId);
        await staging.remove(uploadId);
        return presentAttachment(record);
      } finally {
        busy.delete(uploadId);
      }
    },

    async cancelUpload(principal: Principal, uploadId: string): Promise<void> {
      await ownUpload(principal, uploadId);
      await store.attachments.deleteUpload(uploadId);
      await staging.remove(uploadId);
    },

    async get(principal: Principal, id: string): Promise<Attachment> {
      return presentAttachment(await visibleTo(principal, id));
    },

    async content(principal: Principal, id: string, variant: Variant): Promise<AttachmentContent> {
      return contentOf(await visibleTo(principal, id), variant);
    },

    /** A link that serves the bytes without an Authorization header, for `linkSeconds`. */
    async link(principal: Principal, id: string, variant: Variant): Promise<{ url: string; expiresAt: number }> {
      const attachment = await visibleTo(principal, id);
      if (variant === 'thumbnail' && attachment.thumbKey === null) fail('ATTACHMENT_NOT_FOUND', 'This attachment has no thumbnail.');
      const expires = Math.floor(now() / 1000) + options.linkSeconds;
      const signature = await sign(id, variant, expires);
      return { url: `/api/v1/files/${id}/${variant}?expires=${expires}&signature=${signature}`, expiresAt: expires * 1000 };
    },

    async contentByLink(id: string, variant: Variant, expires: number, signature: string): Promise<AttachmentContent> {
      const expected = Buffer.from(await sign(id, variant, expires));
      const given = Buffer.from(signature);
      const valid = given.length === expected.length && timingSafeEqual(given, expected);
      if (!valid || expires * 1000 <= now()) fail('LINK_INVALID');
      const attachment = await store.attachments.find(id);
      if (!attachment) fail('ATTACHMENT_NOT_FOUND');
      const message = await store.attachments.messageOf(attachment.id, attachment.conversationId);
      if (message?.deletedAt != null) fail('ATTACHMENT_NOT_FOUND');
      return contentOf(attachment, variant);
    },

    /**
     * For a send: binds the attachment to this send (the sender's upload, in this conversation,
     * not sent by another message) and returns it as the message will carry it.
     */
    async claim(principal: Principal, facts: ConversationFacts, attachmentId: string, clientMsgId: string, contentType: ContentType | undefined): Promise<Attachment> {
      const attachment = await store.attachments.find(attachmentId);
      if (!attachment || attachment.conversationId !== facts.id || attachment.uploaderId !== principalUserId(principal)) fail('ATTACHMENT_NOT_FOUND');
      // Checked before the claim: a refused send must not keep the attachment from the next one.
      if (contentType === 'text') fail('VALIDATION_FAILED', 'A message with an attachment has contentType image or file.');
      if (contentType === 'image' && attachment.kind !== 'image') fail('VALIDATION_FAILED', 'This attachment is not an image; send it with contentType file.');
      const outcome = await store.attachments.claim(attachmentId, facts.id, principalUserId(principal), clientMsgId, now());
      if (outcome === 'missing') fail('ATTACHMENT_NOT_FOUND');
      if (outcome === 'in-use') fail('ATTACHMENT_IN_USE');
      return presentAttachment(attachment);
    },

    /**
     * Deletes attachments never sent (older than `orphanSeconds`) or whose message was deleted,
     * their bytes when nothing else uses them, and uploads that expired unfinished.
     */
    async sweep(): Promise<{ attachments: number; blobs: number; uploads: number }> {
      const cutoff = now() - options.orphanSeconds * 1000;
      const counts = { attachments: 0, blobs: 0, uploads: 0 };
      for (;;) {
        const orphans = await store.attachments.orphans(cutoff, 200);
        if (orphans.length === 0) break;
        const deleted = await store.attachments.deleteOrphans(orphans.map((a) => a.id), cutoff);
        counts.attachments += deleted.length;
        const keys = new Set(deleted.flatMap((a) => (a.thumbKey === null ? [a.blobKey] : [a.blobKey, a.thumbKey])));
        for (const blobKey of keys) {
          if (await store.attachments.releaseBlob(blobKey, () => blobs.remove(blobKey))) counts.blobs += 1;
        }
      }
      for (;;) {
        const expired = await store.attachments.expiredUploads(now(), 200);
        if (expired.length === 0) break;
        for (const upload of expired) {
          await store.attachments.deleteUpload(upload.id);
          await staging.remove(upload.id);
        }
        counts.uploads += expired.length;
      }
      // Staging files with no upload behind them (a crash mid-request); an hour at least, so a
      // whole-file upload still arriving is left alone.
      for (const id of await staging.stale(now() - Math.max(options.orphanSeconds, 3600) * 1000)) {
        if (!(await store.attachments.findUpload(id))) await staging.remove(id);
      }
      return counts;
    },
  };
}

export type Attachments = ReturnType<typeof createAttachments>;

function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
