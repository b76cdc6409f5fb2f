import { Type } from '@sinclair/typebox';
import { limits } from '../limits.ts';
import type { Wire } from '../wire.ts';
import { ClientMsgId, ContentTypeSchema, Id, MentionSchema, PageLimit, Seq, VisibilitySchema, seqMax } from './atoms.ts';

/**
 * The requests a client can make over HTTP and over a socket alike: send, read, history. Their
 * fields are defined once; HTTP puts the conversation in the path, a frame carries it as
 * `conversationId` (client-frames.ts).
 */
const strict = { additionalProperties: false } as const;

export const sendFields = {
  clientMsgId: ClientMsgId,
  contentType: Type.Optional(ContentTypeSchema),
  /** Required for text; the caption (may be empty) for image and file messages. */
  text: Type.Optional(Type.String({ maxLength: limits.textMaxChars })),
  attachmentId: Type.Optional(Id),
  /** Staff only: `internal` notes never reach the customer. */
  visibility: Type.Optional(VisibilitySchema),
  /** Staff chat: members to notify even if they muted the conversation; `all` (group owner, admins) notifies everyone. */
  mentions: Type.Optional(Type.Array(MentionSchema, { maxItems: 50, uniqueItems: true })),
};
export const SendBodySchema = Type.Object(sendFields, strict);
export type SendBody = Wire<typeof SendBodySchema>;

/** Moves the caller's read cursor forward to `seq`. */
export const readFields = { seq: Seq };
export const ReadBodySchema = Type.Object(readFields, strict);
export type ReadBody = Wire<typeof ReadBodySchema>;

/** Newest page by default; `beforeSeq` pages back, `afterSeq` pages forward (catch-up). */
export const historyFields = {
  beforeSeq: Type.Optional(Type.Integer({ minimum: 1, maximum: seqMax })),
  afterSeq: Type.Optional(Seq),
  limit: Type.Optional(PageLimit),
};
export const HistoryQuerySchema = Type.Object(historyFields, strict);
export type HistoryQuery = Wire<typeof HistoryQuerySchema>;

/** Changes the text of one's own text message. */
export const EditBodySchema = Type.Object({ text: Type.String({ minLength: 1, maxLength: limits.textMaxChars }) }, strict);
export type EditBody = Wire<typeof EditBodySchema>;
