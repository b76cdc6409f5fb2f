import type { Kysely } from 'kysely';
import type { TriageStore } from '../domain/inbox/triage.ts';
import type { Database } from './schema.ts';

/** Priority and snooze of service conversations (domain/inbox/triage.ts, migrations/0019-inbox.ts). */
export function triageStore(db: Kysely<Database>): TriageStore {
  return {
    async update(shopId, conversationId, patch, now) {
      const result = await db
        .updateTable('conversations')
        .set({
          ...(patch.priority !== undefined && { priority: patch.priority }),
          ...(patch.snoozedUntil !== undefined && { snoozed_until: patch.snoozedUntil }),
          updated_at: now,
        })
        .where('shop_id', '=', shopId)
        .where('id', '=', conversationId)
        .where('kind', '=', 'service')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async due(now, limit) {
      const rows = await db
        .selectFrom('conversations')
        .select(['id', 'shop_id', 'snoozed_until'])
        .where('snoozed_until', '<=', now)
        .orderBy('snoozed_until')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ id: row.id, shopId: row.shop_id, snoozedUntil: Number(row.snoozed_until) }));
    },

    async wake(conversationId, until, now) {
      const result = await db
        .updateTable('conversations')
        .set({ snoozed_until: null, updated_at: now })
        .where('id', '=', conversationId)
        .where('snoozed_until', '=', until)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
