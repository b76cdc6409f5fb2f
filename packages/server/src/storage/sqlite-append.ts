import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AppendResult, NewMessage } from '../domain/ports.ts';
import type { MessageRecord } from '../domain/records.ts';
import { conversationIdsOf, planBatch, resendKey, type ConversationState } from '../domain/messages/plan.ts';
import { conversationColumns, conversationValues, conversationWrites, inquiryRow, memberRow, messageRow, toConversationState } from './append-batch.ts';
import { newId } from '../domain/ids.ts';
import { SQLITE_RECORD_OUTBOX } from './outbox.ts';
import { toMessage } from './rows.ts';
import type { MessageTable } from './schema.ts';

const messageColumns = [
  'id', 'shop_id', 'conversation_id', 'seq', 'public_seq', 'stream_tx', 'stream_pos', 'sender_id', 'sender_kind', 'kind',
  'content_type', 'text', 'visibility', 'client_msg_id', 'created_at', 'deleted_at', 'attachment_id', 'attachment', 'mentions', 'notice',
] as const satisfies ReadonlyArray<keyof MessageTable>;

const writtenColumns = Object.keys(conversationWrites) as Array<keyof typeof conversationWrites>;

/**
 * The send path on SQLite: the plan of append-batch.ts, run synchronously through statements
 * prepared once. SQLite is in-process, so a statement per row costs microseconds and no round trip;
 * what costs is building SQL, so nothing here goes through the query builder. The caller holds the
 * connection (`SqliteDirect.exclusive`); the whole batch is one IMMEDIATE transaction.
 */
export function sqliteAppender(db: DatabaseSync): (inputs: readonly NewMessage[]) => Array<AppendResult | Error> {
  const s = statements(db);
  return (inputs) => {
    s.begin.run();
    try {
      const results = appendIn(s, inputs);
      s.commit.run();
      return results;
    } catch (error) {
      if (db.isTransaction) s.rollback.run();
      throw error;
    }
  };
}

/**
 * The same plan inside a transaction the caller holds on the direct connection (a campaign's batch,
 * storage/campaign-batch.ts): statements prepared once per connection.
 */
export function sqliteAppendWithin(db: DatabaseSync): (inputs: readonly NewMessage[], fresh?: ReadonlyMap<string, ConversationState>) => Array<AppendResult | Error> {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = statements(db)));
  const ready = s;
  return (inputs, fresh) => appendIn(ready, inputs, fresh);
}

const prepared = new WeakMap<DatabaseSync, Statements>();

type Statements = ReturnType<typeof statements>;

function statements(db: DatabaseSync) {
  const prepare = (sql: string): StatementSync => db.prepare(sql);
  return {
    begin: prepare('BEGIN IMMEDIATE'),
    commit: prepare('COMMIT'),
    rollback: prepare('ROLLBACK'),
    conversation: prepare(`SELECT ${conversationColumns.join(', ')} FROM conversations WHERE id = ?`),
    resend: prepare(`SELECT * FROM messages WHERE conversation_id = ? AND sender_id = ? AND client_msg_id = ?`),
    lastStreamTx: prepare('SELECT coalesce(max(stream_tx), 0) AS tx FROM messages WHERE shop_id = ?'),
    writeConversation: prepare(`UPDATE conversations SET ${writtenColumns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`),
    insertInquiry: prepare(
      `INSERT INTO inquiries (id, shop_id, conversation_id, customer_id, status, assignee_id, created_at, assigned_at, first_response_at, closed_at, skip_agent_id, queued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertMessage: prepare(`INSERT INTO messages (${messageColumns.join(', ')}) VALUES (${messageColumns.map(() => '?').join(', ')})`),
    readCursor: prepare(
      `INSERT INTO members (conversation_id, user_id, user_kind, shop_id, role, read_seq, read_public_seq, joined_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (conversation_id, user_id) DO UPDATE SET read_seq = excluded.read_seq, read_public_seq = excluded.read_public_seq
       WHERE members.read_seq < excluded.read_seq`,
    ),
    attachmentSent: prepare('UPDATE attachments SET sent_at = ? WHERE id = ?'),
    firstResponse: prepare('UPDATE inquiries SET first_response_at = ? WHERE id = ? AND first_response_at IS NULL'),
    outbox: prepare(SQLITE_RECORD_OUTBOX),
  };
}

/**
 * `fresh`: conversations the caller made in this transaction, as it made them: not read again, and
 * holding no message to resend.
 */
function appendIn(s: Statements, inputs: readonly NewMessage[], fresh?: ReadonlyMap<string, ConversationState>): Array<AppendResult | Error> {
  const conversations = new Map<string, ConversationState>();
  for (const id of conversationIdsOf(inputs)) {
    const made = fresh?.get(id);
    if (made) {
      conversations.set(id, { ...made, last: { ...made.last } });
      continue;
    }
    const row = s.conversation.get(id) as Parameters<typeof toConversationState>[0] | undefined;
    if (row) conversations.set(id, toConversationState(row));
  }
  const earlier = new Map<string, MessageRecord>();
  for (const input of inputs) {
    if (input.clientMsgId === null || input.senderId === null || fresh?.has(input.conversationId)) continue;
    const row = s.resend.get(input.conversationId, input.senderId, input.clientMsgId) as MessageTable | undefined;
    if (row) earlier.set(resendKey(input.conversationId, input.senderId, input.clientMsgId), toMessage(row));
  }
  // Writers take turns on SQLite, so one past the last transaction of each shop it writes to orders
  // this one after everything committed before it (domain/sync.ts).
  let streamTx = 1;
  for (const shopId of new Set([...conversations.values()].map((c) => c.shopId))) {
    streamTx = Math.max(streamTx, Number((s.lastStreamTx.get(shopId) as { tx: number | bigint }).tx) + 1);
  }

  const plan = planBatch(inputs, { conversations, earlier, streamTx });
  for (const [id, conversation] of plan.conversations) {
    const values = conversationValues(conversation);
    s.writeConversation.run(...writtenColumns.map((column) => values[column]), id);
  }
  for (const inquiry of plan.inquiries) {
    const i = inquiryRow(inquiry);
    s.insertInquiry.run(i.id, i.shop_id, i.conversation_id, i.customer_id, i.status, i.assignee_id, i.created_at, i.assigned_at, i.first_response_at, i.closed_at, i.skip_agent_id, i.queued_at);
  }
  for (const planned of plan.messages) {
    const m = messageRow(planned);
    s.insertMessage.run(...messageColumns.map((column) => m[column]));
    if (m.attachment_id !== null) s.attachmentSent.run(m.created_at, m.attachment_id);
  }
  for (const cursor of plan.members) {
    const m = memberRow(cursor);
    s.readCursor.run(m.conversation_id, m.user_id, m.user_kind, m.shop_id, m.role, m.read_seq, m.read_public_seq, m.joined_at);
  }
  for (const [id, at] of plan.firstResponses) s.firstResponse.run(at, id);
  for (const e of plan.outbox) {
    s.outbox.run(newId(), e.shopId, e.type, e.subjectId, e.data === undefined ? null : JSON.stringify(e.data), e.createdAt, e.shopId, e.type);
  }
  return plan.results;
}
