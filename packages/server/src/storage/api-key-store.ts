import type { Kysely, Selectable } from 'kysely';
import type { ApiKeyRecord, ApiKeyStore } from '../domain/api-keys.ts';
import type { Engine } from './connect.ts';
import type { ApiKeyTable, Database } from './schema.ts';

/** A shop's API keys: rows keyed by the key's SHA-256, never the key. */
export function apiKeyStore(db: Kysely<Database>, engine: Engine): ApiKeyStore {
  return {
    async create(key, max) {
      return db.transaction().execute(async (tx) => {
        // Counted under the shop's row lock so two creations at once cannot both pass the limit.
        if (engine === 'postgres') await tx.selectFrom('shops').select('id').where('id', '=', key.shopId).forUpdate().execute();
        const { n } = await tx.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('shop_id', '=', key.shopId).executeTakeFirstOrThrow();
        if (Number(n) >= max) return false;
        await tx
          .insertInto('api_keys')
          .values({ id: key.id, shop_id: key.shopId, name: key.name, prefix: key.prefix, key_hash: key.keyHash, created_by: key.createdBy, created_at: key.createdAt })
          .execute();
        return true;
      });
    },
    async list(shopId) {
      const rows = await db.selectFrom('api_keys').selectAll().where('shop_id', '=', shopId).orderBy('id').execute();
      return rows.map(toRecord);
    },
    async delete(shopId, id) {
      const result = await db.deleteFrom('api_keys').where('shop_id', '=', shopId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async findByHash(keyHash) {
      const row = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
      return row && toRecord(row);
    },
  };
}

function toRecord(row: Selectable<ApiKeyTable>): ApiKeyRecord {
  return {
    id: row.id,
    shopId: row.shop_id,
    name: row.name,
    prefix: row.prefix,
    keyHash: row.key_hash,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  };
}
