import type { Attachment, ContentType, Notice, Visibility } from '@frontdesk/protocol';
import type { MessageRecord, StreamPlace } from './records.ts';

export interface NewMessage {
  readonly id: string;
  readonly shopId: string;
  readonly conversationId: string;
  readonly senderId: string | null;
  readonly senderKind: MessageRecord['senderKind'];
  /** Role of the sender's member row, created if missing ('customer', 'agent', …). */
  readonly senderRole: string | null;
  readonly kind: MessageRecord['kind'];
  readonly contentType: ContentType;
  readonly text: string;
  readonly visibility: Visibility;
  readonly clientMsgId: string | null;
  /** Image and file messages: the attachment as sent (claimed by this send beforehand). */
  readonly attachment?: Attachment | null;
  /** Staff chat: mentioned staff ids or 'all' (validated by the domain). */
  readonly mentions?: readonly string[];
  /** Staff-chat system messages: what happened, as data. */
  readonly notice?: Notice | null;
  readonly createdAt: number;
  /** A customer message on a conversation without an open inquiry opens this one. */
  readonly openInquiry: { readonly id: string; readonly customerId: string } | null;
}

export interface AppendResult {
  readonly message: MessageRecord;
  /** True when clientMsgId matched an earlier message: nothing was written. */
  readonly duplicate: boolean;
  /** The inquiry this message opened (a customer writing with none open), for routing. */
  readonly openedInquiryId?: string;
  /** The conversation was snoozed until then when the message was stored (read in the same transaction). */
  readonly snoozedUntil?: number;
}

export interface HistoryQuery {
  readonly beforeSeq?: number;
  readonly afterSeq?: number;
  readonly limit: number;
  readonly includeInternal: boolean;
}

export interface MessageStore {
  /**
   * One transaction: next seq, insert, last-message fields, the sender's read cursor, and the
   * inquiry bookkeeping. Idempotent on (conversation, sender, clientMsgId).
   */
  append(message: NewMessage): Promise<AppendResult>;
  findByClientMsgId(conversationId: string, senderId: string, clientMsgId: string): Promise<MessageRecord | undefined>;
  find(conversationId: string, id: string): Promise<MessageRecord | undefined>;
  /** Ascending by seq. */
  history(conversationId: string, query: HistoryQuery): Promise<{ items: MessageRecord[]; hasMore: boolean }>;
  softDelete(conversationId: string, id: string, now: number): Promise<void>;
  /**
   * A transaction number below which the shop's stream is final: every message placed in a lower
   * transaction is committed and visible now, and none will ever be added there.
   */
  streamHorizon(shopId: string): Promise<number>;
  /** Messages of the shop `viewerId` (staff) may see, placed after `after`, in stream order. */
  shopStream(shopId: string, viewerId: string, after: StreamPlace, limit: number): Promise<MessageRecord[]>;
  /** Staff who wrote a public message in the conversation (what its customer has seen). */
  publicStaffSenders(conversationId: string): Promise<string[]>;
  /** The notices of a conversation's public system lines (who joined, transfers, invitations, closes). */
  publicNotices(conversationId: string): Promise<Notice[]>;
  /**
   * Messages of the shop `viewerId` (staff) may see, internal notes included, not deleted, whose
   * text contains `text` (case-insensitive); newest first.
   */
  search(shopId: string, viewerId: string, text: string, limit: number): Promise<MessageRecord[]>;
}

