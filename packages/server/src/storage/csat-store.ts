import type { Kysely, Selectable } from 'kysely';
import type { CsatRecord, CsatStore } from '../domain/csat-ports.ts';
import type { InquiryStatus } from '@frontdesk/protocol';
import { recordOutbox } from './outbox.ts';
import type { CsatRatingTable, Database } from './schema.ts';

function toRating(row: Selectable<CsatRatingTable>): CsatRecord {
  return {
    inquiryId: row.inquiry_id,
    shopId: row.shop_id,
    conversationId: row.conversation_id,
    customerId: row.customer_id,
    agentId: row.agent_id,
    rating: Number(row.rating),
    comment: row.comment,
    submittedAt: Number(row.submitted_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Ratings of closed inquiries (migrations/0017-csat.ts); every read is scoped by the shop. */
export function csatStore(db: Kysely<Database>): CsatStore {
  return {
    async inquiry(shopId, inquiryId) {
      const row = await db
        .selectFrom('inquiries')
        .select(['id', 'conversation_id', 'customer_id', 'status', 'assignee_id', 'closed_at', 'created_at'])
        .where('shop_id', '=', shopId)
        .where('id', '=', inquiryId)
        .executeTakeFirst();
      return row && { id: row.id, conversationId: row.conversation_id, customerId: row.customer_id, status: row.status as InquiryStatus, assigneeId: row.assignee_id, closedAt: row.closed_at };
    },

    async latestInquiryId(shopId, customerId) {
      const row = await db
        .selectFrom('inquiries')
        .select('id')
        .where('shop_id', '=', shopId)
        .where('customer_id', '=', customerId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.id ?? null;
    },

    async find(shopId, inquiryId) {
      const row = await db.selectFrom('csat_ratings').selectAll().where('shop_id', '=', shopId).where('inquiry_id', '=', inquiryId).executeTakeFirst();
      return row && toRating(row);
    },

    async save(rating) {
      const row = {
        inquiry_id: rating.inquiryId,
        shop_id: rating.shopId,
        conversation_id: rating.conversationId,
        customer_id: rating.customerId,
        agent_id: rating.agentId,
        rating: rating.rating,
        comment: rating.comment,
        submitted_at: rating.submittedAt,
        updated_at: rating.updatedAt,
      };
      await db.transaction().execute(async (tx) => {
        // A change keeps the first submission's time: statistics place a rating by it.
        await tx
          .insertInto('csat_ratings')
          .values(row)
          .onConflict((oc) => oc.column('inquiry_id').doUpdateSet({ rating: row.rating, comment: row.comment, updated_at: row.updated_at }))
          .execute();
        await recordOutbox(tx, [
          {
            shopId: rating.shopId,
            type: 'csat.submitted',
            subjectId: rating.conversationId,
            data: { csat: { inquiryId: rating.inquiryId, customerId: rating.customerId, agentId: rating.agentId, rating: rating.rating, comment: rating.comment } },
            createdAt: rating.updatedAt,
          },
        ]);
      });
    },

    async inRange(shopId, from, to) {
      const rows = await db
        .selectFrom('csat_ratings')
        .selectAll()
        .where('shop_id', '=', shopId)
        .where('submitted_at', '>=', from)
        .where('submitted_at', '<', to)
        .orderBy('submitted_at', 'desc')
        .execute();
      return rows.map(toRating);
    },
  };
}
