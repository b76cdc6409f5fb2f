import type { Kysely } from 'kysely';
import { newId } from '../domain/ids.ts';
import type { ConversationRecord, CustomerProfile, MessageRecord, StaffRecord } from '../domain/records.ts';
import type { Engine } from './connect.ts';
import { selectConversations } from './conversation-store.ts';
import { withLabels } from './conversation-labels.ts';
import type { SqliteDirect } from './sqlite-dialect.ts';
import { sqliteWebhookWrites, type Subscriber } from './sqlite-webhook-writes.ts';
import { toConversation, toCustomer, toMessage, toStaff, type ConversationRow } from './rows.ts';
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
  /** False: handed back untried; the lease is given up and nothing else recorded. */
  readonly attempted: boolean;
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
  /** When to try again; null = delivered (ok) or given up. */
  readonly nextAttemptAt: number | null;
}

/** An endpoint whose attempts all failed in a batch of results, and since when it has been failing. */
export interface FailingEndpoint {
  readonly endpointId: string;
  readonly since: number;
  readonly lastError: string | null;
}

/** The delivery job's statements (integrations/webhooks/delivery-job.ts decides; this runs them), a few per batch. */
export interface DeliveryStore {
  /** Whether anything waits to be delivered: an outbox row, or a delivery due and not leased. */
  hasWork(now: number): Promise<boolean>;
  /** The oldest outbox rows, read without a lock (the subjects are loaded outside the transaction). */
  peekOutbox(limit: number): Promise<OutboxRow[]>;
  /**
   * In one transaction: takes those of the rows still there (PostgreSQL: FOR UPDATE SKIP LOCKED, so
   * one node gets each), creates a delivery per active subscribed endpoint, leased to the caller
   * until `lease`, and deletes the rows. `taken` = how many rows it took.
   */
  fanOut(rows: readonly OutboxRow[], events: ReadonlyMap<string, BuiltEvent>, now: number, retryUntil: number, lease: number): Promise<{ taken: number; claimed: ClaimedDelivery[] }>;
  /** Takes up to `limit` due deliveries of active endpoints, each leased to this caller until `lease`. */
  claimDue(now: number, limit: number, lease: number): Promise<ClaimedDelivery[]>;
  /**
   * Records a batch of attempts, in one transaction, each unless its lease was lost meanwhile, and
   * what they tell of their endpoints: one that answered is not failing; for one whose every
   * attempt failed, returns since when it has been failing: from the creation of the oldest event
   * of the current run of failures, but not before the last success. So a delivery that fails to
   * the end of its window on an endpoint that took nothing meanwhile finds it failing for the
   * whole window. Locks the deliveries, then their endpoints in id order: whatever else changes
   * both (delete, disable) takes them in that order too, or two transactions deadlock.
   */
  record(outcomes: ReadonlyArray<{ delivery: ClaimedDelivery; outcome: AttemptOutcome }>, now: number): Promise<FailingEndpoint[]>;
  /** Disables the endpoint: its subscriptions go, its pending deliveries are given up. */
  disable(endpointId: string, reason: string, now: number): Promise<void>;
  /** The subjects of a batch of events, for their payloads. */
  messages(ids: readonly string[]): Promise<MessageRecord[]>;
  conversations(ids: readonly string[]): Promise<ConversationRecord[]>;
  staff(ids: readonly string[]): Promise<StaffRecord[]>;
  customers(ids: readonly string[]): Promise<CustomerProfile[]>;
}

/** Rows per multi-row statement: under every engine's limit on bound parameters. */
const CHUNK = 200;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** `sqlite`: the connection without the query builder, for the writes (sqlite-webhook-writes.ts); null on PostgreSQL. */
export function webhookDeliveryStore(db: Kysely<Database>, engine: Engine, sqlite: SqliteDirect | null = null): DeliveryStore {
  let writes: ReturnType<typeof sqliteWebhookWrites> | null = null;
  const direct = sqlite && (<T>(fn: (w: ReturnType<typeof sqliteWebhookWrites>) => T) => sqlite.exclusive((raw) => fn((writes ??= sqliteWebhookWrites(raw)))));
  const byIds = async <T>(ids: readonly string[], load: (ids: string[]) => Promise<T[]>): Promise<T[]> =>
    (await Promise.all(chunks([...new Set(ids)]).map(load))).flat();

  return {
    async hasWork(now) {
      if (await db.selectFrom('outbox').select('id').limit(1).executeTakeFirst()) return true;
      const due = await db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .limit(1)
        .executeTakeFirst();
      return due !== undefined;
    },

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

    async fanOut(outbox, events, now, retryUntil, lease) {
      if (events.size === 0) return { taken: 0, claimed: [] };
      if (direct) {
        const subscribers: Subscriber[] = (
          await db
            .selectFrom('webhook_subscriptions as s')
            .innerJoin('webhook_endpoints as e', 'e.id', 's.endpoint_id')
            .select(['s.endpoint_id', 's.shop_id', 's.event', 'e.include_internal', 'e.url', 'e.secret'])
            .where('s.shop_id', 'in', [...new Set(outbox.map((r) => r.shopId))])
            .where('e.disabled_at', 'is', null)
            .execute()
        ).map((e) => ({ endpointId: e.endpoint_id, shopId: e.shop_id, event: e.event, includeInternal: Number(e.include_internal) === 1, url: e.url, secret: e.secret }));
        return direct((w) => w.fanOut(outbox, events, subscribers, now, retryUntil, lease));
      }
      return db.transaction().execute(async (tx) => {
        let taking = tx.selectFrom('outbox').select(['id', 'shop_id', 'type']).where('id', 'in', [...events.keys()]).orderBy('id');
        if (engine === 'postgres') taking = taking.forUpdate().skipLocked();
        const taken = await taking.execute();
        if (taken.length === 0) return { taken: 0, claimed: [] };
        const endpoints = await tx
          .selectFrom('webhook_subscriptions as s')
          .innerJoin('webhook_endpoints as e', 'e.id', 's.endpoint_id')
          .select(['s.endpoint_id', 's.shop_id', 's.event', 'e.include_internal', 'e.url', 'e.secret'])
          .where('s.shop_id', 'in', [...new Set(taken.map((r) => r.shop_id))])
          .where('e.disabled_at', 'is', null)
          .execute();
        const claimed: ClaimedDelivery[] = [];
        const rows = taken.flatMap((row) => {
          const built = events.get(row.id)!;
          return endpoints
            .filter((e) => e.shop_id === row.shop_id && e.event === row.type && (!built.internal || Number(e.include_internal) === 1))
            .map((e) => {
              const id = newId();
              claimed.push({ id, event: row.type, payload: built.body, attempts: 0, retryUntil, createdAt: now, lease, endpoint: { id: e.endpoint_id, url: e.url, sealedSecret: e.secret } });
              return {
                id,
                endpoint_id: e.endpoint_id,
                shop_id: row.shop_id,
                event_id: row.id,
                event: row.type,
                payload: built.body,
                status: 'pending',
                attempts: 0,
                next_attempt_at: now,
                retry_until: retryUntil,
                locked_until: lease,
                created_at: now,
              };
            });
        });
        // The unique (endpoint, event) index makes a second fan-out of one row impossible; the
        // rows are taken under lock, so none is skipped here and every claimed delivery exists.
        for (const chunk of chunks(rows)) await tx.insertInto('webhook_deliveries').values(chunk).execute();
        for (const chunk of chunks(taken.map((r) => r.id))) await tx.deleteFrom('outbox').where('id', 'in', chunk).execute();
        return { taken: taken.length, claimed };
      });
    },

    async claimDue(now, limit, lease) {
      return db.transaction().execute(async (tx) => {
        let due = tx
          .selectFrom('webhook_deliveries as d')
          .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
          .select(['d.id', 'd.event', 'd.payload', 'd.attempts', 'd.retry_until', 'd.created_at', 'e.id as endpoint_id', 'e.url', 'e.secret'])
          .where('d.next_attempt_at', '<=', now)
          .where((eb) => eb.or([eb('d.locked_until', 'is', null), eb('d.locked_until', '<', now)]))
          .where('e.disabled_at', 'is', null)
          .orderBy('d.next_attempt_at')
          .limit(limit);
        // Another node's claim in progress is skipped, not waited for.
        if (engine === 'postgres') due = due.forUpdate('d').skipLocked();
        const rows = await due.execute();
        if (rows.length === 0) return [];
        // Another node may have taken some since the read (SQLite has no row locks): the conditional update decides.
        const taken = await tx
          .updateTable('webhook_deliveries')
          .set({ locked_until: lease })
          .where('id', 'in', rows.map((r) => r.id))
          .where('next_attempt_at', '<=', now)
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
          .returning('id')
          .execute();
        const ids = new Set(taken.map((r) => r.id));
        return rows
          .filter((row) => ids.has(row.id))
          .map((row) => ({
            id: row.id,
            event: row.event,
            payload: row.payload,
            attempts: Number(row.attempts),
            retryUntil: Number(row.retry_until),
            createdAt: Number(row.created_at),
            lease,
            endpoint: { id: row.endpoint_id, url: row.url, sealedSecret: row.secret },
          }));
      });
    },

    async record(outcomes, now) {
      if (outcomes.length === 0) return [];
      if (direct) return direct((w) => w.record(outcomes, now));
      return db.transaction().execute(async (tx) => {
        // Untried: the lease is given back, so the next run takes it without waiting for it to lapse.
        const untried = outcomes.filter((o) => !o.outcome.attempted);
        for (const [lease, group] of Map.groupBy(untried, (o) => o.delivery.lease)) {
          for (const chunk of chunks(group.map((o) => o.delivery.id))) {
            await tx.updateTable('webhook_deliveries').set({ locked_until: null }).where('id', 'in', chunk).where('locked_until', '=', lease).execute();
          }
        }
        // Delivered: one statement per lease and status, whatever their number.
        const delivered = outcomes.filter((o) => o.outcome.attempted && o.outcome.ok);
        for (const [key, group] of Map.groupBy(delivered, (o) => `${o.delivery.lease}:${o.outcome.status}`)) {
          const [lease, status] = key.split(':').map(Number) as [number, number];
          for (const chunk of chunks(group.map((o) => o.delivery.id))) {
            await tx
              .updateTable('webhook_deliveries')
              .set((eb) => ({
                attempts: eb('attempts', '+', 1),
                last_attempt_at: now,
                response_status: status,
                error: null,
                next_attempt_at: null,
                status: 'delivered',
                locked_until: null,
                delivered_at: now,
              }))
              .where('id', 'in', chunk)
              .where('locked_until', '=', lease)
              .execute();
          }
        }
        // Failed: each its own error and next attempt.
        const failedAt = new Map<string, { createdAt: number; error: string | null }>();
        for (const { delivery, outcome } of outcomes) {
          if (!outcome.attempted || outcome.ok) continue;
          const recorded = await tx
            .updateTable('webhook_deliveries')
            .set((eb) => ({
              attempts: eb('attempts', '+', 1),
              last_attempt_at: now,
              response_status: outcome.status,
              error: outcome.error,
              next_attempt_at: outcome.nextAttemptAt,
              status: outcome.nextAttemptAt === null ? 'failed' : 'pending',
              locked_until: null,
            }))
            .where('id', '=', delivery.id)
            .where('locked_until', '=', delivery.lease)
            .executeTakeFirst();
          if (Number(recorded.numUpdatedRows) === 0) continue;
          const seen = failedAt.get(delivery.endpoint.id);
          if (!seen || delivery.createdAt < seen.createdAt) failedAt.set(delivery.endpoint.id, { createdAt: delivery.createdAt, error: outcome.error });
        }
        // An endpoint that answered once in the batch is not failing, whatever else failed.
        const answered = [...new Set(delivered.map((o) => o.delivery.endpoint.id))];
        for (const id of answered) failedAt.delete(id);
        // The endpoints written below, locked at once in id order (another node's batch may share them).
        const touched = [...answered, ...failedAt.keys()].sort();
        if (engine === 'postgres' && touched.length > 1) {
          await tx.selectFrom('webhook_endpoints').select('id').where('id', 'in', touched).orderBy('id').forNoKeyUpdate().execute();
        }
        if (answered.length > 0) {
          await tx.updateTable('webhook_endpoints').set({ failing_since: null, succeeded_at: now }).where('id', 'in', answered).execute();
        }
        const failing: FailingEndpoint[] = [];
        for (const [endpointId, { createdAt, error }] of failedAt) {
          const row = await tx.selectFrom('webhook_endpoints').select(['failing_since', 'succeeded_at']).where('id', '=', endpointId).executeTakeFirst();
          if (!row) continue;
          if (row.failing_since !== null) {
            failing.push({ endpointId, since: Number(row.failing_since), lastError: error });
            continue;
          }
          const since = Math.max(createdAt, Number(row.succeeded_at ?? 0));
          await tx.updateTable('webhook_endpoints').set({ failing_since: since }).where('id', '=', endpointId).execute();
          failing.push({ endpointId, since, lastError: error });
        }
        return failing;
      });
    },

    async disable(endpointId, reason, now) {
      await db.transaction().execute(async (tx) => {
        // Deliveries, then the endpoint: the order `record` locks them in (the other deadlocks with it).
        await tx
          .updateTable('webhook_deliveries')
          .set({ status: 'failed', next_attempt_at: null, locked_until: null, error: 'The endpoint was disabled.' })
          .where('endpoint_id', '=', endpointId)
          .where('next_attempt_at', 'is not', null)
          .execute();
        await tx.deleteFrom('webhook_subscriptions').where('endpoint_id', '=', endpointId).execute();
        await tx
          .updateTable('webhook_endpoints')
          .set({ disabled_at: now, disabled_reason: reason, updated_at: now })
          .where('id', '=', endpointId)
          .where('disabled_at', 'is', null)
          .execute();
      });
    },

    messages: (ids) => byIds(ids, async (chunk) => (await db.selectFrom('messages').selectAll().where('id', 'in', chunk).execute()).map(toMessage)),
    conversations: (ids) =>
      byIds(ids, async (chunk) => withLabels(db, (await selectConversations(db).where('c.id', 'in', chunk).execute()).map((row) => toConversation(row as ConversationRow)))),
    staff: (ids) => byIds(ids, async (chunk) => (await db.selectFrom('staff').selectAll().where('id', 'in', chunk).execute()).map(toStaff)),
    customers: (ids) =>
      byIds(ids, async (chunk) =>
        (await db.selectFrom('customers').selectAll().where('id', 'in', chunk).execute()).map((row) => ({
          customer: toCustomer(row),
          attributes: row.attributes === null ? {} : (JSON.parse(row.attributes) as CustomerProfile['attributes']),
        })),
      ),
  };
}
