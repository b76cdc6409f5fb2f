import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Engine } from './connect.ts';
import type { WebhookEvent } from '@frontdesk/protocol';
import type { DeliveryStatus, WebhookDeliveryRecord, WebhookEndpointRecord, WebhookStore } from '../domain/webhooks.ts';
import type { Database, WebhookDeliveryTable, WebhookEndpointTable } from './schema.ts';

/**
 * A shop's webhook endpoints. Every write that changes what an endpoint listens to, or whether it is
 * active, rewrites its rows in `webhook_subscriptions` in the same transaction: the outbox records a
 * fact only when such a row exists (outbox.ts), so the two never disagree.
 */
export function webhookStore(db: Kysely<Database>, engine: Engine): WebhookStore {
  return {
    async create(endpoint, max) {
      return db.transaction().execute(async (tx) => {
        // Counted under the shop's row lock so two creations at once cannot both pass the limit.
        if (engine === 'postgres') await tx.selectFrom('shops').select('id').where('id', '=', endpoint.shopId).forUpdate().execute();
        const { n } = await tx
          .selectFrom('webhook_endpoints')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('shop_id', '=', endpoint.shopId)
          .executeTakeFirstOrThrow();
        if (Number(n) >= max) return false;
        await tx.insertInto('webhook_endpoints').values(toRow(endpoint)).execute();
        await subscribe(tx, endpoint);
        return true;
      });
    },

    async list(shopId) {
      const rows = await db.selectFrom('webhook_endpoints').selectAll().where('shop_id', '=', shopId).orderBy('id').execute();
      return rows.map(toEndpoint);
    },

    async find(shopId, id) {
      const row = await db.selectFrom('webhook_endpoints').selectAll().where('shop_id', '=', shopId).where('id', '=', id).executeTakeFirst();
      return row && toEndpoint(row);
    },

    async update(shopId, id, patch, now) {
      return db.transaction().execute(async (tx) => {
        const result = await tx
          .updateTable('webhook_endpoints')
          .set({
            ...(patch.url !== undefined && { url: patch.url }),
            ...(patch.events !== undefined && { events: JSON.stringify(patch.events) }),
            ...(patch.includeInternal !== undefined && { include_internal: patch.includeInternal ? 1 : 0 }),
            ...(patch.sealedSecret !== undefined && { secret: patch.sealedSecret }),
            ...(patch.disabled !== undefined &&
              (patch.disabled === null
                ? { disabled_at: null, disabled_reason: null, failing_since: null }
                : { disabled_at: patch.disabled.at, disabled_reason: patch.disabled.reason })),
            updated_at: now,
          })
          .where('shop_id', '=', shopId)
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        const row = await tx.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        await subscribe(tx, toEndpoint(row));
        return true;
      });
    },

    async delete(shopId, id) {
      return db.transaction().execute(async (tx) => {
        // The deliveries before the endpoint, in the order the delivery job locks them when it
        // records attempts (webhook-delivery-store.ts): the other order deadlocks with it.
        const endpoint = await tx.selectFrom('webhook_endpoints').select('id').where('shop_id', '=', shopId).where('id', '=', id).executeTakeFirst();
        if (!endpoint) return false;
        await tx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
        await tx.deleteFrom('webhook_subscriptions').where('endpoint_id', '=', id).execute();
        const result = await tx.deleteFrom('webhook_endpoints').where('shop_id', '=', shopId).where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },

    async deliveries(endpointId, before, limit) {
      let query = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
      if (before !== null) query = query.where('id', '<', before);
      const rows = await query.orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toDelivery);
    },

    async redeliver(endpointId, deliveryId, now, retryUntil) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', next_attempt_at: now, retry_until: retryUntil, locked_until: null })
        .where('endpoint_id', '=', endpointId)
        .where('id', '=', deliveryId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

/** One subscription row per event type while the endpoint is active; none once it is disabled. */
export async function subscribe(tx: Transaction<Database>, endpoint: Pick<WebhookEndpointRecord, 'id' | 'shopId' | 'events' | 'disabledAt'>): Promise<void> {
  await tx.deleteFrom('webhook_subscriptions').where('endpoint_id', '=', endpoint.id).execute();
  if (endpoint.disabledAt !== null || endpoint.events.length === 0) return;
  await tx
    .insertInto('webhook_subscriptions')
    .values(endpoint.events.map((event) => ({ endpoint_id: endpoint.id, shop_id: endpoint.shopId, event })))
    .execute();
}

function toRow(e: WebhookEndpointRecord): WebhookEndpointTable {
  return {
    id: e.id,
    shop_id: e.shopId,
    url: e.url,
    events: JSON.stringify(e.events),
    include_internal: e.includeInternal ? 1 : 0,
    secret: e.sealedSecret,
    disabled_at: e.disabledAt,
    disabled_reason: e.disabledReason,
    failing_since: e.failingSince,
    succeeded_at: null,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

export function toEndpoint(row: Selectable<WebhookEndpointTable>): WebhookEndpointRecord {
  return {
    id: row.id,
    shopId: row.shop_id,
    url: row.url,
    events: JSON.parse(row.events) as WebhookEvent[],
    includeInternal: Number(row.include_internal) === 1,
    sealedSecret: row.secret,
    disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
    disabledReason: row.disabled_reason,
    failingSince: row.failing_since === null ? null : Number(row.failing_since),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toDelivery(row: Selectable<WebhookDeliveryTable>): WebhookDeliveryRecord {
  const at = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    event: row.event,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: at(row.next_attempt_at),
    lastAttemptAt: at(row.last_attempt_at),
    responseStatus: row.response_status === null ? null : Number(row.response_status),
    error: row.error,
    createdAt: Number(row.created_at),
    deliveredAt: at(row.delivered_at),
  };
}
