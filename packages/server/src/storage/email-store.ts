import { sql, type Kysely } from 'kysely';
import type { EmailStore } from '../channels/email/ports.ts';
import { toLocale, toMessage } from './rows.ts';
import type { Database } from './schema.ts';

const publicMessages = (db: Kysely<Database>, conversationId: string) =>
  db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).where('visibility', '=', 'public').where('deleted_at', 'is', null);

export function emailStore(db: Kysely<Database>): EmailStore {
  return {
    async schedule(conversationId, shopId, dueAt, now) {
      await db
        .insertInto('email_threads')
        .values({ conversation_id: conversationId, shop_id: shopId, due_at: dueAt, updated_at: now })
        .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ due_at: dueAt, updated_at: now }))
        .execute();
    },
    async claimDue(now, until, limit) {
      const due = await db
        .selectFrom('email_threads')
        .select('conversation_id')
        .where('due_at', '<=', now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .orderBy('due_at')
        .limit(limit)
        .execute();
      const claimed: string[] = [];
      for (const { conversation_id: id } of due) {
        const result = await db
          .updateTable('email_threads')
          .set({ locked_until: until })
          .where('conversation_id', '=', id)
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) claimed.push(id);
      }
      return claimed;
    },
    async thread(conversationId) {
      const row = await db
        .selectFrom('conversations as c')
        .innerJoin('customers as u', 'u.id', 'c.customer_id')
        .innerJoin('members as m', (join) => join.onRef('m.conversation_id', '=', 'c.id').onRef('m.user_id', '=', 'c.customer_id'))
        .leftJoin('email_threads as t', 't.conversation_id', 'c.id')
        .leftJoin('contacts as k', (join) => join.onRef('k.shop_id', '=', 'c.shop_id').onRef('k.customer_id', '=', 'c.customer_id'))
        .select(['c.id', 'c.shop_id', 'c.customer_id', 'u.email', 'u.name', 'm.read_seq', 't.emailed_seq', 'k.email_bounced_at', 'k.email_unsubscribed_at', 'k.locale'])
        .where('c.id', '=', conversationId)
        .where('c.kind', '=', 'service')
        .executeTakeFirst();
      if (!row || row.customer_id === null) return undefined;
      return {
        conversationId: row.id,
        shopId: row.shop_id,
        customerId: row.customer_id,
        email: row.email,
        customerName: row.name,
        locale: toLocale(row.locale),
        readSeq: row.read_seq,
        emailedSeq: row.emailed_seq ?? 0,
        blocked: row.email_bounced_at !== null || row.email_unsubscribed_at !== null,
      };
    },
    async repliesAfter(conversationId, afterSeq, limit) {
      const rows = await publicMessages(db, conversationId).where('sender_kind', '=', 'staff').where('kind', '=', 'user').where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
      return rows.map(toMessage);
    },
    async publicSince(conversationId, since, limit) {
      const rows = await publicMessages(db, conversationId).where('created_at', '>=', since).orderBy('seq').limit(limit).execute();
      return rows.map(toMessage);
    },
    async finish(conversationId, seq, now) {
      await db
        .updateTable('email_threads')
        .set({ emailed_seq: sql<number>`case when emailed_seq < ${seq} then ${seq} else emailed_seq end`, due_at: null, locked_until: null, updated_at: now })
        .where('conversation_id', '=', conversationId)
        .execute();
    },
    async postpone(conversationId, retryAt, now) {
      await db.updateTable('email_threads').set({ due_at: retryAt, locked_until: null, updated_at: now }).where('conversation_id', '=', conversationId).execute();
    },
    async unscheduled(since, limit) {
      const rows = await db
        .selectFrom('conversations as c')
        .innerJoin('customers as u', 'u.id', 'c.customer_id')
        .leftJoin('email_threads as t', 't.conversation_id', 'c.id')
        .select(['c.id', 'c.shop_id', 'c.last_message_at'])
        .where('c.kind', '=', 'service')
        .where('u.email', 'is not', null)
        .where('c.last_activity_at', '>=', since)
        .where('c.last_message_sender_kind', '=', 'staff')
        .where((eb) => eb.or([eb('t.conversation_id', 'is', null), eb.and([eb('t.due_at', 'is', null), eb('t.emailed_seq', '<', eb.ref('c.last_message_seq'))])]))
        .limit(limit)
        .execute();
      return rows.map((row) => ({ conversationId: row.id, shopId: row.shop_id, lastMessageAt: Number(row.last_message_at ?? 0) }));
    },
    async markBounced(shopId, customerId, now) {
      await db.updateTable('contacts').set({ email_bounced_at: now, updated_at: now }).where('shop_id', '=', shopId).where('customer_id', '=', customerId).where('email_bounced_at', 'is', null).execute();
    },
    async markUnsubscribed(shopId, customerId, now) {
      const result = await db
        .updateTable('contacts')
        .set({ email_unsubscribed_at: now, updated_at: now })
        .where('shop_id', '=', shopId)
        .where('customer_id', '=', customerId)
        .where('email_unsubscribed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
