import type { Kysely } from 'kysely';
import { newId } from '../domain/ids.ts';
import type { MessageRecord } from '../domain/records.ts';
import type { Engine } from './connect.ts';
import { toMessage } from './rows.ts';
import type { Database } from './schema.ts';

export interface OutboxRow {
  readonly id: string;
  readonly shopId: string;
  readonly type: string;
  readonly subjectId: string;
  readonly data: Record<string, unknown>;
  readonly createdAt: number;
}

/** An event's body, built once for every endpoint; `internal` ones go only to endpoints that asked for them. */
export interface BuiltEvent {
  readonly body: string;
  readonly internal: boolean;
}

export interface ClaimedDelivery {
  readonly id: string;
  readonly event: string;
  readonly payload: string;
  readonly attempts: number;
  readonly retryUntil: number;
  readonly createdAt: number;
  readonly lease: number;
  readonly endpoint: { readonly id: string; readonly url: string; readonly sealedSecret: string };
}

export interface AttemptOutcome {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
  /** When to try again; null = delivered (ok) or given up. */
  readonly nextAttemptAt: number | null;
}

/** The delivery job's statements (integrations/webhooks/worker.ts decides; this runs them). */
export interface DeliveryStore {
  /** The oldest outbox rows, read without a lock (the subjects are loaded outside the transaction). */
  peekOutbox(limit: number): Promise<OutboxRow[]>;
  /**
   * In one transaction: takes those of the rows still there (PostgreSQL: FOR UPDATE SKIP LOCKED, so
   * one node gets each), creates a delivery per active subscribed endpoint, deletes the rows.
   * Returns how many deliveries were created.
   */
  fanOut(events: ReadonlyMap<string, BuiltEvent>, now: number, retryUntil: number): Promise<number>;
  /** Takes up to `limit` due deliveries of active endpoints, each leased to this caller until `lease`. */
  claimDue(now: number, limit: number, lease: number): Promise<ClaimedDelivery[]>;
  /**
   * Records an attempt unless the lease was lost meanwhile; returns since when the endpoint has been
   * failing (null after a success): from the creation of the oldest event of the current run of
   * failures, but not before the last success. So a delivery that fails to the end of its window
   * on an endpoint that took nothing meanwhile finds it failing for the whole window.
   */
  settle(delivery: ClaimedDelivery, outcome: AttemptOutcome, now: number): Promise<number | null>;
  /** Disables the endpoint: its subscriptions go, its pending deliveries are given up. */
  disable(endpointId: string, reason: string, now: number): Promise<void>;
  message(id: string): Promise<MessageRecord | undefined>;
}

export function webhookDeliveryStore(db: Kysely<Database>, engine: Engine): DeliveryStore {
  return {
    async peekOutbox(limit) {
      const rows = await db.selectFrom('outbox').selectAll().orderBy('id').limit(limit).execute();
      return rows.map((row) => ({
        id: row.id,
        shopId: row.shop_id,
        type: row.type,
        subjectId: row.subject_id,
        data: row.data === null ? {} : (JSON.parse(row.data) as Record<string, unknown>),
        createdAt: Number(row.created_at),
      }));
    },

    async fanOut(events, now, retryUntil) {
      if (events.size === 0) return 0;
      return db.transaction().execute(async (tx) => {
        let taking = tx.selectFrom('outbox').select(['id', 'shop_id', 'type']).where('id', 'in', [...events.keys()]).orderBy('id');
        if (engine === 'postgres') taking = taking.forUpdate().skipLocked();
        const taken = await taking.execute();
        if (taken.length === 0) return 0;
        const endpoints = await tx
          .selectFrom('webhook_subscriptions as s')
          .innerJoin('webhook_endpoints as e', 'e.id', 's.endpoint_id')
          .select(['s.endpoint_id', 's.shop_id', 's.event', 'e.include_internal'])
          .where('s.shop_id', 'in', [...new Set(taken.map((r) => r.shop_id))])
          .where('e.disabled_at', 'is', null)
          .execute();
        const deliveries = taken.flatMap((row) => {
          const built = events.get(row.id)!;
          return endpoints
            .filter((e) => e.shop_id === row.shop_id && e.event === row.type && (!built.internal || Number(e.include_internal) === 1))
            .map((e) => ({
              id: newId(),
              endpoint_id: e.endpoint_id,
              shop_id: row.shop_id,
              event_id: row.id,
              event: row.type,
              payload: built.body,
              status: 'pending',
              attempts: 0,
              next_attempt_at: now,
              retry_until: retryUntil,
              created_at: now,
            }));
        });
        for (let i = 0; i < deliveries.length; i += 100) {
          await tx
            .insertInto('webhook_deliveries')
            .values(deliveries.slice(i, i + 100))
            .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
            .execute();
        }
        await tx.deleteFrom('outbox').where('id', 'in', taken.map((r) => r.id)).execute();
        return deliveries.length;
      });
    },

    async claimDue(now, limit, lease) {
      const due = await db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
        .select(['d.id', 'd.event', 'd.payload', 'd.attempts', 'd.retry_until', 'd.created_at', 'e.id as endpoint_id', 'e.url', 'e.secret'])
        .where('d.next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('d.locked_until', 'is', null), eb('d.locked_until', '<', now)]))
        .where('e.disabled_at', 'is', null)
        .orderBy('d.next_attempt_at')
        .limit(limit)
        .execute();
      const claimed: ClaimedDelivery[] = [];
      for (const row of due) {
        // Another node may have taken it since the read: the conditional update decides.
        const taken = await db
          .updateTable('webhook_deliveries')
          .set({ locked_until: lease })
          .where('id', '=', row.id)
          .where('next_attempt_at', '<=', now)
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) === 0) continue;
        claimed.push({
          id: row.id,
          event: row.event,
          payload: row.payload,
          attempts: Number(row.attempts),
          retryUntil: Number(row.retry_until),
          createdAt: Number(row.created_at),
          lease,
          endpoint: { id: row.endpoint_id, url: row.url, sealedSecret: row.secret },
        });
      }
      return claimed;
    },

    async settle(delivery, outcome, now) {
      return db.transaction().execute(async (tx) => {
        const recorded = await tx
          .updateTable('webhook_deliveries')
          .set((eb) => ({
            attempts: eb('attempts', '+', 1),
            last_attempt_at: now,
            response_status: outcome.status,
            error: outcome.error,
            next_attempt_at: outcome.nextAttemptAt,
            status: outcome.ok ? 'delivered' : outcome.nextAttemptAt === null ? 'failed' : 'pending',
            locked_until: null,
            ...(outcome.ok && { delivered_at: now }),
          }))
          .where('id', '=', delivery.id)
          .where('locked_until', '=', delivery.lease)
          .executeTakeFirst();
        if (Number(recorded.numUpdatedRows) === 0) return null;
        const endpoint = tx.updateTable('webhook_endpoints').where('id', '=', delivery.endpoint.id);
        if (outcome.ok) {
          await endpoint.set({ failing_since: null, succeeded_at: now }).execute();
          return null;
        }
        const row = await tx.selectFrom('webhook_endpoints').select(['failing_since', 'succeeded_at']).where('id', '=', delivery.endpoint.id).executeTakeFirst();
        if (!row) return null;
        if (row.failing_since !== null) return Number(row.failing_since);
        const since = Math.max(delivery.createdAt, Number(row.succeeded_at ?? 0));
        await endpoint.set({ failing_since: since }).execute();
        return since;
      });
    },

    async disable(endpointId, reason, now) {
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('webhook_endpoints')
          .set({ disabled_at: now, disabled_reason: reason, updated_at: now })
          .where('id', '=', endpointId)
          .where('disabled_at', 'is', null)
          .execute();
        await tx.deleteFrom('webhook_subscriptions').where('endpoint_id', '=', endpointId).execute();
        await tx
          .updateTable('webhook_deliveries')
          .set({ status: 'failed', next_attempt_at: null, locked_until: null, error: 'The endpoint was disabled.' })
          .where('endpoint_id', '=', endpointId)
          .where('next_attempt_at', 'is not', null)
          .execute();
      });
    },

    async message(id) {
      const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toMessage(row);
    },
  };
}
