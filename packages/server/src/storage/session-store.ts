import type { Kysely } from 'kysely';
import type { UserKind } from '@frontdesk/protocol';
import type { SessionStore } from '../domain/ports.ts';
import type { Database } from './schema.ts';

export function sessionStore(db: Kysely<Database>): SessionStore {
  return {
    async create(session, now) {
      await db
        .insertInto('sessions')
        .values({
          token_hash: session.tokenHash,
          user_kind: session.userKind,
          user_id: session.userId,
          shop_id: session.shopId,
          created_at: now,
          expires_at: session.expiresAt,
        })
        .execute();
    },
    async find(tokenHash, now) {
      const row = await db
        .selectFrom('sessions')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return (
        row && {
          tokenHash: row.token_hash,
          userKind: row.user_kind as UserKind,
          userId: row.user_id,
          shopId: row.shop_id,
          expiresAt: row.expires_at,
        }
      );
    },
    async delete(tokenHash) {
      await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    },
    async deleteForUser(userId) {
      await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },
    async deleteExpired(now) {
      const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
