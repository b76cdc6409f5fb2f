import type { Kysely } from 'kysely';
import type { ConversationRecord } from '../domain/records.ts';
import type { Database } from './schema.ts';

/**
 * The labels of a page of conversations, in one query for the page (never one per row): the
 * primary key (conversation_id, label_id) answers it. Staff chats carry none and are not asked for.
 */
export async function labelIdsOf(db: Kysely<Database>, conversationIds: readonly string[]): Promise<Map<string, string[]>> {
  const byConversation = new Map<string, string[]>();
  if (conversationIds.length === 0) return byConversation;
  const rows = await db
    .selectFrom('conversation_labels')
    .select(['conversation_id', 'label_id'])
    .where('conversation_id', 'in', conversationIds)
    .orderBy('conversation_id')
    .orderBy('label_id')
    .execute();
  for (const row of rows) {
    const list = byConversation.get(row.conversation_id);
    if (list) list.push(row.label_id);
    else byConversation.set(row.conversation_id, [row.label_id]);
  }
  return byConversation;
}

/** The records with their labels filled in. */
export async function withLabels<T extends ConversationRecord>(db: Kysely<Database>, records: readonly T[]): Promise<T[]> {
  const service = records.filter((r) => r.kind === 'service').map((r) => r.id);
  const labels = await labelIdsOf(db, service);
  return records.map((r) => (labels.has(r.id) ? { ...r, labelIds: labels.get(r.id)! } : r));
}
