import { sql, type Kysely, type Selectable } from 'kysely';
import type { CursorState, StoredWechatAccount, WechatStore } from '../channels/wechat/ports.ts';
import { AppError } from '../domain/errors.ts';
import { isUniqueViolation } from './connect.ts';
import { toMessage } from './rows.ts';
import type { ChannelCursorTable, Database, WechatAccountTable } from './schema.ts';

const toAccount = (row: Selectable<WechatAccountTable>): StoredWechatAccount => ({
  shopId: row.shop_id,
  appId: row.app_id,
  originalId: row.original_id,
  callbackKey: row.callback_key,
  appSecret: row.app_secret,
  callbackToken: row.callback_token,
  encodingAesKey: row.encoding_aes_key,
  createdAt: Number(row.created_at),
});

const toCursor = (row: Selectable<ChannelCursorTable>): CursorState => ({
  conversationId: row.conversation_id,
  shopId: row.shop_id,
  deliveredSeq: row.delivered_seq,
  customerWroteAt: row.customer_wrote_at === null ? null : Number(row.customer_wrote_at),
  sentSince: row.sent_since,
  unfollowedAt: row.unfollowed_at === null ? null : Number(row.unfollowed_at),
});

const changed = (result: { numUpdatedRows: bigint } | { numInsertedOrUpdatedRows?: bigint | undefined }) =>
  Number('numUpdatedRows' in result ? result.numUpdatedRows : (result.numInsertedOrUpdatedRows ?? 0n)) > 0;

/** Staff messages a channel hands to the customer: public, written by staff, not deleted. */
const deliverable = (db: Kysely<Database>, conversationId: string) =>
  db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('sender_kind', '=', 'staff')
    .where('visibility', '=', 'public')
    .where('kind', '=', 'user')
    .where('deleted_at', 'is', null);

export function wechatStore(db: Kysely<Database>): WechatStore {
  return {
    async saveAccount(a, now) {
      const values = {
        app_id: a.appId,
        original_id: a.originalId,
        callback_key: a.callbackKey,
        app_secret: a.appSecret,
        callback_token: a.callbackToken,
        encoding_aes_key: a.encodingAesKey,
        access_token: null,
        access_token_expires_at: null,
        refresh_until: null,
        updated_at: now,
      };
      try {
        await db
          .insertInto('wechat_accounts')
          .values({ shop_id: a.shopId, created_at: now, ...values })
          .onConflict((oc) => oc.column('shop_id').doUpdateSet(values))
          .execute();
      } catch (error) {
        // app_id is unique: one official account serves one shop.
        if (isUniqueViolation(error)) throw new AppError('WECHAT_APP_TAKEN');
        throw error;
      }
    },
    async removeAccount(shopId) {
      return changed(await db.deleteFrom('wechat_accounts').where('shop_id', '=', shopId).executeTakeFirst().then((r) => ({ numUpdatedRows: r.numDeletedRows })));
    },
    async accountOfShop(shopId) {
      const row = await db.selectFrom('wechat_accounts').selectAll().where('shop_id', '=', shopId).executeTakeFirst();
      return row && toAccount(row);
    },
    async accountByCallbackKey(callbackKey) {
      const row = await db.selectFrom('wechat_accounts').selectAll().where('callback_key', '=', callbackKey).executeTakeFirst();
      return row && toAccount(row);
    },

    async token(shopId) {
      const row = await db
        .selectFrom('wechat_accounts')
        .select(['access_token', 'access_token_expires_at', 'refresh_until'])
        .where('shop_id', '=', shopId)
        .executeTakeFirst();
      return row && { accessToken: row.access_token, expiresAt: row.access_token_expires_at === null ? null : Number(row.access_token_expires_at), refreshUntil: row.refresh_until === null ? null : Number(row.refresh_until) };
    },
    async claimRefresh(shopId, now, until) {
      const result = await db
        .updateTable('wechat_accounts')
        .set({ refresh_until: until })
        .where('shop_id', '=', shopId)
        .where((eb) => eb.or([eb('refresh_until', 'is', null), eb('refresh_until', '<=', now)]))
        // Not if another node has just saved a fresh one: the caller reads it instead.
        .where((eb) => eb.or([eb('access_token', 'is', null), eb('access_token_expires_at', '<=', now)]))
        .executeTakeFirst();
      return changed(result);
    },
    async saveToken(shopId, sealedToken, expiresAt) {
      await db.updateTable('wechat_accounts').set({ access_token: sealedToken, access_token_expires_at: expiresAt, refresh_until: null }).where('shop_id', '=', shopId).execute();
    },
    async releaseRefresh(shopId) {
      await db.updateTable('wechat_accounts').set({ refresh_until: null }).where('shop_id', '=', shopId).execute();
    },
    async dropToken(shopId, expiresAt) {
      await db
        .updateTable('wechat_accounts')
        .set({ access_token: null, access_token_expires_at: null })
        .where('shop_id', '=', shopId)
        .where('access_token_expires_at', '=', expiresAt)
        .execute();
    },

    async recordInbound(shopId, dedupKey, payload, now) {
      const result = await db
        .insertInto('wechat_inbound')
        .values({ shop_id: shopId, dedup_key: dedupKey, payload, received_at: now, next_attempt_at: now })
        .onConflict((oc) => oc.columns(['shop_id', 'dedup_key']).doNothing())
        .executeTakeFirst();
      return changed(result);
    },
    async pendingInbound(now, limit) {
      const rows = await db
        .selectFrom('wechat_inbound')
        .select(['shop_id', 'dedup_key', 'payload', 'attempts'])
        .where('processed_at', 'is', null)
        .where('next_attempt_at', '<=', now)
        .orderBy('received_at')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ shopId: row.shop_id, dedupKey: row.dedup_key, payload: row.payload, attempts: row.attempts }));
    },
    async inboundDone(shopId, dedupKey, now) {
      await db.updateTable('wechat_inbound').set({ processed_at: now, error: null }).where('shop_id', '=', shopId).where('dedup_key', '=', dedupKey).execute();
    },
    async inboundFailed(shopId, dedupKey, error, nextAttemptAt) {
      await db
        .updateTable('wechat_inbound')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), error, next_attempt_at: nextAttemptAt }))
        .where('shop_id', '=', shopId)
        .where('dedup_key', '=', dedupKey)
        .execute();
    },

    async customerWrote(conversationId, shopId, channel, startSeq, at) {
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('channel_cursors')
          .values({ conversation_id: conversationId, shop_id: shopId, channel, delivered_seq: startSeq, customer_wrote_at: at, sent_since: 0, unfollowed_at: null, updated_at: at })
          .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ customer_wrote_at: at, sent_since: 0, unfollowed_at: null, channel, updated_at: at }))
          .execute();
        await tx.updateTable('conversations').set({ channel }).where('id', '=', conversationId).where('channel', '!=', channel).execute();
        await sql`update contacts set channel = ${channel}, last_seen_at = ${at}, updated_at = ${at}
          where shop_id = ${shopId} and customer_id = (select customer_id from conversations where id = ${conversationId})`.execute(tx);
      });
    },
    async unfollowed(conversationId, shopId, startSeq, at) {
      await db
        .insertInto('channel_cursors')
        .values({ conversation_id: conversationId, shop_id: shopId, channel: 'wechat', delivered_seq: startSeq, customer_wrote_at: null, sent_since: 0, unfollowed_at: at, updated_at: at })
        .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ unfollowed_at: at, updated_at: at }))
        .execute();
    },
    async cursor(conversationId) {
      const row = await db.selectFrom('channel_cursors').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
      return row && toCursor(row);
    },
    async claimCursor(conversationId, now, until) {
      const result = await db
        .updateTable('channel_cursors')
        .set({ locked_until: until })
        .where('conversation_id', '=', conversationId)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .executeTakeFirst();
      if (!changed(result)) return undefined;
      const row = await db.selectFrom('channel_cursors').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
      return row && toCursor(row);
    },
    async undelivered(conversationId, afterSeq, limit) {
      const rows = await deliverable(db, conversationId).where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
      return rows.map(toMessage);
    },
    async advance(conversationId, seq, sent, now) {
      await db
        .updateTable('channel_cursors')
        .set((eb) => ({
          delivered_seq: sql<number>`case when delivered_seq < ${seq} then ${seq} else delivered_seq end`,
          sent_since: eb('sent_since', '+', sent),
          updated_at: now,
        }))
        .where('conversation_id', '=', conversationId)
        .execute();
    },
    async release(conversationId, nextAttemptAt) {
      await db.updateTable('channel_cursors').set({ locked_until: null, next_attempt_at: nextAttemptAt }).where('conversation_id', '=', conversationId).execute();
    },
    async dueConversations(now, limit) {
      const rows = await db
        .selectFrom('channel_cursors as c')
        .innerJoin('conversations as v', 'v.id', 'c.conversation_id')
        .select('c.conversation_id')
        .where((eb) => eb.or([eb('c.locked_until', 'is', null), eb('c.locked_until', '<=', now)]))
        .where((eb) => eb.or([eb('c.next_attempt_at', 'is', null), eb('c.next_attempt_at', '<=', now)]))
        .where((eb) =>
          eb.or([
            eb('v.last_seq', '>', eb.ref('c.delivered_seq')),
            eb.exists(eb.selectFrom('channel_deliveries as d').select('d.message_id').where('d.conversation_id', '=', eb.ref('c.conversation_id')).where('d.status', '=', 'retrying')),
          ]),
        )
        .limit(limit)
        .execute();
      return rows.map((row) => row.conversation_id);
    },
    async recordFailure(message, channel, errorCode, error, now) {
      const values = { status: 'failed', error_code: errorCode, error, updated_at: now };
      await db
        .insertInto('channel_deliveries')
        .values({ message_id: message.id, shop_id: message.shopId, conversation_id: message.conversationId, channel, attempts: 1, ...values })
        .onConflict((oc) => oc.column('message_id').doUpdateSet((eb) => ({ ...values, attempts: eb('channel_deliveries.attempts', '+', 1) })))
        .execute();
    },
    async failures(conversationId) {
      const rows = await db.selectFrom('channel_deliveries').selectAll().where('conversation_id', '=', conversationId).orderBy('updated_at').execute();
      return rows.map((row) => ({
        messageId: row.message_id,
        status: row.status === 'retrying' ? 'retrying' : 'failed',
        errorCode: row.error_code,
        error: row.error,
        updatedAt: Number(row.updated_at),
      }));
    },
    async markRetry(conversationId, messageId, now) {
      const result = await db
        .updateTable('channel_deliveries')
        .set({ status: 'retrying', updated_at: now })
        .where('conversation_id', '=', conversationId)
        .where('message_id', '=', messageId)
        .where('status', '=', 'failed')
        .executeTakeFirst();
      return changed(result);
    },
    async retrying(conversationId) {
      const rows = await deliverable(db, conversationId)
        .where('id', 'in', (eb) => eb.selectFrom('channel_deliveries').select('message_id').where('conversation_id', '=', conversationId).where('status', '=', 'retrying'))
        .orderBy('seq')
        .execute();
      return rows.map(toMessage);
    },
    async clearFailure(messageId) {
      await db.deleteFrom('channel_deliveries').where('message_id', '=', messageId).execute();
    },
  };
}
