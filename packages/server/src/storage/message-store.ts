import type { Kysely, Transaction } from 'kysely';
import type { AppendResult, MessageStore, NewMessage } from '../domain/ports.ts';
import type { MessageRecord } from '../domain/records.ts';
import { toMessage } from './rows.ts';
import type { Database } from './schema.ts';

const PREVIEW_CHARS = 140;

/** Thrown inside the transaction to roll back a resend; carries the original message out. */
class Duplicate {
  readonly message: MessageRecord;
  constructor(message: MessageRecord) {
    this.message = message;
  }
}

export function messageStore(db: Kysely<Database>): MessageStore {
  const findByClientMsgId = async (
    q: Kysely<Database> | Transaction<Database>,
    conversationId: string,
    senderId: string,
    clientMsgId: string,
  ) => {
    const row = await q
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('sender_id', '=', senderId)
      .where('client_msg_id', '=', clientMsgId)
      .executeTakeFirst();
    return row && toMessage(row);
  };

  return {
    async append(input: NewMessage): Promise<AppendResult> {
      try {
        const message = await db.transaction().execute((tx) => appendInTransaction(tx, input));
        return { message, duplicate: false };
      } catch (error) {
        if (error instanceof Duplicate) return { message: error.message, duplicate: true };
        throw error;
      }
    },

    findByClientMsgId: (conversationId, senderId, clientMsgId) =>
      findByClientMsgId(db, conversationId, senderId, clientMsgId),

    async find(conversationId, id) {
      const row = await db
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toMessage(row);
    },

    async history(conversationId, query) {
      let q = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
      if (!query.includeInternal) q = q.where('visibility', '=', 'public');
      const forward = query.afterSeq !== undefined;
      if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
      if (query.beforeSeq !== undefined) q = q.where('seq', '<', query.beforeSeq);
      const rows = await q
        .orderBy('seq', forward ? 'asc' : 'desc')
        .limit(query.limit + 1)
        .execute();
      const hasMore = rows.length > query.limit;
      const page = rows.slice(0, query.limit).map(toMessage);
      return { items: forward ? page : page.reverse(), hasMore };
    },

    async streamPosition(shopId) {
      const row = await db.selectFrom('shops').select('stream_pos').where('id', '=', shopId).executeTakeFirst();
      return row?.stream_pos ?? 0;
    },

    async shopStream(shopId, viewerId, afterPos, uptoPos, limit) {
      const rows = await db
        .selectFrom('messages as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
        .selectAll('m')
        .where('m.shop_id', '=', shopId)
        .where('m.stream_pos', '>', afterPos)
        .where('m.stream_pos', '<=', uptoPos)
        .where((eb) =>
          eb.or([
            eb('c.kind', '=', 'service'),
            eb.exists(
              eb
                .selectFrom('members as mm')
                .select('mm.user_id')
                .whereRef('mm.conversation_id', '=', 'm.conversation_id')
                .where('mm.user_id', '=', viewerId),
            ),
          ]),
        )
        .orderBy('m.stream_pos')
        .limit(limit)
        .execute();
      return rows.map(toMessage);
    },

    async softDelete(conversationId, id, now) {
      await db
        .updateTable('messages')
        .set({ deleted_at: now })
        .where('conversation_id', '=', conversationId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .execute();
    },
  };

  async function appendInTransaction(tx: Transaction<Database>, input: NewMessage): Promise<MessageRecord> {
    const isPublic = input.visibility === 'public';
    const now = input.createdAt;
    // Taking the next seq locks the conversation row: concurrent sends queue here, so seqs
    // are gapless, and a rolled-back send gives its seq back.
    const conversation = await tx
      .updateTable('conversations')
      .set((eb) => ({
        last_seq: eb('last_seq', '+', 1),
        ...(isPublic && {
          last_public_seq: eb('last_public_seq', '+', 1),
          last_message_seq: eb('last_seq', '+', 1),
          last_message_preview: input.text.slice(0, PREVIEW_CHARS),
          last_message_content_type: input.contentType,
          last_message_sender_id: input.senderId,
          last_message_sender_kind: input.senderKind,
          last_message_at: now,
          last_activity_at: now,
        }),
        updated_at: now,
      }))
      .where('id', '=', input.conversationId)
      .where('shop_id', '=', input.shopId)
      .returning(['last_seq', 'last_public_seq', 'status', 'current_inquiry_id'])
      .executeTakeFirstOrThrow();

    if (input.senderId !== null && input.senderRole !== null) {
      // Sending marks the conversation read for the sender (seed 000).
      await tx
        .insertInto('members')
        .values({
          conversation_id: input.conversationId,
          user_id: input.senderId,
          user_kind: input.senderKind,
          shop_id: input.shopId,
          role: input.senderRole,
          read_seq: conversation.last_seq,
          read_public_seq: conversation.last_public_seq,
          joined_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['conversation_id', 'user_id']).doUpdateSet((eb) => ({
            read_seq: eb.ref('excluded.read_seq'),
            read_public_seq: eb.ref('excluded.read_public_seq'),
          })),
        )
        .execute();
    }

    const inquiryOpen = conversation.status !== null && conversation.status !== 'closed';
    if (input.openInquiry !== null && isPublic && !inquiryOpen) {
      await tx
        .insertInto('inquiries')
        .values({
          id: input.openInquiry.id,
          shop_id: input.shopId,
          conversation_id: input.conversationId,
          customer_id: input.openInquiry.customerId,
          status: 'queued',
          created_at: now,
        })
        .execute();
      await tx
        .updateTable('conversations')
        .set({ status: 'queued', assignee_id: null, current_inquiry_id: input.openInquiry.id })
        .where('id', '=', input.conversationId)
        .execute();
    } else if (input.senderKind === 'staff' && isPublic && inquiryOpen && conversation.current_inquiry_id !== null) {
      await tx
        .updateTable('inquiries')
        .set({ first_response_at: now })
        .where('id', '=', conversation.current_inquiry_id)
        .where('first_response_at', 'is', null)
        .execute();
    }

    // Last, so the shop row is locked as briefly as possible: positions are handed out in commit
    // order (the next sender waits for this commit), which makes "everything after P" exact for sync.
    const shop = await tx
      .updateTable('shops')
      .set((eb) => ({ stream_pos: eb('stream_pos', '+', 1) }))
      .where('id', '=', input.shopId)
      .returning('stream_pos')
      .executeTakeFirstOrThrow();

    const row = {
      id: input.id,
      shop_id: input.shopId,
      conversation_id: input.conversationId,
      seq: conversation.last_seq,
      public_seq: isPublic ? conversation.last_public_seq : null,
      stream_pos: shop.stream_pos,
      sender_id: input.senderId,
      sender_kind: input.senderKind,
      kind: input.kind,
      content_type: input.contentType,
      text: input.text,
      visibility: input.visibility,
      client_msg_id: input.clientMsgId,
      created_at: now,
      deleted_at: null,
    };
    // A resend hits the idempotency key: give the seq and position back (roll back) and answer with
    // the original. On PostgreSQL a concurrent twin waits here for the first to commit.
    const inserted = await tx
      .insertInto('messages')
      .values(row)
      .onConflict((oc) => oc.columns(['conversation_id', 'sender_id', 'client_msg_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
      const earlier = await findByClientMsgId(tx, input.conversationId, input.senderId!, input.clientMsgId!);
      if (!earlier) throw new Error('idempotency conflict without an earlier message');
      throw new Duplicate(earlier);
    }

    return toMessage(row);
  }
}
