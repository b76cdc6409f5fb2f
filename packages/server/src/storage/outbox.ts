import { sql, type Transaction } from 'kysely';
import type { DurableFact } from '../domain/events.ts';
import type { InquiryMove } from '../domain/inquiry-states.ts';
import { newId } from '../domain/ids.ts';
import type { Database } from './schema.ts';

/** A fact to record for the subscribers that must not lose it (migrations/0006-outbox.ts). */
export type OutboxEntry = DurableFact;

const CHUNK = 100;

/**
 * Records the entries some active endpoint of their shop subscribed to, inside the caller's
 * transaction; the others cost an index probe and write nothing. One statement per 100 entries
 * (a round trip each on PostgreSQL).
 */
export async function recordOutbox(tx: Transaction<Database>, entries: readonly OutboxEntry[]): Promise<void> {
  for (let start = 0; start < entries.length; start += CHUNK) {
    const rows = entries.slice(start, start + CHUNK).map(
      (e) => sql`(${newId()}, ${e.shopId}, ${e.type}, ${e.subjectId}, ${e.data === undefined ? null : JSON.stringify(e.data)}, ${String(e.createdAt)})`,
    );
    // Values arrive as text; the casts give PostgreSQL the column types (and SQLite keeps them as given).
    await sql`
      WITH v(id, shop_id, type, subject_id, data, created_at) AS (VALUES ${sql.join(rows)})
      INSERT INTO outbox (id, shop_id, type, subject_id, data, created_at)
      SELECT v.id, v.shop_id, v.type, v.subject_id, v.data, CAST(v.created_at AS bigint) FROM v
      WHERE EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.shop_id = v.shop_id AND s.event = v.type)`.execute(tx);
  }
}

/** The same on SQLite's send path, one prepared statement per entry (sqlite-append.ts). */
export const SQLITE_RECORD_OUTBOX = `INSERT INTO outbox (id, shop_id, type, subject_id, data, created_at)
  SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM webhook_subscriptions WHERE shop_id = ? AND event = ?)`;

/** What an inquiry event records beside its conversation: the move, which the rows no longer tell once it moves again. */
export function inquiryData(inquiryId: string, move: Pick<InquiryMove, 'from' | 'to'> | null): Record<string, unknown> {
  return {
    inquiryId,
    status: move?.to.status ?? 'queued',
    assigneeId: move?.to.assigneeId ?? null,
    previousAssigneeId: move?.from.assigneeId ?? null,
  };
}
