import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { RoutingStore } from '../domain/ports.ts';
import type { Database } from './schema.ts';

/** Shops per query of the sweep's look for work (bound parameters stay well under either engine's limit). */
const SWEEP_CHUNK = 500;

type Lookups = Pick<RoutingStore, 'assignedTo' | 'heldByDisabled' | 'sweepable' | 'unanswered' | 'queue' | 'queuePosition' | 'stats'>;

/**
 * What routing reads without changing anything (routing-store.ts holds the transactions that move
 * inquiries and presence): the sweep's look for work and what it finds in a shop, the queue and a
 * place in it, an agent's assignments and figures.
 */
export function routingLookups(db: Kysely<Database>): Lookups {
  /** A shop's assigned inquiries that `filter` keeps, oldest first, at most 100 (a sweep's work). */
  async function assignedWhere(shopId: string, filter: (eb: ExpressionBuilder<Database, 'inquiries'>) => Expression<SqlBool>) {
    const rows = await db
      .selectFrom('inquiries')
      .select(['conversation_id', 'assignee_id'])
      .where('shop_id', '=', shopId)
      .where('status', '=', 'assigned')
      .where(filter)
      .orderBy('created_at')
      .limit(100)
      .execute();
    return rows.map((r) => ({ conversationId: r.conversation_id, agentId: r.assignee_id! }));
  }

  return {
    async assignedTo(staffId) {
      const rows = await db
        .selectFrom('inquiries')
        .select(['conversation_id', 'shop_id'])
        .where('assignee_id', '=', staffId)
        .where('status', '=', 'assigned')
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({ conversationId: r.conversation_id, shopId: r.shop_id }));
    },

    heldByDisabled: (shopId) =>
      assignedWhere(shopId, (eb) => eb('assignee_id', 'in', eb.selectFrom('staff').select('id').where('shop_id', '=', shopId).where('disabled_at', 'is not', null))),

    async sweepable(shopIds) {
      const queued = new Set<string>();
      const heldByDisabled = new Set<string>();
      for (let i = 0; i < shopIds.length; i += SWEEP_CHUNK) {
        const chunk = shopIds.slice(i, i + SWEEP_CHUNK);
        const waiting = await db.selectFrom('inquiries').select('shop_id').distinct().where('shop_id', 'in', chunk).where('status', '=', 'queued').execute();
        waiting.forEach((row) => queued.add(row.shop_id));
        const held = await db
          .selectFrom('staff as s')
          .select('s.shop_id')
          .distinct()
          .where('s.shop_id', 'in', chunk)
          .where('s.disabled_at', 'is not', null)
          .where((eb) => eb.exists(eb.selectFrom('inquiries as i').select('i.id').whereRef('i.assignee_id', '=', 's.id').where('i.status', '=', 'assigned')))
          .execute();
        held.forEach((row) => heldByDisabled.add(row.shop_id));
      }
      return { queued, heldByDisabled };
    },

    unanswered: (shopId, waitingSince) =>
      assignedWhere(shopId, (eb) =>
        eb.and([
          eb('skip_agent_id', 'is', null),
          eb('assigned_at', '<', waitingSince),
          eb('assignee_id', 'in', eb.selectFrom('agents').select('staff_id').where('shop_id', '=', shopId).where('presence', '<>', 'online')),
          eb(
            'conversation_id',
            'in',
            eb.selectFrom('conversations').select('id').where('shop_id', '=', shopId).where('last_message_sender_kind', '=', 'customer').where('last_message_at', '<', waitingSince),
          ),
        ]),
      ),

    async queue(shopId, limit) {
      const rows = await db
        .selectFrom('inquiries')
        .select(['conversation_id', 'customer_id'])
        .where('shop_id', '=', shopId)
        .where('status', '=', 'queued')
        .orderBy('queued_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ conversationId: r.conversation_id, customerId: r.customer_id }));
    },

    async queuePosition(shopId, conversationId) {
      const mine = await db
        .selectFrom('inquiries')
        .select(['queued_at', 'id'])
        .where('conversation_id', '=', conversationId)
        .where('shop_id', '=', shopId)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      if (!mine) return null;
      const ahead = await db
        .selectFrom('inquiries')
        .select(sql<number>`count(*)`.as('n'))
        .where('shop_id', '=', shopId)
        .where('status', '=', 'queued')
        .where((eb) => eb.or([eb('queued_at', '<', mine.queued_at), eb.and([eb('queued_at', '=', mine.queued_at), eb('id', '<', mine.id)])]))
        .executeTakeFirstOrThrow();
      return Number(ahead.n) + 1;
    },

    async stats(shopId, from, to) {
      const rows = await db
        .selectFrom('inquiries')
        .select([
          'assignee_id',
          sql<number>`count(*)`.as('inquiries'),
          sql<number>`sum(case when status = 'closed' then 1 else 0 end)`.as('closed'),
          sql<number | null>`avg(first_response_at - created_at)`.as('first_response_ms'),
          sql<number | null>`avg(case when closed_at is not null then closed_at - assigned_at end)`.as('handling_ms'),
        ])
        .where('shop_id', '=', shopId)
        .where('assignee_id', 'is not', null)
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .groupBy('assignee_id')
        .execute();
      return rows.map((r) => ({
        staffId: r.assignee_id!,
        inquiries: Number(r.inquiries),
        closed: Number(r.closed),
        avgFirstResponseMs: r.first_response_ms === null ? null : Math.round(Number(r.first_response_ms)),
        avgHandlingMs: r.handling_ms === null ? null : Math.round(Number(r.handling_ms)),
      }));
    },
  };
}
