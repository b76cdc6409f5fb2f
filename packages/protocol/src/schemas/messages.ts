import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { AttachmentKindSchema, ContentTypeSchema, Id, Literals, MessageKindSchema, Nullable, SenderKindSchema, Time, VisibilitySchema } from './atoms.ts';

/** An uploaded file: its bytes are fetched with GET /api/v1/attachments/{id}/content or a signed link. */
export const AttachmentSchema = Type.Object({
  id: Id,
  conversationId: Id,
  /** 'image': a raster image, shown inline and with a thumbnail; 'file': downloaded only. */
  kind: AttachmentKindSchema,
  /** The uploader's file name, cleaned (no path, no control characters). */
  name: Type.String(),
  /** Sniffed from the bytes. */
  mime: Type.String(),
  size: Type.Integer(),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
  /** Images only: the thumbnail's size (a webp no larger than 320×320). */
  thumbnail: Nullable(Type.Object({ width: Type.Integer(), height: Type.Integer() })),
  createdAt: Time,
});
export type Attachment = Wire<typeof AttachmentSchema>;

/** A resumable upload in progress (POST /conversations/{id}/uploads). */
export const UploadSchema = Type.Object({
  id: Id,
  conversationId: Id,
  name: Type.String(),
  size: Type.Integer(),
  /** Bytes received so far: the next chunk starts here. */
  offset: Type.Integer(),
  /** Largest chunk one PUT may carry. */
  maxChunkBytes: Type.Integer(),
  expiresAt: Time,
});
export type Upload = Wire<typeof UploadSchema>;

/** A short-lived link to an attachment's bytes that needs no Authorization header (for img src). */
export const AttachmentLinkSchema = Type.Object({ url: Type.String(), expiresAt: Time });
export type AttachmentLink = Wire<typeof AttachmentLinkSchema>;

/**
 * What a system message says, for clients to word in their own language (`text` holds an English
 * wording for those that do not know the code). Staff chat: group.*, members.*, member.*, owner.*.
 * Service conversations (routing, docs/routing.md#system-messages): inquiry.*, member.invited.
 */
export const NoticeSchema = Type.Object({
  code: Literals(
    'group.created', 'group.renamed', 'members.added', 'member.removed', 'member.left', 'owner.changed',
    'inquiry.assigned', 'inquiry.transferred', 'inquiry.queued', 'inquiry.reassigned', 'inquiry.closed', 'member.invited', 'transfer.note',
  ),
  /** Who did it; null when the system did (an owner who left hands the group on; a reassignment by the shop's policy). */
  actorId: Nullable(Id),
  /**
   * Whom it concerns: the members added, the one removed, who left, the new owner; the agent who
   * joined (inquiry.assigned), the colleague it went to (inquiry.transferred, member.invited), the
   * agent it came from and the one it went to (inquiry.reassigned).
   */
  userIds: Type.Array(Id),
  /** group.created and group.renamed: the title. */
  title: Type.Optional(Type.String()),
  /** inquiry.queued: why it went back to the queue (handed back by the assignee; their account disabled). */
  reason: Type.Optional(Literals('returned', 'disabled')),
  /** transfer.note: what the colleague wrote with the transfer. */
  note: Type.Optional(Type.String()),
});
export type Notice = Wire<typeof NoticeSchema>;

export const MessageSchema = Type.Object({
  id: Id,
  conversationId: Id,
  seq: Type.Integer(),
  senderId: Nullable(Id),
  senderKind: SenderKindSchema,
  kind: MessageKindSchema,
  contentType: ContentTypeSchema,
  /** null once the message is deleted. */
  text: Nullable(Type.String()),
  visibility: VisibilitySchema,
  clientMsgId: Nullable(Type.String()),
  /** Image and file messages; null for text and once the message is deleted. */
  attachment: Nullable(AttachmentSchema),
  /** Staff chat: the staff ids the sender mentioned, or `all`; empty when none. */
  mentions: Type.Array(Type.String()),
  /** System messages: what happened, as data (null on older messages: show `text`). */
  notice: Nullable(NoticeSchema),
  createdAt: Time,
  /** Set when the sender changed the text. */
  editedAt: Nullable(Time),
  deletedAt: Nullable(Time),
});
export type Message = Wire<typeof MessageSchema>;

export const MessagePageSchema = Type.Object({
  items: Type.Array(MessageSchema),
  /** True when older (or, paging forward, newer) messages remain. */
  hasMore: Type.Boolean(),
});
export type MessagePage = Wire<typeof MessagePageSchema>;

/** A page of a list that goes on by cursor. */
export const PageSchema = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    /** Pass back as `cursor` for the next page; null on the last page. */
    nextCursor: Nullable(Type.String()),
  });
export type Page<T> = Wire<ReturnType<typeof PageSchema<TUnsafe<T>>>>;
