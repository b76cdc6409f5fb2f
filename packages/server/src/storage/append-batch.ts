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
import { newId } from '../domain/ids.ts';
import { columnList, unnestAs, type PgColumnType } from './pg-unnest.ts';
import { toMessage } from './rows.ts';
import type { ConversationTable, Database, InquiryTable, MemberTable, MessageTable } from './schema.ts';

/**
 * Appends a batch of messages in one transaction (DESIGN.md §2 send path, for many at once):
 * 1. lock the conversations (sorted) and find resends (under the lock, a twin in flight elsewhere
 *    has committed or waits for us);
 * 2. plan the batch (domain/messages/plan.ts: seqs, places in the shop's stream, inquiries…);
 * 3. write what the plan says: conversations, inquiries, messages (their attachments marked sent), the senders' read
 *    cursors, and the outbox (for webhooks subscribed to these facts).
 * Nothing shop-wide is locked: sends to different conversations of one shop never wait for each
 * other, on one node or across nodes. The stream place is the transaction's own id (see
 * domain/sync.ts for why that is enough for "what did I miss?").
 * This is the PostgreSQL path, where every statement is a round trip: one statement reads, one
 * writes, whatever the batch size (issue 23). SQLite runs the same plan through prepared
 * statements (sqlite-append.ts).
 */
export async function appendBatch(
  tx: Transaction<Database>,
  inputs: readonly NewMessage[],
  /** Conversations the caller made in this transaction: no message there to resend (a campaign's batch). */
  fresh?: ReadonlySet<string>,
): Promise<Array<AppendResult | Error>> {
  const keyed = inputs.filter((i) => i.clientMsgId !== null && i.senderId !== null && fresh?.has(i.conversationId) !== true);
  const locked = await lockBatch(tx, conversationIdsOf(inputs), keyed);
  const conversations = new Map(locked.rows.map((row) => [row.id, toConversationState(row)] as const));
  const plan = planBatch(inputs, { conversations, earlier: locked.earlier, streamTx: locked.streamTx });
  await writeBatch(tx, plan);
  return plan.results;
}

export const conversationColumns = [
  'id', 'shop_id', 'last_seq', 'last_public_seq', 'last_public_message_seq', 'status', 'assignee_id', 'current_inquiry_id',
  'last_message_seq', 'last_message_preview', 'last_message_content_type', 'last_message_sender_id',
  'last_message_sender_kind', 'last_message_at', 'last_activity_at', 'updated_at', 'snoozed_until',
] as const;

type ConversationRow = Pick<Selectable<ConversationTable>, (typeof conversationColumns)[number]>;

export function toConversationState(row: ConversationRow): ConversationState {
  return {
    shopId: row.shop_id,
    lastSeq: row.last_seq,
    lastPublicSeq: row.last_public_seq,
    lastPublicMessageSeq: row.last_public_message_seq,
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

/** The conversation columns a batch writes back, in the order of `conversationValues`. */
export const conversationWrites = {
  last_seq: 'integer',
  last_public_seq: 'integer',
  last_public_message_seq: 'integer',
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
    last_public_message_seq: c.lastPublicMessageSeq,
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

type LockedRow = ConversationRow & {
  /** This transaction's id: locking a row gives it one, and reading it here costs no round trip. */
  tx: string;
  /** last_seq as the statement's snapshot saw it, before any wait for the lock. */
  seen_seq: number;
  resends: Array<Selectable<MessageTable>> | null;
};

/**
 * The read half in one round trip: locks the conversations in id order (batches on several nodes
 * never deadlock), reads this transaction's id and finds the inputs that resend a stored message.
 *
 * One statement reads on one snapshot, taken before it waits for any lock: a transaction that held
 * a conversation and committed meanwhile (a resend's twin, on another node) is in the locked row
 * (PostgreSQL re-reads a row it waited for) but not in the snapshot's messages. Every message moves
 * its conversation's last_seq, so a locked last_seq other than the snapshot's says exactly that,
 * and only then are the resends read again, on a snapshot of their own (a second round trip).
 */
async function lockBatch(tx: Transaction<Database>, conversationIds: readonly string[], keyed: readonly NewMessage[]) {
  const { rows } = await sql<LockedRow>`
    WITH found AS (${resendsByConversation(keyed)})
    SELECT ${sql.join(conversationColumns.map((column) => sql.id('c', column)))},
      pg_current_xact_id()::text AS tx,
      (SELECT s.last_seq FROM conversations s WHERE s.id = c.id) AS seen_seq,
      f.resends
    FROM conversations c LEFT JOIN found f ON f.conversation_id = c.id
    WHERE c.id = ANY(${conversationIds}::text[])
    ORDER BY c.id
    FOR UPDATE OF c`.execute(tx);
  const missed = rows.some((row) => row.last_seq !== row.seen_seq);
  const resends = missed ? await readResends(tx, keyed) : rows.flatMap((row) => row.resends ?? []);
  const earlier = new Map<string, MessageRecord>(resends.map((row) => [resendKey(row.conversation_id, row.sender_id!, row.client_msg_id!), toMessage(row)]));
  // No row when every conversation of the batch is gone (deleted by a merge since its facts were read).
  return { rows, earlier, streamTx: Number(rows[0]?.tx ?? 0) };
}

/** Stored messages with the inputs' (conversation, sender, client id), as a JSON array per conversation: one probe of the idempotency index each. */
function resendsByConversation(keyed: readonly NewMessage[]) {
  const keys = keyed.map((i) => ({ conversation_id: i.conversationId, sender_id: i.senderId, client_msg_id: i.clientMsgId }));
  return sql`
    SELECT m.conversation_id, json_agg(m.*) AS resends
    FROM ${unnestAs('k', { conversation_id: 'text', sender_id: 'text', client_msg_id: 'text' }, keys)}
    JOIN messages m ON m.conversation_id = k.conversation_id AND m.sender_id = k.sender_id AND m.client_msg_id = k.client_msg_id
    GROUP BY m.conversation_id`;
}

async function readResends(tx: Transaction<Database>, keyed: readonly NewMessage[]) {
  const { rows } = await sql<{ resends: Array<Selectable<MessageTable>> }>`SELECT f.resends FROM (${resendsByConversation(keyed)}) f`.execute(tx);
  return rows.flatMap((row) => row.resends);
}

const messageColumns = {
  id: 'text', shop_id: 'text', conversation_id: 'text', seq: 'integer', public_seq: 'integer', stream_tx: 'bigint',
  stream_pos: 'bigint', sender_id: 'text', sender_kind: 'text', kind: 'text', content_type: 'text', text: 'text',
  visibility: 'text', client_msg_id: 'text', created_at: 'bigint', deleted_at: 'bigint', mentions: 'text',
  notice: 'text', edited_at: 'bigint', attachment_id: 'text', attachment: 'text',
} as const satisfies Record<keyof MessageTable, PgColumnType>;

const inquiryColumns = {
  id: 'text', shop_id: 'text', conversation_id: 'text', customer_id: 'text', status: 'text', assignee_id: 'text',
  created_at: 'bigint', assigned_at: 'bigint', first_response_at: 'bigint', closed_at: 'bigint', skip_agent_id: 'text',
  queued_at: 'bigint',
} as const satisfies Record<keyof InquiryTable, PgColumnType>;

const memberColumns = {
  conversation_id: 'text', user_id: 'text', user_kind: 'text', shop_id: 'text', role: 'text', read_seq: 'integer',
  read_public_seq: 'integer', joined_at: 'bigint',
} as const satisfies Record<keyof ReturnType<typeof memberRow>, PgColumnType>;

const outboxColumns = { id: 'text', shop_id: 'text', type: 'text', subject_id: 'text', data: 'text', created_at: 'bigint' } as const;

/**
 * The write half in one round trip: every write of the plan as one statement of data-modifying
 * CTEs. They all run on the statement's snapshot and none sees another's rows, hence:
 * - an inquiry opened and answered in the same batch gets its first response in its inserted row
 *   (the update of first responses cannot see it);
 * - a member inserted here may read its conversation's activity before the update above moves it
 *   (members_activity_on_insert, migrations/0020): the conversation's AFTER UPDATE trigger, which
 *   fires at the end of the statement, sets it on every member then, these included.
 */
async function writeBatch(tx: Transaction<Database>, plan: BatchPlan): Promise<void> {
  const conversations = plan.conversations.map(([id, c]) => ({ id, ...conversationValues(c) }));
  const inquiries = plan.inquiries.map((i) => ({ ...inquiryRow(i), first_response_at: plan.firstResponses.get(i.id) ?? null }));
  const answered = [...plan.firstResponses].map(([id, at]) => ({ id, first_response_at: at }));
  const sent = plan.messages.flatMap((m) => (m.attachment === null ? [] : [{ id: m.attachment.id, sent_at: m.createdAt }]));
  const outbox = plan.outbox.map((e) => ({
    id: newId(), shop_id: e.shopId, type: e.type, subject_id: e.subjectId, data: e.data === undefined ? null : JSON.stringify(e.data), created_at: e.createdAt,
  }));
  const setFromV = (columns: Readonly<Record<string, PgColumnType>>) => sql.join(Object.keys(columns).map((c) => sql`${sql.id(c)} = ${sql.id('v', c)}`));
  await sql`
    WITH conversation AS (
      UPDATE conversations c SET ${setFromV(conversationWrites)}
      FROM ${unnestAs('v', { id: 'text', ...conversationWrites }, conversations)} WHERE c.id = v.id
    ), inquiry AS (
      INSERT INTO inquiries (${columnList(inquiryColumns)}) SELECT * FROM ${unnestAs('v', inquiryColumns, inquiries)}
    ), message AS (
      INSERT INTO messages (${columnList(messageColumns)}) SELECT * FROM ${unnestAs('v', messageColumns, plan.messages.map(messageRow))}
    ), attachment AS (
      UPDATE attachments a SET sent_at = v.sent_at FROM ${unnestAs('v', { id: 'text', sent_at: 'bigint' }, sent)} WHERE a.id = v.id
    ), member AS (
      INSERT INTO members (${columnList(memberColumns)}) SELECT * FROM ${unnestAs('v', memberColumns, plan.members.map(memberRow))}
      ON CONFLICT (conversation_id, user_id) DO UPDATE SET read_seq = excluded.read_seq, read_public_seq = excluded.read_public_seq
      WHERE members.read_seq < excluded.read_seq
    ), first_response AS (
      UPDATE inquiries i SET first_response_at = v.first_response_at
      FROM ${unnestAs('v', { id: 'text', first_response_at: 'bigint' }, answered)} WHERE i.id = v.id AND i.first_response_at IS NULL
    )
    -- The outbox keeps the facts some active endpoint of their shop subscribed to (outbox.ts).
    INSERT INTO outbox (${columnList(outboxColumns)}) SELECT * FROM ${unnestAs('v', outboxColumns, outbox)}
    WHERE EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.shop_id = v.shop_id AND s.event = v.type)`.execute(tx);
}
