import type { DatabaseSync } from 'node:sqlite';
import { newId } from '../domain/ids.ts';
import type { AttemptOutcome, BuiltEvent, ClaimedDelivery, FailingEndpoint, OutboxRow } from './webhook-delivery-store.ts';

/** An active endpoint subscribed to some event of a shop, as the fan-out reads it (before its transaction). */
export interface Subscriber {
  readonly endpointId: string;
  readonly shopId: string;
  readonly event: string;
  readonly includeInternal: boolean;
  readonly url: string;
  readonly secret: string;
}

/**
 * The delivery job's writes on SQLite, for the webhook thread: the same outcome as the query-built
 * ones of webhook-delivery-store.ts (kept for PostgreSQL), run synchronously through statements
 * prepared once, so that the thread holds the file's write lock (storage/writer-lock.ts) for
 * microseconds per delivery and the main thread hardly ever waits for it. Reads are made before,
 * without the lock: a row still in the outbox, or an endpoint still active, is checked again by
 * the write itself.
 */
export function sqliteWebhookWrites(db: DatabaseSync) {
  const s = {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    take: db.prepare('DELETE FROM outbox WHERE id = ?'),
    insert: db.prepare(`INSERT INTO webhook_deliveries
      (id, endpoint_id, shop_id, event_id, event, payload, status, attempts, next_attempt_at, retry_until, locked_until, created_at)
      SELECT ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = ? AND disabled_at IS NULL)`),
    release: db.prepare('UPDATE webhook_deliveries SET locked_until = NULL WHERE id = ? AND locked_until = ?'),
    delivered: db.prepare(`UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = ?, response_status = ?, error = NULL,
      next_attempt_at = NULL, status = 'delivered', locked_until = NULL, delivered_at = ? WHERE id = ? AND locked_until = ?`),
    failed: db.prepare(`UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = ?, response_status = ?, error = ?,
      next_attempt_at = ?, status = ?, locked_until = NULL WHERE id = ? AND locked_until = ?`),
    succeeded: db.prepare('UPDATE webhook_endpoints SET failing_since = NULL, succeeded_at = ? WHERE id = ?'),
    failingOf: db.prepare('SELECT failing_since, succeeded_at FROM webhook_endpoints WHERE id = ?'),
    failingSince: db.prepare('UPDATE webhook_endpoints SET failing_since = ? WHERE id = ?'),
  };

  function inTransaction<T>(fn: () => T): T {
    s.begin.run();
    try {
      const result = fn();
      s.commit.run();
      return result;
    } catch (error) {
      if (db.isTransaction) s.rollback.run();
      throw error;
    }
  }

  return {
    fanOut(rows: readonly OutboxRow[], events: ReadonlyMap<string, BuiltEvent>, subscribers: readonly Subscriber[], now: number, retryUntil: number, lease: number) {
      return inTransaction(() => {
        let taken = 0;
        const claimed: ClaimedDelivery[] = [];
        for (const row of rows) {
          const built = events.get(row.id);
          // Gone: already fanned out (by a thread before this one).
          if (!built || Number(s.take.run(row.id).changes) === 0) continue;
          taken += 1;
          for (const e of subscribers) {
            if (e.shopId !== row.shopId || e.event !== row.type || (built.internal && !e.includeInternal)) continue;
            const id = newId();
            const inserted = s.insert.run(id, e.endpointId, row.shopId, row.id, row.type, built.body, now, retryUntil, lease, now, e.endpointId);
            if (Number(inserted.changes) === 0) continue; // disabled since it was read
            claimed.push({ id, event: row.type, payload: built.body, attempts: 0, retryUntil, createdAt: now, lease, endpoint: { id: e.endpointId, url: e.url, sealedSecret: e.secret } });
          }
        }
        return { taken, claimed };
      });
    },

    record(outcomes: ReadonlyArray<{ delivery: ClaimedDelivery; outcome: AttemptOutcome }>, now: number): FailingEndpoint[] {
      return inTransaction(() => {
        const answered = new Set<string>();
        const failedAt = new Map<string, { createdAt: number; error: string | null }>();
        for (const { delivery, outcome } of outcomes) {
          if (!outcome.attempted) {
            s.release.run(delivery.id, delivery.lease);
          } else if (outcome.ok) {
            s.delivered.run(now, outcome.status, now, delivery.id, delivery.lease);
            answered.add(delivery.endpoint.id);
          } else {
            const status = outcome.nextAttemptAt === null ? 'failed' : 'pending';
            const recorded = s.failed.run(now, outcome.status, outcome.error, outcome.nextAttemptAt, status, delivery.id, delivery.lease);
            if (Number(recorded.changes) === 0) continue;
            const seen = failedAt.get(delivery.endpoint.id);
            if (!seen || delivery.createdAt < seen.createdAt) failedAt.set(delivery.endpoint.id, { createdAt: delivery.createdAt, error: outcome.error });
          }
        }
        for (const id of answered) {
          s.succeeded.run(now, id);
          failedAt.delete(id);
        }
        const failing: FailingEndpoint[] = [];
        for (const [endpointId, { createdAt, error }] of failedAt) {
          const row = s.failingOf.get(endpointId) as { failing_since: number | null; succeeded_at: number | null } | undefined;
          if (!row) continue;
          if (row.failing_since !== null) {
            failing.push({ endpointId, since: Number(row.failing_since), lastError: error });
            continue;
          }
          const since = Math.max(createdAt, Number(row.succeeded_at ?? 0));
          s.failingSince.run(since, endpointId);
          failing.push({ endpointId, since, lastError: error });
        }
        return failing;
      });
    },
  };
}
