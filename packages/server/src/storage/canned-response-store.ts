import type { Kysely } from 'kysely';
import { AppError } from '../domain/errors.ts';
import type { CannedResponseStore } from '../domain/ports.ts';
import { isUniqueViolation } from './connect.ts';
import { containsIgnoringCase } from './contains.ts';
import { toCannedResponse } from './rows.ts';
import type { Database } from './schema.ts';

/** Two responses of one shop with one shortcut lose to the unique index, on every node. */
async function uniqueShortcut<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('SHORTCUT_TAKEN');
    throw error;
  }
}

export function cannedResponseStore(db: Kysely<Database>): CannedResponseStore {
  return {
    async create(response) {
      await uniqueShortcut(() =>
        db
          .insertInto('canned_responses')
          .values({
            id: response.id,
            shop_id: response.shopId,
            shortcut: response.shortcut,
            title: response.title,
            text: response.text,
            created_by: response.createdBy,
            created_at: response.createdAt,
            updated_at: response.updatedAt,
          })
          .execute(),
      );
    },

    async find(shopId, id) {
      const row = await db.selectFrom('canned_responses').selectAll().where('shop_id', '=', shopId).where('id', '=', id).executeTakeFirst();
      return row && toCannedResponse(row);
    },

    async list(shopId, match, limit) {
      let q = db.selectFrom('canned_responses').selectAll().where('shop_id', '=', shopId);
      if (match !== undefined) q = q.where((eb) => eb.or([containsIgnoringCase('shortcut', match), containsIgnoringCase('title', match)]));
      const rows = await q.orderBy('shortcut').limit(limit).execute();
      return rows.map(toCannedResponse);
    },

    async update(shopId, id, patch, now) {
      const result = await uniqueShortcut(() =>
        db
          .updateTable('canned_responses')
          .set({
            ...(patch.shortcut !== undefined && { shortcut: patch.shortcut }),
            ...(patch.title !== undefined && { title: patch.title }),
            ...(patch.text !== undefined && { text: patch.text }),
            updated_at: now,
          })
          .where('shop_id', '=', shopId)
          .where('id', '=', id)
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
    },

    async delete(shopId, id) {
      const result = await db.deleteFrom('canned_responses').where('shop_id', '=', shopId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
