/**
 * The baseline: what seed 000 did. A list is computed from the messages table (GROUP BY the
 * conversation, newest last message first, then the last message itself for the preview) and paged
 * with OFFSET; history is paged from the start with OFFSET. It may use every index the schema has,
 * and it leaves out the unread counts our lists also carry, so it is a lower bound of the naive cost.
 * Plain SQL that runs unchanged on SQLite and PostgreSQL.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../packages/server/src/storage/schema.ts';

export type AnyRow = Record<string, unknown>;

export function naiveList(db: Kysely<Database>, scope: RawBuilder<unknown>, viewerId: string, limit: number, offset: number) {
  return sql<AnyRow>`
    WITH agg AS (
      SELECT conversation_id, MAX(seq) AS last_seq, MAX(created_at) AS last_at
      FROM messages
      WHERE visibility = 'public' AND conversation_id IN (${scope})
      GROUP BY conversation_id
      ORDER BY last_at DESC, conversation_id DESC
      LIMIT ${limit} OFFSET ${offset}
    )
    SELECT c.id, c.shop_id, s.name AS shop_name, c.status, c.assignee_id, cu.name AS customer_name,
           lm.seq AS last_message_seq, lm.text AS last_message_text, lm.sender_kind AS last_message_sender_kind,
           agg.last_at, m.read_seq
    FROM agg
    JOIN messages lm ON lm.conversation_id = agg.conversation_id AND lm.seq = agg.last_seq
    JOIN conversations c ON c.id = agg.conversation_id
    JOIN shops s ON s.id = c.shop_id
    LEFT JOIN customers cu ON cu.id = c.customer_id
    LEFT JOIN members m ON m.conversation_id = c.id AND m.user_id = ${viewerId}
    ORDER BY agg.last_at DESC, agg.conversation_id DESC`.execute(db);
}

/** The conversations a user is a member of (the customer's list, an agent's own list). */
export const memberScope = (userId: string) => sql`SELECT conversation_id FROM members WHERE user_id = ${userId}`;
/** A shop's service conversations, optionally of one status. */
export const shopScope = (shopId: string, status?: string) =>
  status === undefined
    ? sql`SELECT id FROM conversations WHERE shop_id = ${shopId} AND kind = 'service'`
    : sql`SELECT id FROM conversations WHERE shop_id = ${shopId} AND kind = 'service' AND status = ${status}`;

export function naiveHistoryPage(db: Kysely<Database>, conversationId: string, limit: number, offset: number) {
  return sql<AnyRow>`
    SELECT * FROM messages
    WHERE conversation_id = ${conversationId} AND visibility = 'public'
    ORDER BY seq LIMIT ${limit} OFFSET ${offset}`.execute(db);
}

/** Without a cursor the naive client counts first, then asks for the last page by OFFSET. */
export async function naiveLatestHistory(db: Kysely<Database>, conversationId: string, limit: number) {
  const count = await sql<{ n: number }>`
    SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ${conversationId} AND visibility = 'public'`.execute(db);
  return naiveHistoryPage(db, conversationId, limit, Math.max(0, Number(count.rows[0]?.n ?? 0) - limit));
}
