import { sql, type Kysely } from 'kysely';
import type { StatsPeriod, StatsStore } from '../domain/ports.ts';
import type { Database } from './schema.ts';

const DAY_MS = 86_400_000;

/**
 * The local day (days since the epoch) of an inquiry's creation. The offset is a validated
 * integer, written into the SQL as a literal: bound, SQLite would take it as a real and divide
 * without truncating.
 */
const dayOf = (offsetMs: number) => sql<number>`(created_at + ${sql.lit(Math.trunc(offsetMs))}) / ${sql.lit(DAY_MS)}`;

/** Reception statistics over inquiries, by the day they were created (docs/api.md, "Statistics"). */
export function statsStore(db: Kysely<Database>): StatsStore {
  const inPeriod = (shopId: string, { from, to }: StatsPeriod) =>
    db.selectFrom('inquiries').where('shop_id', '=', shopId).where('created_at', '>=', from).where('created_at', '<', to);

  return {
    async dailyCounts(shopId, period) {
      const day = dayOf(period.offsetMs);
      const rows = await inPeriod(shopId, period)
        .select([
          day.as('day'),
          sql<number>`count(*)`.as('inquiries'),
          sql<number>`sum(case when status = 'closed' then 1 else 0 end)`.as('closed'),
          sql<number>`sum(case when first_response_at is not null then 1 else 0 end)`.as('answered'),
        ])
        .groupBy(day)
        .execute();
      return rows.map((r) => ({ day: Number(r.day), inquiries: Number(r.inquiries), closed: Number(r.closed), answered: Number(r.answered) }));
    },

    async channelCounts(shopId, { from, to, offsetMs }) {
      const day = sql<number>`(i.created_at + ${sql.lit(Math.trunc(offsetMs))}) / ${sql.lit(DAY_MS)}`;
      const rows = await db
        .selectFrom('inquiries as i')
        .innerJoin('conversations as c', 'c.id', 'i.conversation_id')
        .select([day.as('day'), 'c.channel', sql<number>`count(*)`.as('inquiries')])
        .where('i.shop_id', '=', shopId)
        .where('i.created_at', '>=', from)
        .where('i.created_at', '<', to)
        .groupBy([day, 'c.channel'])
        .execute();
      return rows.map((r) => ({ day: Number(r.day), channel: r.channel, inquiries: Number(r.inquiries) }));
    },

    async firstResponseTimes(shopId, period) {
      const rows = await inPeriod(shopId, period)
        .select([dayOf(period.offsetMs).as('day'), sql<number>`first_response_at - created_at`.as('ms')])
        .where('first_response_at', 'is not', null)
        .execute();
      return rows.map((r) => ({ day: Number(r.day), ms: Number(r.ms) }));
    },

    async timings(shopId, from, to, limit) {
      const rows = await db
        .selectFrom('inquiries as i')
        .innerJoin('conversations as c', 'c.id', 'i.conversation_id')
        .select(['i.created_at', 'i.first_response_at', 'i.closed_at', 'i.status', 'i.assignee_id', 'c.channel'])
        .where('i.shop_id', '=', shopId)
        .where('i.created_at', '>=', from)
        .where('i.created_at', '<', to)
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        createdAt: Number(r.created_at),
        firstResponseAt: r.first_response_at === null ? null : Number(r.first_response_at),
        closedAt: r.closed_at === null ? null : Number(r.closed_at),
        closed: r.status === 'closed',
        assigneeId: r.assignee_id,
        channel: r.channel,
      }));
    },
  };
}
