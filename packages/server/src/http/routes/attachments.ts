import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import { Type, type Static } from '@sinclair/typebox';
import type { AttachmentContent } from '../../domain/attachments.ts';
import { fail } from '../../domain/errors.ts';
import type { Services } from '../../domain/services.ts';
import { authenticate, principalOf } from '../principal.ts';
import { AttachmentLinkSchema, AttachmentSchema, Id, StartUploadBodySchema, UploadSchema } from '@frontdesk/protocol/schemas';
import { ConversationParams, errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];
const Variant = Type.Union([Type.Literal('original'), Type.Literal('thumbnail')], { default: 'original' });
const AttachmentParams = Type.Object({ attachmentId: Id }, { additionalProperties: false });
const UploadParams = Type.Object({ uploadId: Id }, { additionalProperties: false });
const VariantQuery = Type.Object({ variant: Type.Optional(Variant) }, { additionalProperties: false });
const ChunkQuery = Type.Object({ offset: Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1 }) }, { additionalProperties: false });
const FileParams = Type.Object({ attachmentId: Id, variant: Variant }, { additionalProperties: false });
const LinkQuery = Type.Object(
  { expires: Type.Integer({ minimum: 0, maximum: 2 ** 40 }), signature: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
const Bytes = { description: 'The file’s bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };

export interface AttachmentRouteOptions {
  readonly maxChunkBytes: number;
}

/** Upload, resumable upload and download of attachments (docs/api.md, "Attachments"). */
export function attachmentRoutes(services: Services, options: AttachmentRouteOptions): FastifyPluginAsync {
  const { attachments } = services;
  const presentUpload = (upload: Awaited<ReturnType<typeof attachments.uploadStatus>>) => ({
    id: upload.id,
    conversationId: upload.conversationId,
    name: upload.name,
    size: upload.size,
    offset: upload.received,
    maxChunkBytes: options.maxChunkBytes,
    expiresAt: new Date(upload.expiresAt).toISOString(),
  });

  return async (app) => {
    // Signed links carry their own proof: no Authorization header (an <img src> cannot send one).
    await app.register(async (open) => {
      open.get<{ Params: Static<typeof FileParams>; Querystring: Static<typeof LinkQuery> }>(
        '/files/:attachmentId/:variant',
        {
          schema: {
            tags: ['attachments'],
            summary: 'An attachment’s bytes through a signed link (from GET /attachments/{id}/link)',
            params: FileParams,
            querystring: LinkQuery,
            response: { 200: Bytes, ...errorResponses },
          },
        },
        async (request, reply) => {
          const { attachmentId, variant } = request.params;
          const { expires, signature } = request.query;
          return serve(reply, await attachments.contentByLink(attachmentId, variant, expires, signature), request.headers['if-none-match']);
        },
      );
    });

    await app.register(async (api) => {
      api.addHook('onRequest', authenticate(services.auth));
      await api.register(multipart, {
        throwFileSizeLimit: false,
        limits: { files: 1, fields: 0, parts: 1, fieldSize: 1024, headerPairs: 20 },
      });
      // Chunks arrive as raw bytes; the handler streams them to disk itself.
      api.addContentTypeParser('application/octet-stream', (_request, _payload, done) => done(null));

      api.post<{ Params: Static<typeof ConversationParams> }>(
        '/conversations/:conversationId/attachments',
        {
          schema: {
            tags: ['attachments'],
            summary: 'Upload a file in one request (multipart/form-data, one part named "file")',
            description:
              'The type is decided from the bytes, not from the declared type or the name, and must be in the shop’s ' +
              '`allowedAttachmentTypes`; the size is limited by `maxAttachmentBytes`. Images are re-encoded without their ' +
              'metadata (EXIF, GPS) and get a thumbnail. Send the returned id in a message (`attachmentId`). Large files: ' +
              'use a resumable upload.',
            security,
            consumes: ['multipart/form-data'],
            params: ConversationParams,
            response: { 201: AttachmentSchema, ...errorResponses },
          },
        },
        async (request, reply) => {
          const principal = principalOf(request);
          const { conversationId } = request.params;
          // Who may upload here is answered first: a foreign conversation is "not found" whatever the body.
          const maxBytes = await attachments.limitFor(principal, conversationId);
          if (!request.isMultipart()) fail('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data with one part named "file".');
          const onePart = 'The form needs exactly one part: a file named "file".';
          const parts = request.parts({ limits: { fileSize: maxBytes } })[Symbol.asyncIterator]();
          const first = await parts.next().catch(() => fail('VALIDATION_FAILED', onePart));
          const part = first.value;
          if (first.done || part.type !== 'file' || part.fieldname !== 'file') fail('VALIDATION_FAILED', onePart);
          const attachment = await attachments.upload(principal, conversationId, part.filename, part.file, {
            truncated: () => part.file.truncated,
            // After the file: nothing else may follow (a second file would go unnoticed).
            ended: async () => {
              const next = await parts.next().catch(() => fail('VALIDATION_FAILED', onePart));
              if (!next.done) fail('VALIDATION_FAILED', onePart);
            },
          });
          return reply.status(201).send(attachment);
        },
      );

      api.post<{ Params: Static<typeof ConversationParams>; Body: Static<typeof StartUploadBodySchema> }>(
        '/conversations/:conversationId/uploads',
        {
          schema: {
            tags: ['attachments'],
            summary: 'Start a resumable upload',
            description:
              'Then PUT the bytes in chunks of at most `maxChunkBytes` to /uploads/{id}?offset=N, each starting at the ' +
              'current `offset`; after a dropped connection GET /uploads/{id} tells where to resume. POST ' +
              '/uploads/{id}/complete when `offset` = `size`.',
            security,
            params: ConversationParams,
            body: StartUploadBodySchema,
            response: { 201: UploadSchema, ...errorResponses },
          },
        },
        async (request, reply) => {
          const upload = await attachments.startUpload(principalOf(request), request.params.conversationId, request.body);
          return reply.status(201).send(presentUpload(upload));
        },
      );

      api.get<{ Params: Static<typeof UploadParams> }>(
        '/uploads/:uploadId',
        {
          schema: {
            tags: ['attachments'],
            summary: 'Where a resumable upload stands (its offset)',
            security,
            params: UploadParams,
            response: { 200: UploadSchema, ...errorResponses },
          },
        },
        async (request) => presentUpload(await attachments.uploadStatus(principalOf(request), request.params.uploadId)),
      );

      api.put<{ Params: Static<typeof UploadParams>; Querystring: Static<typeof ChunkQuery> }>(
        '/uploads/:uploadId',
        {
          schema: {
            tags: ['attachments'],
            summary: 'Write one chunk (Content-Type: application/octet-stream) at `offset`',
            description:
              '`offset` must equal the upload’s current offset (409 UPLOAD_OFFSET_MISMATCH otherwise, with the offset in ' +
              '`details`). If the connection drops mid-chunk, the bytes that arrived are kept.',
            security,
            params: UploadParams,
            querystring: ChunkQuery,
            consumes: ['application/octet-stream'],
            response: { 200: UploadSchema, ...errorResponses },
          },
        },
        async (request) => {
          await attachments.uploadStatus(principalOf(request), request.params.uploadId);
          if (request.headers['content-type']?.split(';')[0]?.trim() !== 'application/octet-stream') {
            fail('UNSUPPORTED_MEDIA_TYPE', 'Send chunks with Content-Type: application/octet-stream.');
          }
          const declared = request.headers['content-length'];
          const length = declared === undefined ? undefined : Number(declared);
          const upload = await attachments.writeChunk(principalOf(request), request.params.uploadId, request.query.offset, length, request.raw);
          return presentUpload(upload);
        },
      );

      api.post<{ Params: Static<typeof UploadParams> }>(
        '/uploads/:uploadId/complete',
        {
          schema: {
            tags: ['attachments'],
            summary: 'Finish a resumable upload: the file is checked and becomes an attachment',
            security,
            params: UploadParams,
            response: { 201: AttachmentSchema, ...errorResponses },
          },
        },
        async (request, reply) => reply.status(201).send(await attachments.completeUpload(principalOf(request), request.params.uploadId)),
      );

      api.delete<{ Params: Static<typeof UploadParams> }>(
        '/uploads/:uploadId',
        {
          schema: {
            tags: ['attachments'],
            summary: 'Abandon a resumable upload',
            security,
            params: UploadParams,
            response: { 204: Type.Null(), ...errorResponses },
          },
        },
        async (request, reply) => {
          await attachments.cancelUpload(principalOf(request), request.params.uploadId);
          return reply.status(204).send();
        },
      );

      api.get<{ Params: Static<typeof AttachmentParams> }>(
        '/attachments/:attachmentId',
        {
          schema: {
            tags: ['attachments'],
            summary: 'An attachment’s metadata',
            description: 'For members of its conversation and staff of its shop; before it is sent, for its uploader only.',
            security,
            params: AttachmentParams,
            response: { 200: AttachmentSchema, ...errorResponses },
          },
        },
        async (request) => attachments.get(principalOf(request), request.params.attachmentId),
      );

      api.get<{ Params: Static<typeof AttachmentParams>; Querystring: Static<typeof VariantQuery> }>(
        '/attachments/:attachmentId/content',
        {
          schema: {
            tags: ['attachments'],
            summary: 'An attachment’s bytes (or its thumbnail)',
            description:
              'Raster images are served inline as their type; everything else as a download (`Content-Disposition: ' +
              'attachment`, `application/octet-stream`). Always `X-Content-Type-Options: nosniff` and a sandboxing CSP.',
            security,
            params: AttachmentParams,
            querystring: VariantQuery,
            response: { 200: Bytes, ...errorResponses },
          },
        },
        async (request, reply) => {
          const content = await attachments.content(principalOf(request), request.params.attachmentId, request.query.variant ?? 'original');
          return serve(reply, content, request.headers['if-none-match']);
        },
      );

      api.get<{ Params: Static<typeof AttachmentParams>; Querystring: Static<typeof VariantQuery> }>(
        '/attachments/:attachmentId/link',
        {
          schema: {
            tags: ['attachments'],
            summary: 'A short-lived signed link to the bytes, for <img src> and downloads',
            description: 'The `url` is relative to the server (it starts with /api/v1/files/); it stops working at `expiresAt`.',
            security,
            params: AttachmentParams,
            querystring: VariantQuery,
            response: { 200: AttachmentLinkSchema, ...errorResponses },
          },
        },
        async (request) => {
          const link = await attachments.link(principalOf(request), request.params.attachmentId, request.query.variant ?? 'original');
          return { url: link.url, expiresAt: new Date(link.expiresAt).toISOString() };
        },
      );
    });
  };
}

/**
 * Serving headers that keep uploaded bytes from ever running as a page: nothing is sniffed, only
 * raster images are inline, the rest is a download, and a sandboxing CSP covers a direct visit.
 */
function serve(reply: FastifyReply, content: AttachmentContent, ifNoneMatch: string | undefined) {
  const etag = `"${content.etag}"`;
  void reply
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'; sandbox")
    .header('cache-control', 'private, max-age=300')
    .header('etag', etag)
    .header('content-disposition', contentDisposition(content.inline ? 'inline' : 'attachment', content.name));
  if (ifNoneMatch === etag) {
    content.stream.destroy();
    return reply.status(304).send();
  }
  return reply
    .header('content-type', content.inline ? content.mime : 'application/octet-stream')
    .header('content-length', content.size)
    .send(content.stream);
}

/** RFC 6266: an ASCII fallback name and the exact name in UTF-8 (RFC 5987). */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
