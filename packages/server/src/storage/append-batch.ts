import { sql, type Selectable, type Transaction } from 'kysely';
import { AppError } from '../domain/errors.ts';
import { isOpen } from '../domain/inquiry-states.ts';
import type { AppendResult, NewMessage } from '../domain/ports.ts';
import type { MessageRecord } from '../domain/records.ts';
import type { InquiryStatus } from '@frontdesk/protocol';
import { bulkUpdate } from './bulk-update.ts';
import { inquiryData, recordOutbox, type OutboxEntry } from './outbox.ts';
import { toMessage } from './rows.ts';
import type { ConversationTable, Database, InquiryTable, MemberTable, MessageTable } from './schema.ts';

const PREVIEW_CHARS = 140;
const CHUNK = 100;

/** The conversation fields a batch reads, changes and writes back. */
export interface ConversationState {
  shopId: string;
  lastSeq: number;
  lastPublicSeq: number;
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
  readonly inquiries: InquiryTable[];
  readonly messages: MessageTable[];
  readonly members: MemberRow[];
  readonly firstResponses: Map<string, number>;
  /** message.created for each new message, inquiry.queued for each inquiry opened (outbox.ts). */
  readonly outbox: OutboxEntry[];
}

export type MemberRow = Omit<MemberTable, 'read_seq' | 'read_public_seq' | 'muted'> & { read_seq: number; read_public_seq: number };

export const resendKey = (conversationId: string, senderId: string, clientMsgId: string) => `${conversationId}|${senderId}|${clientMsgId}`;

/** The conversations a batch touches, sorted: batches on several nodes take locks in the same order. */
export const conversationIdsOf = (inputs: readonly NewMessage[]) => [...new Set(inputs.map((i) => i.conversationId))].sort();

/**
 * Appends a batch of messages in one transaction (DESIGN.md §2 send path, for many at once):
 * 1. lock the conversations (sorted);
 * 2. find resends (under the lock, a twin in flight elsewhere has committed or waits for us);
 * 3. number the new messages: seq per conversation, place in the shop's stream (`planBatch`);
 * 4. write: conversations, inquiries, messages (their attachments marked sent), the senders' read
 *    cursors, and the outbox (for webhooks subscribed to these facts).
 * Nothing shop-wide is locked: sends to different conversations of one shop never wait for each
 * other, on one node or across nodes. The stream place is the transaction's own id (see
 * domain/sync.ts for why that is enough for "what did I miss?").
 * A fixed handful of statements whatever the batch size: this is the PostgreSQL path, where every
 * statement is a round trip. SQLite runs the same plan through prepared statements (sqlite-append.ts).
 */
export async function appendBatch(tx: Transaction<Database>, inputs: readonly NewMessage[]): Promise<Array<AppendResult | Error>> {
  const rows = await tx
    .selectFrom('conversations')
    .select(conversationColumns)
    // Locking rows gives the transaction its id already; reading it here costs no round trip.
    .select(sql<string>`pg_current_xact_id()::text`.as('tx'))
    .where('id', 'in', conversationIdsOf(inputs))
    .orderBy('id')
    .forUpdate()
    .execute();
  const conversations = new Map(rows.map((row) => [row.id, toConversationState(row)] as const));
  const earlier = await findResends(tx, inputs);
  // No row when every conversation of the batch is gone (deleted by a merge since its facts were read).
  const plan = planBatch(inputs, { conversations, earlier, streamTx: Number(rows[0]?.tx ?? 0) });

  await writeConversations(tx, plan.conversations);
  if (plan.inquiries.length > 0) await tx.insertInto('inquiries').values(plan.inquiries).execute();
  for (let i = 0; i < plan.messages.length; i += CHUNK) {
    await tx.insertInto('messages').values(plan.messages.slice(i, i + CHUNK)).execute();
  }
  for (const m of plan.messages) {
    if (m.attachment_id !== null) await tx.updateTable('attachments').set({ sent_at: m.created_at }).where('id', '=', m.attachment_id).execute();
  }
  for (let i = 0; i < plan.members.length; i += CHUNK) {
    await tx
      .insertInto('members')
      .values(plan.members.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc
          .columns(['conversation_id', 'user_id'])
          .doUpdateSet((eb) => ({ read_seq: eb.ref('excluded.read_seq'), read_public_seq: eb.ref('excluded.read_public_seq') }))
          .where('members.read_seq', '<', (eb) => eb.ref('excluded.read_seq')),
      )
      .execute();
  }
  if (plan.firstResponses.size > 0) {
    await bulkUpdate(
      tx,
      'inquiries',
      'id',
      { first_response_at: 'bigint' },
      [...plan.firstResponses].map(([id, at]) => ({ key: id, set: { first_response_at: at } })),
      'first_response_at',
    );
  }
  await recordOutbox(tx, plan.outbox);
  return plan.results;
}

export const conversationColumns = [
  'id', 'shop_id', 'last_seq', 'last_public_seq', 'status', 'assignee_id', 'current_inquiry_id',
  'last_message_seq', 'last_message_preview', 'last_message_content_type', 'last_message_sender_id',
  'last_message_sender_kind', 'last_message_at', 'last_activity_at', 'updated_at',
] as const;

type ConversationRow = Pick<Selectable<ConversationTable>, (typeof conversationColumns)[number]>;

export function toConversationState(row: ConversationRow): ConversationState {
  return {
    shopId: row.shop_id,
    lastSeq: row.last_seq,
    lastPublicSeq: row.last_public_seq,
    status: row.status,
    assigneeId: row.assignee_id,
    currentInquiryId: row.current_inquiry_id,
    last: {
      seq: row.last_message_seq,
      preview: row.last_message_preview,
      contentType: row.last_message_content_type,
      senderId: row.last_message_sender_id,
      senderKind: row.last_message_sender_kind,
      at: row.last_message_at,
    },
    lastActivityAt: row.last_activity_at,
    updatedAt: row.updated_at,
    dirty: false,
  };
}

/** Numbers the batch and decides every write, in input order; the state is updated in place. */
export function planBatch(inputs: readonly NewMessage[], state: BatchState): BatchPlan {
  const { conversations, earlier, streamTx } = state;
  const results: Array<AppendResult | Error | { follow: number }> = [];
  const firstInBatch = new Map<string, number>();
  const messages: MessageTable[] = [];
  const rowOf = new Map<number, MessageTable>();
  const members = new Map<string, MemberRow>();
  const inquiries: InquiryTable[] = [];
  const firstResponses = new Map<string, number>();
  const outbox: OutboxEntry[] = [];

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
    if (isPublic) conversation.lastPublicSeq += 1;
    conversation.updatedAt = now;
    conversation.dirty = true;
    if (isPublic) {
      conversation.last = {
        seq: conversation.lastSeq,
        preview: (input.text || input.attachment?.name || '').slice(0, PREVIEW_CHARS),
        contentType: input.contentType,
        senderId: input.senderId,
        senderKind: input.senderKind,
        at: now,
      };
      conversation.lastActivityAt = now;
    }

    const open = isOpen(conversation.status as InquiryStatus | null);
    let opened: string | null = null;
    if (input.openInquiry !== null && isPublic && !open) {
      opened = input.openInquiry.id;
      inquiries.push({
        id: input.openInquiry.id,
        shop_id: input.shopId,
        conversation_id: input.conversationId,
        customer_id: input.openInquiry.customerId,
        status: 'queued',
        assignee_id: null,
        created_at: now,
        assigned_at: null,
        first_response_at: null,
        closed_at: null,
        skip_agent_id: null,
      });
      conversation.status = 'queued';
      conversation.assigneeId = null;
      conversation.currentInquiryId = input.openInquiry.id;
      outbox.push({ shopId: input.shopId, type: 'inquiry.queued', subjectId: input.conversationId, data: inquiryData(opened, null), createdAt: now });
    } else if (input.senderKind === 'staff' && isPublic && open && conversation.currentInquiryId !== null) {
      if (!firstResponses.has(conversation.currentInquiryId)) firstResponses.set(conversation.currentInquiryId, now);
    }

    const row: MessageTable = {
      id: input.id,
      shop_id: input.shopId,
      conversation_id: input.conversationId,
      seq: conversation.lastSeq,
      public_seq: isPublic ? conversation.lastPublicSeq : null,
      stream_tx: streamTx,
      stream_pos: messages.length,
      sender_id: input.senderId,
      sender_kind: input.senderKind,
      kind: input.kind,
      content_type: input.contentType,
      text: input.text,
      visibility: input.visibility,
      client_msg_id: input.clientMsgId,
      created_at: now,
      deleted_at: null,
      attachment_id: input.attachment?.id ?? null,
      attachment: input.attachment ? JSON.stringify(input.attachment) : null,
    };
    messages.push(row);
    rowOf.set(index, row);
    outbox.push({ shopId: input.shopId, type: 'message.created', subjectId: input.id, createdAt: now });
    // Sending marks the conversation read for the sender (seed 000): the latest send wins.
    if (input.senderId !== null && input.senderRole !== null) {
      members.set(`${input.conversationId}|${input.senderId}`, {
        conversation_id: input.conversationId,
        user_id: input.senderId,
        user_kind: input.senderKind,
        shop_id: input.shopId,
        role: input.senderRole,
        read_seq: conversation.lastSeq,
        read_public_seq: conversation.lastPublicSeq,
        joined_at: now,
      });
    }
    results.push({ message: toMessage(row), duplicate: false, ...(opened !== null && { openedInquiryId: opened }) });
  });

  return {
    results: results.map((result) => {
      if (!('follow' in result)) return result;
      const original = rowOf.get(result.follow);
      return original ? { message: toMessage(original), duplicate: true } : new AppError('INTERNAL');
    }),
    conversations: [...conversations].filter(([, c]) => c.dirty),
    inquiries,
    messages,
    members: [...members.values()],
    firstResponses,
    outbox,
  };
}

async function findResends(tx: Transaction<Database>, inputs: readonly NewMessage[]) {
  const keyed = inputs.filter((i) => i.clientMsgId !== null && i.senderId !== null);
  const found = new Map<string, MessageRecord>();
  for (let i = 0; i < keyed.length; i += CHUNK) {
    const chunk = keyed.slice(i, i + CHUNK);
    const rows = await tx
      .selectFrom('messages')
      .selectAll()
      .where((eb) =>
        eb.or(
          chunk.map((input) =>
            eb.and([
              eb('conversation_id', '=', input.conversationId),
              eb('sender_id', '=', input.senderId!),
              eb('client_msg_id', '=', input.clientMsgId!),
            ]),
          ),
        ),
      )
      .execute();
    for (const row of rows) found.set(resendKey(row.conversation_id, row.sender_id!, row.client_msg_id!), toMessage(row));
  }
  return found;
}

/** The conversation columns a batch writes back, in the order of `conversationValues`. */
export const conversationWrites = {
  last_seq: 'integer',
  last_public_seq: 'integer',
  last_message_seq: 'integer',
  last_message_preview: 'text',
  last_message_content_type: 'text',
  last_message_sender_id: 'text',
  last_message_sender_kind: 'text',
  last_message_at: 'bigint',
  last_activity_at: 'bigint',
  status: 'text',
  assignee_id: 'text',
  current_inquiry_id: 'text',
  updated_at: 'bigint',
} as const;

export function conversationValues(c: ConversationState) {
  return {
    last_seq: c.lastSeq,
    last_public_seq: c.lastPublicSeq,
    last_message_seq: c.last.seq,
    last_message_preview: c.last.preview,
    last_message_content_type: c.last.contentType,
    last_message_sender_id: c.last.senderId,
    last_message_sender_kind: c.last.senderKind,
    last_message_at: c.last.at,
    last_activity_at: c.lastActivityAt,
    status: c.status,
    assignee_id: c.assigneeId,
    current_inquiry_id: c.currentInquiryId,
    updated_at: c.updatedAt,
  };
}

async function writeConversations(tx: Transaction<Database>, rows: BatchPlan['conversations']): Promise<void> {
  await bulkUpdate(
    tx,
    'conversations',
    'id',
    conversationWrites,
    rows.map(([id, c]) => ({ key: id, set: conversationValues(c) })),
  );
}
