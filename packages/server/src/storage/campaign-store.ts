import { sql, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { CampaignKind, CampaignStatus } from '@frontdesk/protocol';
import type { CampaignRecord, CampaignResults, CampaignStore, RecipientRecord } from '../domain/campaigns/ports.ts';
import { audienceQuery } from './campaign-audience.ts';
import { sendBatch } from './campaign-batch.ts';
import { deliverOngoing } from './campaign-ongoing.ts';
import type { Engine } from './connect.ts';
import type { SqliteDirect } from './sqlite-dialect.ts';
import type { CampaignTable, Database } from './schema.ts';

export function toCampaign(row: Selectable<CampaignTable>): CampaignRecord {
  return {
    id: row.id,
    shopId: row.shop_id,
    kind: row.kind as CampaignKind,
    name: row.name,
    status: row.status as CampaignStatus,
    senderId: row.sender_id,
    text: row.text,
    audience: row.audience === null ? null : JSON.parse(row.audience),
    trigger: row.trigger === null ? null : JSON.parse(row.trigger),
    throttlePerSecond: row.throttle_per_second,
    scheduledAt: row.scheduled_at === null ? null : Number(row.scheduled_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    total: Number(row.total),
    sent: Number(row.sent),
    failed: Number(row.failed),
    skipped: Number(row.skipped),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Campaigns over Kysely; the sender's batches in campaign-batch.ts (prepared statements on SQLite). */
export function campaignStore(db: Kysely<Database>, engine: Engine, sqlite: SqliteDirect | null): CampaignStore {
  const one = async (shopId: string, id: string) => {
    const row = await db.selectFrom('campaigns').selectAll().where('shop_id', '=', shopId).where('id', '=', id).executeTakeFirst();
    return row && toCampaign(row);
  };

  return {
    async create(c) {
      await db
        .insertInto('campaigns')
        .values({
          id: c.id,
          shop_id: c.shopId,
          kind: c.kind,
          name: c.name,
          status: c.status,
          sender_id: c.senderId,
          text: c.text,
          audience: c.audience === null ? null : JSON.stringify(c.audience),
          trigger: c.trigger === null ? null : JSON.stringify(c.trigger),
          throttle_per_second: c.throttlePerSecond,
          scheduled_at: c.scheduledAt,
          started_at: null,
          finished_at: null,
          lease_owner: null,
          lease_until: null,
          progressed_at: null,
          created_by: c.createdBy,
          created_at: c.createdAt,
          updated_at: c.updatedAt,
        })
        .execute();
    },

    find: one,

    async list(shopId, status, after, limit) {
      let q = db.selectFrom('campaigns').selectAll().where('shop_id', '=', shopId);
      if (status !== undefined) q = q.where('status', '=', status);
      if (after !== null) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, after.id)));
      return (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(toCampaign);
    },

    async update(shopId, id, patch, statuses, now) {
      const result = await db
        .updateTable('campaigns')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.text !== undefined && { text: patch.text }),
          ...(patch.senderId !== undefined && { sender_id: patch.senderId }),
          ...(patch.audience !== undefined && { audience: JSON.stringify(patch.audience) }),
          ...(patch.trigger !== undefined && { trigger: JSON.stringify(patch.trigger) }),
          ...(patch.scheduledAt !== undefined && { scheduled_at: patch.scheduledAt }),
          ...(patch.throttlePerSecond !== undefined && { throttle_per_second: patch.throttlePerSecond }),
          updated_at: now,
        })
        .where('shop_id', '=', shopId)
        .where('id', '=', id)
        .where('status', 'in', statuses)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteDraft(shopId, id) {
      const result = await db.deleteFrom('campaigns').where('shop_id', '=', shopId).where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    async move(shopId, id, move, now) {
      return db.transaction().execute(async (tx) => {
        const moved = await tx
          .updateTable('campaigns')
          .set({
            status: move.to,
            updated_at: now,
            ...(move.startedAt !== undefined && { started_at: move.startedAt }),
            ...(move.finishedAt !== undefined && { finished_at: move.finishedAt, lease_owner: null, lease_until: null }),
          })
          .where('shop_id', '=', shopId)
          .where('id', '=', id)
          .where('status', 'in', move.from)
          .returningAll()
          .executeTakeFirst();
        if (!moved || !move.fixAudience) return moved && toCampaign(moved);
        const audience = JSON.parse(moved.audience ?? '{"all":true}');
        // One INSERT…SELECT: the audience is fixed now, whatever contacts do later (opting out is checked again at each turn).
        await tx
          .insertInto('campaign_recipients')
          .columns(['campaign_id', 'customer_id', 'shop_id', 'status'])
          .expression(audienceQuery(tx, engine, shopId, audience).select([sql.lit(id).as('campaign_id'), 'ct.customer_id', 'ct.shop_id', sql.lit('pending').as('status')]))
          .execute();
        const fixed = await tx
          .updateTable('campaigns')
          .set((eb) => ({ total: eb.selectFrom('campaign_recipients').select(eb.fn.countAll<number>().as('n')).where('campaign_id', '=', id) }))
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return toCampaign(fixed);
      });
    },

    async shopsAddressed(audience) {
      const rows = await audienceQuery(db, engine, null, audience)
        .select(['ct.shop_id', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy('ct.shop_id')
        .orderBy('ct.shop_id')
        .execute();
      return rows.map((r) => ({ shopId: r.shop_id, count: Number(r.n) }));
    },

    async countAudience(shopId, audience) {
      const row = await audienceQuery(db, engine, shopId, audience).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async results(shopId, ids) {
      const found = new Map<string, CampaignResults>();
      if (ids.length === 0) return found;
      const rows = await sql<{ campaign_id: string; read: number | string | null; replied: number | string | null; opted_out: number | string | null }>`
        select r.campaign_id,
          sum(case when mb.read_seq >= m.seq then 1 else 0 end) as read,
          sum(case when exists (select 1 from messages m2 where m2.conversation_id = r.conversation_id and m2.sender_id = r.customer_id and m2.seq > m.seq) then 1 else 0 end) as replied,
          sum(case when ct.opted_out_at > r.sent_at then 1 else 0 end) as opted_out
        from campaign_recipients r
        join messages m on m.id = r.message_id
        left join members mb on mb.conversation_id = r.conversation_id and mb.user_id = r.customer_id
        left join contacts ct on ct.shop_id = r.shop_id and ct.customer_id = r.customer_id
        where r.shop_id = ${shopId} and r.campaign_id in (${sql.join(ids)}) and r.status = 'sent'
        group by r.campaign_id`.execute(db);
      for (const row of rows.rows) found.set(row.campaign_id, { read: Number(row.read ?? 0), replied: Number(row.replied ?? 0), optedOut: Number(row.opted_out ?? 0) });
      return found;
    },

    async recipients(shopId, id, status, after, limit) {
      let q = db
        .selectFrom('campaign_recipients as r')
        .leftJoin('customers as cu', 'cu.id', 'r.customer_id')
        .select(['r.customer_id', 'cu.name', 'r.status', 'r.conversation_id', 'r.sent_at', 'r.error'])
        .where('r.shop_id', '=', shopId)
        .where('r.campaign_id', '=', id);
      if (status !== undefined) q = q.where('r.status', '=', status);
      if (after !== null) q = q.where('r.customer_id', '>', after);
      const rows = await q.orderBy('r.customer_id').limit(limit).execute();
      return rows.map(
        (r): RecipientRecord => ({
          customerId: r.customer_id,
          name: r.name ?? null,
          status: r.status as RecipientRecord['status'],
          conversationId: r.conversation_id,
          sentAt: r.sent_at === null ? null : Number(r.sent_at),
          error: r.error,
        }),
      );
    },

    async due(owner, now, singleNode, limit) {
      const rows = await db
        .selectFrom('campaigns')
        .select(['id', 'shop_id', 'status'])
        .where('kind', '=', 'one_off')
        .where((eb) =>
          eb.or([
            eb.and([
              eb('status', '=', 'running'),
              eb.or([eb('lease_owner', 'is', null), eb('lease_until', '<', now), ...(singleNode ? [eb('lease_owner', '<>', owner)] : [])]),
            ]),
            eb.and([eb('status', '=', 'scheduled'), eb('scheduled_at', '<=', now)]),
          ]),
        )
        .orderBy('created_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, shopId: r.shop_id, status: r.status as CampaignStatus }));
    },

    async lease(id, owner, now, leaseMs, singleNode) {
      const result = await db
        .updateTable('campaigns')
        .set({ lease_owner: owner, lease_until: now + leaseMs })
        .where('id', '=', id)
        .where('status', 'in', ['running', 'scheduled'])
        .where((eb) => (singleNode ? sql<SqlBool>`1 = 1` : eb.or([eb('lease_owner', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)])))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async release(id, owner) {
      await db.updateTable('campaigns').set({ lease_owner: null, lease_until: null }).where('id', '=', id).where('lease_owner', '=', owner).execute();
    },

    sendBatch: (id, owner, limit, now, leaseMs, plan) => sendBatch({ db, engine, sqlite }, id, owner, limit, now, leaseMs, plan),

    async runningOngoing(shopId) {
      const rows = await db.selectFrom('campaigns').selectAll().where('shop_id', '=', shopId).where('kind', '=', 'ongoing').where('status', '=', 'running').orderBy('created_at').limit(100).execute();
      return rows.map(toCampaign);
    },

    async shownTo(customerId, campaignIds) {
      if (campaignIds.length === 0) return new Set();
      const rows = await db.selectFrom('campaign_recipients').select('campaign_id').where('customer_id', '=', customerId).where('campaign_id', 'in', campaignIds).execute();
      return new Set(rows.map((r) => r.campaign_id));
    },

    deliverOngoing: (campaign, customerId, message, now) => deliverOngoing({ db, engine, sqlite }, campaign, customerId, message, now),
  };
}
