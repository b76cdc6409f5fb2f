import type { ErrorCode } from './errors.ts';
import type { ContentType, ConversationChange, ConversationSummary, Message, Presence, UserKind, Visibility } from './models.ts';

/**
 * The JSON protocol on WebSocket `/ws` (docs/protocol.md). Every frame is one JSON text message
 * `{ "type": …, "id"?: … }`; a reply echoes the request's `id`.
 */
export type RequestId = string | number;

export interface AuthFrame {
  readonly type: 'auth';
  readonly id?: RequestId;
  readonly token: string;
}
export interface PingFrame {
  readonly type: 'ping';
  readonly id?: RequestId;
}
export interface SendFrame {
  readonly type: 'send';
  readonly id?: RequestId;
  readonly conversationId: string;
  readonly clientMsgId: string;
  readonly contentType?: ContentType;
  readonly text?: string;
  readonly attachmentId?: string;
  readonly visibility?: Visibility;
}
export interface ReadFrame {
  readonly type: 'read';
  readonly id?: RequestId;
  readonly conversationId: string;
  readonly seq: number;
}
export interface TypingFrame {
  readonly type: 'typing';
  readonly id?: RequestId;
  readonly conversationId: string;
}
export interface SyncFrame {
  readonly type: 'sync';
  readonly id?: RequestId;
  /** The `token` of the previous `sync.result`; absent on a first connect (returns the current position). */
  readonly token?: string;
  readonly limit?: number;
}
export interface HistoryFrame {
  readonly type: 'history';
  readonly id?: RequestId;
  readonly conversationId: string;
  readonly beforeSeq?: number;
  readonly afterSeq?: number;
  readonly limit?: number;
}

/** Staff: this device is away (not offered new inquiries) or back online. */
export interface SetPresenceFrame {
  readonly type: 'presence';
  readonly id?: RequestId;
  readonly status: 'online' | 'away';
}

export type ClientFrame = AuthFrame | PingFrame | SendFrame | ReadFrame | TypingFrame | SyncFrame | HistoryFrame | SetPresenceFrame;
export type ClientFrameType = ClientFrame['type'];

export interface SessionUser {
  readonly kind: UserKind;
  readonly id: string;
  /** The staff member's shop, or the shop a widget session was opened for. */
  readonly shopId: string | null;
  readonly name: string | null;
}

export interface AuthOkFrame {
  readonly type: 'auth.ok';
  readonly id?: RequestId;
  readonly user: SessionUser;
  /** Send a ping at least this often; the server closes a connection silent for twice as long. */
  readonly heartbeatMs: number;
  readonly maxFrameBytes: number;
  /** Frames per second allowed on average, and the burst; a client that keeps exceeding them is closed (4008). */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  /**
   * A sync token for "now", taken before this reply was sent: a client without a token of its own
   * keeps it, so everything committed after the connection was accepted reaches it by `sync`, even
   * if the link drops before its first `sync` completes.
   */
  readonly syncToken: string;
}
export interface PongFrame {
  readonly type: 'pong';
  readonly id?: RequestId;
}
export interface AckFrame {
  readonly type: 'ack';
  readonly id?: RequestId;
  readonly clientMsgId: string;
  readonly message: Message;
}
export interface MessageFrame {
  readonly type: 'message';
  readonly message: Message;
}
export interface ReadReceiptFrame {
  readonly type: 'read';
  readonly id?: RequestId;
  readonly conversationId: string;
  readonly userId: string;
  readonly seq: number;
}
export interface TypingEventFrame {
  readonly type: 'typing';
  readonly conversationId: string;
  readonly userId: string;
  readonly userKind: UserKind;
}
/** A service conversation's inquiry changed: queued, assigned, transferred, invited, closed. */
export interface ConversationFrame {
  readonly type: 'conversation';
  readonly change: ConversationChange;
  readonly conversation: ConversationSummary;
  /** With `merged`: the visitor's conversation, which no longer exists (drop it from lists). */
  readonly mergedFromId?: string;
}
/** A staff member of the shop changed presence (staff only); the reply to `presence` echoes its `id`. */
export interface PresenceFrame {
  readonly type: 'presence';
  readonly id?: RequestId;
  readonly userId: string;
  readonly status: Presence;
}
/** The customer's place in the shop's queue (1 = next); sent when it changes. */
export interface QueueFrame {
  readonly type: 'queue';
  readonly conversationId: string;
  readonly position: number;
}
export interface SyncResultFrame {
  readonly type: 'sync.result';
  readonly id?: RequestId;
  /** Missed messages, oldest first; within a conversation in seq order. */
  readonly messages: readonly Message[];
  /** Pass back in the next `sync`. */
  readonly token: string;
  /** More missed messages remain: sync again with `token` at once. */
  readonly hasMore: boolean;
}
export interface HistoryResultFrame {
  readonly type: 'history.result';
  readonly id?: RequestId;
  readonly conversationId: string;
  readonly items: readonly Message[];
  readonly hasMore: boolean;
}
export interface ErrorFrame {
  readonly type: 'error';
  readonly id?: RequestId;
  readonly code: ErrorCode;
  readonly message: string;
  /** For a refused `send`: which message failed, so the client can mark it. */
  readonly clientMsgId?: string;
}

export type ServerFrame =
  | AuthOkFrame
  | PongFrame
  | AckFrame
  | MessageFrame
  | ReadReceiptFrame
  | TypingEventFrame
  | ConversationFrame
  | PresenceFrame
  | QueueFrame
  | SyncResultFrame
  | HistoryResultFrame
  | ErrorFrame;
export type ServerFrameType = ServerFrame['type'];

/** Defaults the server announces in `auth.ok`; clients should use the announced values. */
export const realtimeDefaults = {
  heartbeatMs: 25_000,
  authTimeoutMs: 10_000,
  maxFrameBytes: 64 * 1024,
  syncPageMax: 500,
} as const;
