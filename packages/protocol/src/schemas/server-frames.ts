import { Type, type TProperties } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { ConversationChangeSchema, Nullable, PresenceSchema, UserKindSchema } from './atoms.ts';
import { RequestIdSchema } from './client-frames.ts';
import { ConversationSummarySchema } from './conversations.ts';
import { ErrorCodeSchema } from './errors.ts';
import { MessageSchema } from './messages.ts';
import { OperationsSchema } from './operations.ts';
import { BroadcastSchema } from './staff-chat.ts';
import { CampaignSchema } from './campaigns.ts';
import { CsatRatingSchema } from './csat.ts';

/** Server → client frames on WebSocket `/ws`: replies echo the request's `id`, pushed frames have none. */
const reply = <K extends string, T extends TProperties>(type: K, fields: T) =>
  Type.Object({ type: Type.Literal(type), id: Type.Optional(RequestIdSchema), ...fields });
const push = <K extends string, T extends TProperties>(type: K, fields: T) => Type.Object({ type: Type.Literal(type), ...fields });

export const SessionUserSchema = Type.Object({
  kind: UserKindSchema,
  id: Type.String(),
  /** The staff member's shop, or the shop a widget session was opened for. */
  shopId: Nullable(Type.String()),
  name: Nullable(Type.String()),
});
export type SessionUser = Wire<typeof SessionUserSchema>;

export const AuthOkFrameSchema = reply('auth.ok', {
  user: SessionUserSchema,
  /** Send a ping at least this often; the server closes a connection silent for twice as long. */
  heartbeatMs: Type.Integer(),
  maxFrameBytes: Type.Integer(),
  /** Frames per second allowed on average, and the burst; a client that keeps exceeding them is closed (4008). */
  rateLimit: Type.Object({ perSecond: Type.Number(), burst: Type.Number() }),
  /**
   * A sync token for "now", taken before this reply was sent: a client without a token of its own
   * keeps it, so everything committed after the connection was accepted reaches it by `sync`, even
   * if the link drops before its first `sync` completes.
   */
  syncToken: Type.String(),
});
export type AuthOkFrame = Wire<typeof AuthOkFrameSchema>;

export const PongFrameSchema = reply('pong', {});
export type PongFrame = Wire<typeof PongFrameSchema>;

export const AckFrameSchema = reply('ack', { clientMsgId: Type.String(), message: MessageSchema });
export type AckFrame = Wire<typeof AckFrameSchema>;

export const MessageFrameSchema = push('message', { message: MessageSchema });
export type MessageFrame = Wire<typeof MessageFrameSchema>;

export const ReadReceiptFrameSchema = reply('read', { conversationId: Type.String(), userId: Type.String(), seq: Type.Integer() });
export type ReadReceiptFrame = Wire<typeof ReadReceiptFrameSchema>;

export const TypingEventFrameSchema = push('typing', { conversationId: Type.String(), userId: Type.String(), userKind: UserKindSchema });
export type TypingEventFrame = Wire<typeof TypingEventFrameSchema>;

/** A message was edited or deleted: replace the copy with the same id (conversationId, seq). */
export const MessageUpdatedFrameSchema = push('message.updated', { message: MessageSchema });
export type MessageUpdatedFrame = Wire<typeof MessageUpdatedFrameSchema>;

/** A conversation changed: a service inquiry queued, assigned, transferred, invited, closed; a group updated or left. */
export const ConversationFrameSchema = push('conversation', {
  change: ConversationChangeSchema,
  conversation: ConversationSummarySchema,
  /** With `merged`: the visitor's conversation, which no longer exists (drop it from lists). */
  mergedFromId: Type.Optional(Type.String()),
  /** With `removed`: who left or was removed. */
  userId: Type.Optional(Type.String()),
});
export type ConversationFrame = Wire<typeof ConversationFrameSchema>;

/** A staff member of the shop changed presence (staff only); the reply to `presence` echoes its `id`. */
export const PresenceFrameSchema = reply('presence', { userId: Type.String(), status: PresenceSchema });
export type PresenceFrame = Wire<typeof PresenceFrameSchema>;

/** A broadcast for the caller (staff): shown at once; one missed while offline is in GET /broadcasts. */
export const BroadcastFrameSchema = push('broadcast', { broadcast: BroadcastSchema });
export type BroadcastFrame = Wire<typeof BroadcastFrameSchema>;

/** The customer's place in the shop's queue (1 = next); sent when it changes. */
export const QueueFrameSchema = push('queue', { conversationId: Type.String(), position: Type.Integer() });
export type QueueFrame = Wire<typeof QueueFrameSchema>;

/**
 * A raw push of the push APIs (goim's `/goim/push/*`, `POST /api/v1/push`): not stored, not synced.
 * `operation` is the pushed goim operation; `body` the pushed bytes as UTF-8 text.
 */
export const PushFrameSchema = push('push', { operation: Type.Integer(), body: Type.String() });
export type PushFrame = Wire<typeof PushFrameSchema>;

/**
 * Sync now: a node of the cluster died, and messages it stored in its last moments may never have
 * been pushed. Clients answer with `sync` from their token (the SDK does it by itself).
 */
export const ResyncFrameSchema = push('resync', {});
export type ResyncFrame = Wire<typeof ResyncFrameSchema>;

export const SyncResultFrameSchema = reply('sync.result', {
  /** Missed messages, oldest first; within a conversation in seq order. */
  messages: Type.Array(MessageSchema),
  /** Pass back in the next `sync`. */
  token: Type.String(),
  /** More missed messages remain: sync again with `token` at once. */
  hasMore: Type.Boolean(),
});
export type SyncResultFrame = Wire<typeof SyncResultFrameSchema>;

export const HistoryResultFrameSchema = reply('history.result', {
  conversationId: Type.String(),
  items: Type.Array(MessageSchema),
  hasMore: Type.Boolean(),
});
export type HistoryResultFrame = Wire<typeof HistoryResultFrameSchema>;

/** The operations dashboard's figures: the reply to `operations.subscribe` (its id echoed), then pushed every few seconds. */
export const OperationsFrameSchema = reply('operations', { operations: OperationsSchema });
export type OperationsFrame = Wire<typeof OperationsFrameSchema>;

/** A campaign's progress or status changed (owners and admins of its shop). */
export const CampaignFrameSchema = push('campaign', { campaign: CampaignSchema });
export type CampaignFrame = Wire<typeof CampaignFrameSchema>;

/** A customer rated a closed inquiry, or changed their rating (owners and admins of its shop). */
export const CsatFrameSchema = push('csat', { rating: CsatRatingSchema });
export type CsatFrame = Wire<typeof CsatFrameSchema>;

export const ErrorFrameSchema = reply('error', {
  code: ErrorCodeSchema,
  message: Type.String(),
  /** For a refused `send`: which message failed, so the client can mark it. */
  clientMsgId: Type.Optional(Type.String()),
});
export type ErrorFrame = Wire<typeof ErrorFrameSchema>;

export const ServerFrameSchema = Type.Union([
  AuthOkFrameSchema,
  PongFrameSchema,
  AckFrameSchema,
  MessageFrameSchema,
  MessageUpdatedFrameSchema,
  ReadReceiptFrameSchema,
  TypingEventFrameSchema,
  ConversationFrameSchema,
  PresenceFrameSchema,
  BroadcastFrameSchema,
  QueueFrameSchema,
  PushFrameSchema,
  ResyncFrameSchema,
  SyncResultFrameSchema,
  HistoryResultFrameSchema,
  OperationsFrameSchema,
  CampaignFrameSchema,
  CsatFrameSchema,
  ErrorFrameSchema,
]);
export type ServerFrame = Wire<typeof ServerFrameSchema>;
export type ServerFrameType = ServerFrame['type'];
