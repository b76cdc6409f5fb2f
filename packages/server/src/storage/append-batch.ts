import { sql, type Selectable, type Transaction } from 'kysely';
import {
  conversationIdsOf,
  planBatch,
  resendKey,
  type BatchPlan,
  type ConversationState,
  type NewInquiry,
  type PlannedMessage,
  type ReadCursor,
} from '../domain/messages/plan.ts';
import type { AppendResult, NewMessage } from '../domain/ports.ts';
import type { MessageRecord } from '../domain/records.ts';
import { bulkUpdate } from './bulk-update.ts';
import { recordOutbox } from './outbox.ts';
import { toMessage } from './rows.ts';
import type { ConversationTable, Database, InquiryTable, MemberTable, MessageTable } from './schema.ts';

const CHUNK = 100;

/**
 * Appends a batch of messages in one transaction (DESIGN.md §2 send path, for many at once):
 * 1. lock the conversations (sorted);
 * 2. find resends (under the lock, a twin in flight elsewhere has committed or waits for us);
 * 3. plan the batch (domain/messages/plan.ts: seqs, places in the shop's stream, inquiries…);
 * 4. write what the plan says: conversations, inquiries, messages (their attachments marked sent), the senders' read
 *    cursors, and the outbox (for webhooks subscribed to these facts).
 * Nothing shop-wide is locked: sends to different conversations of one shop never wait for each
 * other, on one node or across nodes. The stream place is the transaction's own id (see
 * domain/sync.ts for why that is enough for "what did I miss?").
 * A fixed handful of statements whatever the batch size: this is the PostgreSQL path, where every
 * statement is a round trip. SQLite runs the same plan through prepared statements (sqlite-append.ts).
 */
export async function appendBatch(
  tx: Transaction<Database>,
  inputs: readonly NewMessage[],
  /** Conversations the caller made in this transaction: no message there to resend (a campaign's batch). */
  fresh?: ReadonlySet<string>,
): Promise<Array<AppendResult | Error>> {
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
  const earlier = await findResends(tx, fresh === undefined ? inputs : inputs.filter((i) => !fresh.has(i.conversationId)));
  // No row when every conversation of the batch is gone (deleted by a merge since its facts were read).
  const plan = planBatch(inputs, { conversations, earlier, streamTx: Number(rows[0]?.tx ?? 0) });

  await writeConversations(tx, plan.conversations);
  if (plan.inquiries.length > 0) await tx.insertInto('inquiries').values(plan.inquiries.map(inquiryRow)).execute();
  for (let i = 0; i < plan.messages.length; i += CHUNK) {
    await tx.insertInto('messages').values(plan.messages.slice(i, i + CHUNK).map(messageRow)).execute();
  }
  for (const m of plan.messages) {
    if (m.attachment !== null) await tx.updateTable('attachments').set({ sent_at: m.createdAt }).where('id', '=', m.attachment.id).execute();
  }
  for (let i = 0; i < plan.members.length; i += CHUNK) {
    await tx
      .insertInto('members')
      .values(plan.members.slice(i, i + CHUNK).map(memberRow))
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
  'last_message_sender_kind', 'last_message_at', 'last_activity_at', 'updated_at', 'snoozed_until',
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
    snoozedUntil: row.snoozed_until == null ? null : Number(row.snoozed_until),
    updatedAt: row.updated_at,
    dirty: false,
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

export function messageRow(m: PlannedMessage): MessageTable {
  return {
    id: m.id,
    shop_id: m.shopId,
    conversation_id: m.conversationId,
    seq: m.seq,
    public_seq: m.publicSeq,
    stream_tx: m.stream.tx,
    stream_pos: m.stream.pos,
    sender_id: m.senderId,
    sender_kind: m.senderKind,
    kind: m.kind,
    content_type: m.contentType,
    text: m.text,
    visibility: m.visibility,
    client_msg_id: m.clientMsgId,
    created_at: m.createdAt,
    deleted_at: null,
    mentions: m.mentions.length === 0 ? null : JSON.stringify(m.mentions),
    notice: m.notice === null ? null : JSON.stringify(m.notice),
    edited_at: null,
    attachment_id: m.attachment?.id ?? null,
    attachment: m.attachment === null ? null : JSON.stringify(m.attachment),
  };
}

export function inquiryRow(i: NewInquiry): InquiryTable {
  return {
    id: i.id,
    shop_id: i.shopId,
    conversation_id: i.conversationId,
    customer_id: i.customerId,
    status: 'queued',
    assignee_id: null,
    created_at: i.createdAt,
    assigned_at: null,
    first_response_at: null,
    closed_at: null,
    skip_agent_id: null,
    queued_at: i.createdAt,
  };
}

export function memberRow(c: ReadCursor): Omit<MemberTable, 'read_seq' | 'read_public_seq' | 'muted' | 'muted_until' | 'activity_at'> & { read_seq: number; read_public_seq: number } {
  return {
    conversation_id: c.conversationId,
    user_id: c.userId,
    user_kind: c.userKind,
    shop_id: c.shopId,
    role: c.role,
    read_seq: c.readSeq,
    read_public_seq: c.readPublicSeq,
    joined_at: c.joinedAt,
  };
}
