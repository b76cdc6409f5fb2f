import { sql, type Kysely } from 'kysely';
import type { AlertEventRecord, OperationsStore } from '../observability/operations.ts';
import type { Database } from './schema.ts';

const MINUTE_MS = 60_000;

/**
 * The operations dashboard's and the alerts' queries (migrations/0011-operations.ts). Each is a
 * range over an index: messages by (shop, created_at), agents by (shop, presence), the queue by
 * (shop, status, created_at), waiting inquiries by age (partial index), alert events by time.
 */
export function operationsStore(db: Kysely<Database>): OperationsStore {
  // A literal, so SQLite sees that the partial index inquiries_waiting covers the query.
  const queued = sql.lit('queued');
  return {
    async messagesByMinute(shopId, from, to) {
      const minute = sql<number>`created_at / ${sql.lit(MINUTE_MS)}`;
      const rows = await db
        .selectFrom('messages')
        .select([minute.as('minute'), sql<number>`count(*)`.as('n')])
        .where('shop_id', '=', shopId)
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .groupBy(minute)
        .execute();
      return rows.map((r) => ({ minute: Number(r.minute), count: Number(r.n) }));
    },
    async messagesBefore(shopId, before) {
      const row = await db
        .selectFrom('messages')
        .select(sql<number>`count(*)`.as('n'))
        .where('shop_id', '=', shopId)
        .where('created_at', '<', before)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async agentsOnline(shopId) {
      const row = await db
        .selectFrom('agents')
        .select(sql<number>`count(*)`.as('n'))
        .where('shop_id', '=', shopId)
        .where('presence', '=', 'online')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async queue(shopId) {
      const row = await db
        .selectFrom('inquiries')
        .select([sql<number>`count(*)`.as('n'), sql<number | null>`min(created_at)`.as('oldest')])
        .where('shop_id', '=', shopId)
        .where('status', '=', queued)
        .executeTakeFirstOrThrow();
      return { length: Number(row.n), oldestAt: row.oldest === null ? null : Number(row.oldest) };
    },
    async oldestQueuedAt() {
      const row = await db.selectFrom('inquiries').select(sql<number | null>`min(created_at)`.as('oldest')).where('status', '=', queued).executeTakeFirstOrThrow();
      return row.oldest === null ? null : Number(row.oldest);
    },
    async recordAlert(event) {
      await db.insertInto('alert_events').values(event).execute();
    },
    async latestAlerts(limit) {
      const rows = await db.selectFrom('alert_events').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r): AlertEventRecord => ({ ...r, value: Number(r.value), threshold: Number(r.threshold), at: Number(r.at), state: r.state as AlertEventRecord['state'] }));
    },
  };
}
