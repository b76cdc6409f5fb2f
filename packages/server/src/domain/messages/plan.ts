import type { InquiryStatus } from '@frontdesk/protocol';
import { AppError } from '../errors.ts';
import type { DurableFact } from '../events.ts';
import { isOpen } from '../inquiry-states.ts';
import type { AppendResult, NewMessage } from '../ports.ts';
import type { MessageRecord, StreamPlace } from '../records.ts';

/**
 * The send path's rules (DESIGN.md §2), for a batch of messages at once: the next seq of each
 * conversation, the last-message fields, opening an inquiry for a customer writing with none open,
 * the first response time, the sender's read cursor, the facts for the outbox. Pure: storage reads
 * the state under its locks, calls `planBatch`, and writes what it returns (storage/append-batch.ts
 * on PostgreSQL, storage/sqlite-append.ts on SQLite).
 */

export const PREVIEW_CHARS = 140;

/** The conversation fields a batch reads, changes and writes back. */
export interface ConversationState {
  shopId: string;
  lastSeq: number;
  lastPublicSeq: number;
  lastPublicMessageSeq: number;
  status: string | null;
  assigneeId: string | null;
  currentInquiryId: string | null;
  last: {
    seq: number | null;
    preview: string | null;
    contentType: string | null;
    senderId: string | null;
    senderKind: string | null;
    at: number | null;
  };
  lastActivityAt: number;
  updatedAt: number;
  /** Read with the row, never written by a send: a customer's message wakes a snoozed conversation (domain/inbox/triage.ts). */
  readonly snoozedUntil: number | null;
  dirty: boolean;
}

/** What a batch reads under its locks before numbering anything. */
export interface BatchState {
  readonly conversations: Map<string, ConversationState>;
  /** Stored messages the batch resends, keyed by `resendKey`. */
  readonly earlier: Map<string, MessageRecord>;
  /** This transaction's place in the shops' streams: every message it writes is ranked inside it. */
  readonly streamTx: number;
}

/** The writes a batch makes, decided in memory from its state. */
export interface BatchPlan {
  readonly results: Array<AppendResult | Error>;
  readonly conversations: ReadonlyArray<readonly [string, ConversationState]>;
  readonly inquiries: NewInquiry[];
  readonly messages: PlannedMessage[];
  readonly members: ReadCursor[];
  readonly firstResponses: Map<string, number>;
  /** message.created for each new message, inquiry.queued for each inquiry opened (outbox.ts). */
  readonly outbox: DurableFact[];
}


/** A message as the batch writes it: the record, and its ordinal among public messages. */
export interface PlannedMessage extends MessageRecord {
  /** null for internal notes. */
  readonly publicSeq: number | null;
}

/** An inquiry a customer's message opened: queued, with no assignee. */
export interface NewInquiry {
  readonly id: string;
  readonly shopId: string;
  readonly conversationId: string;
  readonly customerId: string;
  readonly createdAt: number;
}

/** Sending marks the conversation read for the sender (seed 000): the latest send wins. */
export interface ReadCursor {
  readonly conversationId: string;
  readonly userId: string;
  readonly userKind: string;
  readonly shopId: string;
  readonly role: string;
  readonly readSeq: number;
  readonly readPublicSeq: number;
  readonly joinedAt: number;
}

export const resendKey = (conversationId: string, senderId: string, clientMsgId: string) => `${conversationId}|${senderId}|${clientMsgId}`;

/** The conversations a batch touches, sorted: batches on several nodes take locks in the same order. */
export const conversationIdsOf = (inputs: readonly NewMessage[]) => [...new Set(inputs.map((i) => i.conversationId))].sort();

/** What a batch decides for a new message: the rest of its record is the input as sent. */
export interface Placement {
  readonly seq: number;
  readonly publicSeq: number | null;
  readonly stream: StreamPlace;
}

/** The stored record of a new message: the input, placed. */
export function plannedMessage(input: NewMessage, { seq, publicSeq, stream }: Placement): PlannedMessage {
  return {
    id: input.id,
    shopId: input.shopId,
    conversationId: input.conversationId,
    seq,
    publicSeq,
    stream,
    senderId: input.senderId,
    senderKind: input.senderKind,
    kind: input.kind,
    contentType: input.contentType,
    text: input.text,
    visibility: input.visibility,
    clientMsgId: input.clientMsgId,
    attachment: input.attachment ?? null,
    mentions: input.mentions ?? [],
    notice: input.notice ?? null,
    createdAt: input.createdAt,
    editedAt: null,
    deletedAt: null,
  };
}

/** Numbers the batch and decides every write, in input order; the state is updated in place. */
export function planBatch(inputs: readonly NewMessage[], state: BatchState): BatchPlan {
  const { conversations, earlier, streamTx } = state;
  const results: Array<AppendResult | Error | { follow: number }> = [];
  const firstInBatch = new Map<string, number>();
  const messages: PlannedMessage[] = [];
  const planned = new Map<number, PlannedMessage>();
  const members = new Map<string, ReadCursor>();
  const inquiries: NewInquiry[] = [];
  const firstResponses = new Map<string, number>();
  const outbox: DurableFact[] = [];

  inputs.forEach((input, index) => {
    const conversation = conversations.get(input.conversationId);
    if (!conversation || conversation.shopId !== input.shopId) {
      results.push(new AppError('CONVERSATION_NOT_FOUND'));
      return;
    }
    const key = input.clientMsgId !== null && input.senderId !== null ? resendKey(input.conversationId, input.senderId, input.clientMsgId) : null;
    if (key !== null) {
      const stored = earlier.get(key);
      if (stored) return results.push({ message: stored, duplicate: true });
      const twin = firstInBatch.get(key);
      if (twin !== undefined) return results.push({ follow: twin });
      firstInBatch.set(key, index);
    }
    const isPublic = input.visibility === 'public';
    const now = input.createdAt;
    conversation.lastSeq += 1;
    if (isPublic) {
      conversation.lastPublicSeq += 1;
      conversation.lastPublicMessageSeq = conversation.lastSeq;
    }
    conversation.updatedAt = now;
    conversation.dirty = true;
    // The preview is the last public message a person wrote: a system line ("Bea joined …") or an
    // internal note never replaces it (issue 22); a public system line still counts as activity.
    if (isPublic && input.kind !== 'system') {
      conversation.last = {
        seq: conversation.lastSeq,
        preview: (input.text || input.attachment?.name || '').slice(0, PREVIEW_CHARS),
        contentType: input.contentType,
        senderId: input.senderId,
        senderKind: input.senderKind,
        at: now,
      };
    }
    if (isPublic) conversation.lastActivityAt = now;

    const open = isOpen(conversation.status as InquiryStatus | null);
    let opened: string | null = null;
    if (input.openInquiry !== null && isPublic && !open) {
      opened = input.openInquiry.id;
      inquiries.push({ id: opened, shopId: input.shopId, conversationId: input.conversationId, customerId: input.openInquiry.customerId, createdAt: now });
      conversation.status = 'queued';
      conversation.assigneeId = null;
      conversation.currentInquiryId = input.openInquiry.id;
      outbox.push({ shopId: input.shopId, type: 'inquiry.queued', subjectId: input.conversationId, data: { inquiryId: opened, status: 'queued', assigneeId: null, previousAssigneeId: null }, createdAt: now });
    } else if (input.senderKind === 'staff' && isPublic && open && conversation.currentInquiryId !== null) {
      if (!firstResponses.has(conversation.currentInquiryId)) firstResponses.set(conversation.currentInquiryId, now);
    }

    const message = plannedMessage(input, { seq: conversation.lastSeq, publicSeq: isPublic ? conversation.lastPublicSeq : null, stream: { tx: streamTx, pos: messages.length } });
    messages.push(message);
    planned.set(index, message);
    outbox.push({ shopId: input.shopId, type: 'message.created', subjectId: input.id, createdAt: now });
    if (input.senderId !== null && input.senderRole !== null) {
      members.set(`${input.conversationId}|${input.senderId}`, {
        conversationId: input.conversationId,
        userId: input.senderId,
        userKind: input.senderKind,
        shopId: input.shopId,
        role: input.senderRole,
        readSeq: conversation.lastSeq,
        readPublicSeq: conversation.lastPublicSeq,
        joinedAt: now,
      });
    }
    results.push({ message, duplicate: false, ...(opened !== null && { openedInquiryId: opened }), ...(conversation.snoozedUntil !== null && { snoozedUntil: conversation.snoozedUntil }) });
  });

  return {
    results: results.map((result) => {
      if (!('follow' in result)) return result;
      const original = planned.get(result.follow);
      return original ? { message: original, duplicate: true } : new AppError('INTERNAL');
    }),
    conversations: [...conversations].filter(([, c]) => c.dirty),
    inquiries,
    messages,
    members: [...members.values()],
    firstResponses,
    outbox,
  };
}

