import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Channel, InquiryStatus } from '@frontdesk/protocol';
import { AppError } from '../domain/errors.ts';
import type { InquiryState, MergeDecision } from '../domain/inquiry-states.ts';
import type { Assignment, VisitorMerge } from '../domain/ports.ts';
import type { Engine } from './connect.ts';
import { recordOutbox } from './outbox.ts';
import type { Database } from './schema.ts';

type Tx = Transaction<Database>;

const conversationFields = [
  'id', 'last_seq', 'last_public_seq', 'last_public_message_seq', 'status', 'assignee_id', 'current_inquiry_id', 'last_message_seq',
  'last_message_preview', 'last_message_content_type', 'last_message_sender_id', 'last_message_sender_kind',
  'last_message_at', 'last_activity_at',
] as const;

/**
 * Folds an anonymous visitor into the customer they identified as (the widget's `setUser`), in one
 * transaction: the visitor's messages, inquiries, attachments and staff members move into the
 * customer's service conversation of the shop (created if missing), numbered after what it holds;
 * then the visitor, their conversation and their sessions are gone.
 *
 * Seqs are offset by the target's last seq and the moved messages take this transaction's place in
 * the shop's stream, so both stay increasing and a console syncing by place sees them. Which open
 * inquiry stands, when both have one, is `decide`'s (the domain's); the other is closed here (its
 * agent freed). An open inquiry of the visitor alone moves along.
 * Locks: the two conversations (sorted), the order the send path takes them.
 */
export async function mergeVisitor(
  db: Kysely<Database>,
  engine: Engine,
  shopId: string,
  visitorId: string,
  customerId: string,
  newConversationId: string,
  now: number,
  /** The domain's rule (domain/inquiry-states.ts `decideMerge`): which open inquiry stands. */
  decide: (visitor: InquiryState | null, customer: InquiryState | null) => MergeDecision,
): Promise<VisitorMerge | null> {
  const pg = engine === 'postgres';
  return db.transaction().execute(async (tx) => {
    const visitor = await tx
      .selectFrom('customers')
      .select('id')
      .where('id', '=', visitorId)
      .where('shop_id', '=', shopId)
      .where('kind', '=', 'anonymous')
      .executeTakeFirst();
    if (!visitor) return null;
    const target = await ensureServiceIn(tx, shopId, customerId, newConversationId, now);
    const source = await tx.selectFrom('conversations').select('id').where('unique_key', '=', `service:${shopId}:${visitorId}`).executeTakeFirst();
    // In id order, as the send path locks. The visitor's row is deleted (FOR UPDATE); the customer's
    // only changes (FOR NO KEY UPDATE, which still lets a member row referencing it be inserted).
    const locked = new Map<string, Locked>();
    for (const id of [target, ...(source ? [source.id] : [])].sort()) {
      let lock = tx.selectFrom('conversations').select(conversationFields).where('id', '=', id);
      if (pg) lock = id === target ? lock.forNoKeyUpdate() : lock.forUpdate();
      locked.set(id, await lock.executeTakeFirstOrThrow());
    }
    const into = locked.get(target)!;
    const from = source ? locked.get(source.id) : undefined;

    let closed: Assignment | null = null;
    if (from) {
      const decision = decide(inquiryState(from), inquiryState(into));
      const keepFrom = decision.keep === 'visitor';
      if (decision.close !== null) {
        const loser = decision.close.side === 'visitor' ? from : into;
        const { move } = decision.close;
        const moved = await tx
          .updateTable('inquiries')
          .set({ status: move.to.status, closed_at: now })
          .where('id', '=', loser.current_inquiry_id!)
          .where('status', '=', move.from.status)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) throw new AppError('INVALID_TRANSITION', 'The inquiry changed meanwhile.');
        if (move.from.status === 'assigned' && loser.assignee_id !== null) {
          await tx
            .updateTable('agents')
            .set((eb) => ({ open_inquiries: eb('open_inquiries', '-', 1), updated_at: now }))
            .where('staff_id', '=', loser.assignee_id)
            .where('open_inquiries', '>', 0)
            .execute();
        }
        closed = { inquiryId: loser.current_inquiry_id!, conversationId: target, customerId, agentId: loser.assignee_id, previousAgentId: loser.assignee_id };
      }
      await moveInto(tx, pg, shopId, from, into, visitorId, customerId, keepFrom, now);
      await moveConversationLabels(tx, shopId, from.id, into.id);
      await tx.deleteFrom('conversations').where('id', '=', from.id).execute();
    }
    await mergeContact(tx, shopId, visitorId, customerId, now);
    await tx.deleteFrom('sessions').where('user_id', '=', visitorId).execute();
    await tx.deleteFrom('customers').where('id', '=', visitorId).execute();
    const fromConversationId = from?.id ?? null;
    await recordOutbox(tx, [{ shopId, type: 'conversation.merged', subjectId: target, data: { fromConversationId }, createdAt: now }]);
    return { conversationId: target, fromConversationId, closed };
  });
}

/** A customer's service conversation in a shop, made (with its member row and customer.created) if it is the first. */
export async function ensureServiceIn(tx: Tx, shopId: string, customerId: string, newId: string, now: number, channel: Channel = 'web'): Promise<string> {
  const key = `service:${shopId}:${customerId}`;
  const inserted = await tx
    .insertInto('conversations')
    .values({ id: newId, shop_id: shopId, kind: 'service', unique_key: key, customer_id: customerId, channel, last_activity_at: now, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) {
    await tx
      .insertInto('members')
      .values({ conversation_id: newId, user_id: customerId, user_kind: 'customer', shop_id: shopId, role: 'customer', joined_at: now })
      .execute();
    // An imported contact has its row already.
    await tx
      .insertInto('contacts')
      .values({ shop_id: shopId, customer_id: customerId, channel, last_seen_at: now, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['shop_id', 'customer_id']).doNothing())
      .execute();
    // The customer is new to the shop, arriving with what they wrote as a visitor.
    await recordOutbox(tx, [{ shopId, type: 'customer.created', subjectId: customerId, createdAt: now }]);
    return newId;
  }
  const row = await tx.selectFrom('conversations').select('id').where('unique_key', '=', key).executeTakeFirstOrThrow();
  return row.id;
}

async function moveConversationLabels(tx: Tx, shopId: string, fromId: string, intoId: string): Promise<void> {
  const labels = await tx.selectFrom('conversation_labels').select(['label_id', 'created_at']).where('conversation_id', '=', fromId).execute();
  if (labels.length === 0) return;
  await tx
    .insertInto('conversation_labels')
    .values(labels.map((l) => ({ shop_id: shopId, label_id: l.label_id, conversation_id: intoId, created_at: l.created_at })))
    .onConflict((oc) => oc.columns(['conversation_id', 'label_id']).doNothing())
    .execute();
  await tx.deleteFrom('conversation_labels').where('conversation_id', '=', fromId).execute();
}

/**
 * What the shop knew of the visitor goes to the customer's contact (made with their conversation
 * above): labels and staff notes; a later visit counts as the customer's. The visitor's contact goes.
 */
async function mergeContact(tx: Tx, shopId: string, visitorId: string, customerId: string, now: number): Promise<void> {
  const labels = await tx.selectFrom('contact_labels').select(['label_id', 'created_at']).where('shop_id', '=', shopId).where('customer_id', '=', visitorId).execute();
  if (labels.length > 0) {
    await tx
      .insertInto('contact_labels')
      .values(labels.map((l) => ({ shop_id: shopId, label_id: l.label_id, customer_id: customerId, created_at: l.created_at })))
      .onConflict((oc) => oc.columns(['shop_id', 'label_id', 'customer_id']).doNothing())
      .execute();
    await tx.deleteFrom('contact_labels').where('shop_id', '=', shopId).where('customer_id', '=', visitorId).execute();
  }
  await tx.updateTable('contact_notes').set({ customer_id: customerId }).where('shop_id', '=', shopId).where('customer_id', '=', visitorId).execute();
  const visitor = await tx.selectFrom('contacts').select(['last_seen_at', 'channel']).where('shop_id', '=', shopId).where('customer_id', '=', visitorId).executeTakeFirst();
  if (visitor?.last_seen_at != null) {
    await tx
      .updateTable('contacts')
      .set({ last_seen_at: visitor.last_seen_at, channel: visitor.channel, updated_at: now })
      .where('shop_id', '=', shopId)
      .where('customer_id', '=', customerId)
      .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', visitor.last_seen_at!)]))
      .execute();
  }
  await tx.deleteFrom('contacts').where('shop_id', '=', shopId).where('customer_id', '=', visitorId).execute();
}

type Locked = Pick<Selectable<Database['conversations']>, (typeof conversationFields)[number]>;

async function moveInto(
  tx: Tx,
  pg: boolean,
  shopId: string,
  from: Locked,
  into: Locked,
  visitorId: string,
  customerId: string,
  takeInquiry: boolean,
  now: number,
): Promise<void> {
  const seqOffset = into.last_seq;
  const publicOffset = into.last_public_seq;
  const remap = sql<string | null>`case when sender_id = ${visitorId} then ${customerId} else sender_id end`;

  // The moved messages take this transaction's place in the shop's stream, ranked by their new seq,
  // so a console syncing from before the merge sees them (domain/sync.ts).
  const streamTx = pg
    ? sql<number>`pg_current_xact_id()::text::bigint`
    : Number(
        (
          await tx
            .selectFrom('messages')
            .select(sql<number>`coalesce(max(stream_tx), 0)`.as('tx'))
            .where('shop_id', '=', shopId)
            .executeTakeFirstOrThrow()
        ).tx,
      ) + 1;
  await tx
    .updateTable('messages')
    .set({
      conversation_id: into.id,
      seq: sql`seq + ${seqOffset}`,
      public_seq: sql`public_seq + ${publicOffset}`,
      stream_tx: streamTx,
      stream_pos: sql`seq + ${seqOffset}`,
      sender_id: remap,
    })
    .where('conversation_id', '=', from.id)
    .execute();

  await tx.updateTable('inquiries').set({ conversation_id: into.id, customer_id: customerId }).where('conversation_id', '=', from.id).execute();
  await tx
    .updateTable('attachments')
    .set({ conversation_id: into.id, uploader_id: sql`case when uploader_id = ${visitorId} then ${customerId} else uploader_id end` })
    .where('conversation_id', '=', from.id)
    .execute();
  // Unfinished uploads of the visitor cannot be resumed by anyone else: they lapse with the visitor.
  await tx.deleteFrom('uploads').where('conversation_id', '=', from.id).execute();

  // Members: the visitor's cursor becomes the customer's if it is further on; staff who were in the
  // visitor's conversation are in the customer's, with their cursors offset.
  const members = await tx.selectFrom('members').selectAll().where('conversation_id', '=', from.id).execute();
  for (const m of members) {
    const readSeq = m.read_seq === 0 ? 0 : m.read_seq + seqOffset;
    const readPublicSeq = m.read_public_seq === 0 ? 0 : m.read_public_seq + publicOffset;
    const userId = m.user_id === visitorId ? customerId : m.user_id;
    await tx
      .insertInto('members')
      .values({ ...m, conversation_id: into.id, user_id: userId, read_seq: readSeq, read_public_seq: readPublicSeq })
      .onConflict((oc) =>
        oc
          .columns(['conversation_id', 'user_id'])
          .doUpdateSet({ read_seq: readSeq, read_public_seq: readPublicSeq })
          .where('members.read_seq', '<', readSeq),
      )
      .execute();
  }
  await tx.deleteFrom('members').where('conversation_id', '=', from.id).execute();

  const fromLatest = from.last_message_at !== null && (into.last_message_at === null || from.last_message_at >= into.last_message_at);
  await tx
    .updateTable('conversations')
    .set({
      last_seq: into.last_seq + from.last_seq,
      last_public_seq: into.last_public_seq + from.last_public_seq,
      last_public_message_seq: from.last_public_message_seq === 0 ? into.last_public_message_seq : from.last_public_message_seq + seqOffset,
      ...(fromLatest && {
        last_message_seq: from.last_message_seq === null ? null : from.last_message_seq + seqOffset,
        last_message_preview: from.last_message_preview,
        last_message_content_type: from.last_message_content_type,
        last_message_sender_id: from.last_message_sender_id === visitorId ? customerId : from.last_message_sender_id,
        last_message_sender_kind: from.last_message_sender_kind,
        last_message_at: from.last_message_at,
      }),
      ...((takeInquiry || (into.current_inquiry_id === null && from.current_inquiry_id !== null)) && {
        status: from.status,
        assignee_id: from.assignee_id,
        current_inquiry_id: from.current_inquiry_id,
      }),
      last_activity_at: Math.max(into.last_activity_at, from.last_activity_at),
      updated_at: now,
    })
    .where('id', '=', into.id)
    .execute();
}

function inquiryState(conversation: Locked): InquiryState | null {
  return conversation.status === null ? null : { status: conversation.status as InquiryStatus, assigneeId: conversation.assignee_id };
}
