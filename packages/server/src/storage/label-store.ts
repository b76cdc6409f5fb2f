import type { Kysely } from 'kysely';
import { AppError } from '../domain/errors.ts';
import type { LabelRecord, LabelStore } from '../domain/contacts/ports.ts';
import { isUniqueViolation } from './connect.ts';
import type { Database } from './schema.ts';

/** Two labels of one shop with one name lose to the unique key, on every node. */
async function uniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('LABEL_NAME_TAKEN');
    throw error;
  }
}

const toLabel = (row: { id: string; shop_id: string; name: string; color: string; created_at: number }): LabelRecord => ({
  id: row.id,
  shopId: row.shop_id,
  name: row.name,
  color: row.color,
  createdAt: Number(row.created_at),
});

export function labelStore(db: Kysely<Database>): LabelStore {
  /** The (conversation, label) pairs among these that exist, on the shop's service conversations. */
  async function pairs(shopId: string, conversationIds: readonly string[], labelIds: readonly string[]) {
    const conversations = await db
      .selectFrom('conversations')
      .select('id')
      .where('shop_id', '=', shopId)
      .where('kind', '=', 'service')
      .where('id', 'in', conversationIds)
      .execute();
    const ids = conversations.map((c) => c.id);
    const labelled =
      ids.length === 0
        ? []
        : await db.selectFrom('conversation_labels').select(['conversation_id', 'label_id']).where('conversation_id', 'in', ids).where('label_id', 'in', labelIds).execute();
    return { ids, labelled: new Set(labelled.map((p) => `${p.conversation_id} ${p.label_id}`)) };
  }

  return {
    async list(shopId) {
      return (await db.selectFrom('labels').selectAll().where('shop_id', '=', shopId).orderBy('name').execute()).map(toLabel);
    },
    async findMany(shopId, ids) {
      if (ids.length === 0) return [];
      return (await db.selectFrom('labels').selectAll().where('shop_id', '=', shopId).where('id', 'in', ids).execute()).map(toLabel);
    },
    async create(label) {
      await uniqueName(() =>
        db
          .insertInto('labels')
          .values({ id: label.id, shop_id: label.shopId, name: label.name, color: label.color, created_at: label.createdAt, updated_at: label.createdAt })
          .execute(),
      );
    },
    async update(shopId, id, patch, now) {
      const result = await uniqueName(() =>
        db
          .updateTable('labels')
          .set({ ...(patch.name !== undefined && { name: patch.name }), ...(patch.color !== undefined && { color: patch.color }), updated_at: now })
          .where('shop_id', '=', shopId)
          .where('id', '=', id)
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
    },
    async delete(shopId, id) {
      return db.transaction().execute(async (tx) => {
        await tx.deleteFrom('contact_labels').where('shop_id', '=', shopId).where('label_id', '=', id).execute();
        await tx.deleteFrom('conversation_labels').where('shop_id', '=', shopId).where('label_id', '=', id).execute();
        const result = await tx.deleteFrom('labels').where('shop_id', '=', shopId).where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },
    async labelConversations(shopId, conversationIds, labelIds, now) {
      if (conversationIds.length === 0 || labelIds.length === 0) return [];
      const { ids, labelled } = await pairs(shopId, conversationIds, labelIds);
      const missing = ids.flatMap((conversation_id) => labelIds.filter((l) => !labelled.has(`${conversation_id} ${l}`)).map((label_id) => ({ shop_id: shopId, label_id, conversation_id, created_at: now })));
      if (missing.length === 0) return [];
      await db.insertInto('conversation_labels').values(missing).onConflict((oc) => oc.columns(['conversation_id', 'label_id']).doNothing()).execute();
      return [...new Set(missing.map((m) => m.conversation_id))];
    },
    async unlabelConversations(shopId, conversationIds, labelIds) {
      if (conversationIds.length === 0 || labelIds.length === 0) return [];
      const { ids, labelled } = await pairs(shopId, conversationIds, labelIds);
      const changed = ids.filter((id) => labelIds.some((l) => labelled.has(`${id} ${l}`)));
      if (changed.length === 0) return [];
      await db.deleteFrom('conversation_labels').where('shop_id', '=', shopId).where('conversation_id', 'in', changed).where('label_id', 'in', labelIds).execute();
      return changed;
    },
  };
}
