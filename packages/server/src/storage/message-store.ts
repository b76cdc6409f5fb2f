import { sql, type Kysely, type Transaction } from 'kysely';
import type { Notice } from '@frontdesk/protocol';
import type { AppendResult, MessageStore, NewMessage } from '../domain/ports.ts';
import { CAMPAIGN_PREFIX } from '../domain/campaigns/batch.ts';
import { appendBatch } from './append-batch.ts';
import type { Engine } from './connect.ts';
import { containsIgnoringCase } from './contains.ts';
import { groupCommit } from './group-commit.ts';
import { sqliteAppender } from './sqlite-append.ts';
import type { SqliteDirect } from './sqlite-dialect.ts';
import { toMessage } from './rows.ts';
import type { Database } from './schema.ts';

/**
 * Send transactions one PostgreSQL node runs at once (its pool holds 10 connections by default).
 * Two, not more: a batch is four round trips and its time is PostgreSQL's work on the rows (index
 * entries, the members' activity triggers), so fewer and larger batches cost less per message;
 * measured against 4 and 8 in docs/benchmarks.md (issue 23 item 4).
 */
const PG_BATCHES_IN_FLIGHT = 2;

export function messageStore(db: Kysely<Database>, engine: Engine, sqlite: SqliteDirect | null): MessageStore {
  const findByClientMsgId = async (
    q: Kysely<Database> | Transaction<Database>,
    conversationId: string,
    senderId: string,
    clientMsgId: string,
  ) => {
    const row = await q
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('sender_id', '=', senderId)
      .where('client_msg_id', '=', clientMsgId)
      .executeTakeFirst();
    return row && toMessage(row);
  };

  // Every send goes through group commit: alone when idle, many to a transaction under load. On
  // PostgreSQL several batches go at once, never two with the same conversation, so one waiting on a
  // conversation's lock holds up nothing else; SQLite's writers take turns anyway.
  let appendSqlite: ReturnType<typeof sqliteAppender> | undefined;
  const append = groupCommit<NewMessage, AppendResult>(
    async (batch) => {
      if (sqlite?.writer) return sqlite.writer.append(batch);
      if (sqlite) return sqlite.exclusive((raw) => (appendSqlite ??= sqliteAppender(raw))(batch));
      if (engine === 'sqlite') throw new Error('Sending on SQLite needs the direct connection (Storage.sqlite).');
      return db.transaction().execute((tx) => appendBatch(tx, batch));
    },
    { concurrency: engine === 'postgres' ? PG_BATCHES_IN_FLIGHT : 1, keyOf: (message) => message.conversationId },
  );

  return {
    append,

    findByClientMsgId: (conversationId, senderId, clientMsgId) =>
      findByClientMsgId(db, conversationId, senderId, clientMsgId),

    async find(conversationId, id) {
      const row = await db
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toMessage(row);
    },

    async history(conversationId, query) {
      let q = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
      if (!query.includeInternal) q = q.where('visibility', '=', 'public');
      const forward = query.afterSeq !== undefined;
      if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
      if (query.beforeSeq !== undefined) q = q.where('seq', '<', query.beforeSeq);
      const rows = await q
        .orderBy('seq', forward ? 'asc' : 'desc')
        .limit(query.limit + 1)
        .execute();
      const hasMore = rows.length > query.limit;
      const page = rows.slice(0, query.limit).map(toMessage);
      return { items: forward ? page : page.reverse(), hasMore };
    },

    async publicStaffSenders(conversationId) {
      const rows = await db
        .selectFrom('messages')
        .select('sender_id')
        .distinct()
        .where('conversation_id', '=', conversationId)
        .where('sender_kind', '=', 'staff')
        .where('visibility', '=', 'public')
        .where('deleted_at', 'is', null)
        .execute();
      return rows.flatMap((r) => (r.sender_id === null ? [] : [r.sender_id]));
    },

    async publicNotices(conversationId) {
      const rows = await db
        .selectFrom('messages')
        .select('notice')
        .where('conversation_id', '=', conversationId)
        .where('kind', '=', 'system')
        .where('visibility', '=', 'public')
        .where('notice', 'is not', null)
        .execute();
      return rows.map((r) => JSON.parse(r.notice!) as Notice);
    },

    // PostgreSQL: every transaction below the oldest one still running has ended, so nothing new can
    // appear below it. SQLite: writers take turns, so nothing new appears at or below the shop's last.
    async streamHorizon(shopId) {
      if (engine === 'postgres') {
        const { rows } = await sql<{ h: string }>`select pg_snapshot_xmin(pg_current_snapshot())::text as h`.execute(db);
        return Number(rows[0]!.h);
      }
      const row = await db.selectFrom('messages').select(sql<number>`coalesce(max(stream_tx), 0)`.as('tx')).where('shop_id', '=', shopId).executeTakeFirstOrThrow();
      return Number(row.tx) + 1;
    },

    async shopStream(shopId, viewerId, after, limit) {
      const rows = await seenByStaff(db, shopId, viewerId)
        .where((eb) => eb.or([eb('m.stream_tx', '>', after.tx), eb.and([eb('m.stream_tx', '=', after.tx), eb('m.stream_pos', '>', after.pos)])]))
        // A campaign's messages reach its customers and each conversation's assignee, not the whole
        // staff (fanout/audience.ts, campaignAudience): a staff member's sync skips them the same
        // way, or a console reconnecting after a campaign of 100,000 would page through all of them.
        .where((eb) =>
          eb.or([
            eb('m.client_msg_id', 'is', null),
            eb('m.sender_kind', '!=', 'staff'),
            eb(eb.fn('substr', ['m.client_msg_id', sql.lit(1), sql.lit(CAMPAIGN_PREFIX.length)]), '!=', CAMPAIGN_PREFIX),
            eb('c.assignee_id', '=', viewerId),
          ]),
        )
        .orderBy('m.stream_tx')
        .orderBy('m.stream_pos')
        .limit(limit)
        .execute();
      return rows.map(toMessage);
    },

    // No text index: a scan of the shop's messages, which is fine at the sizes one shop reaches
    // (docs/api.md, "Search").
    async search(shopId, viewerId, text, limit) {
      const rows = await seenByStaff(db, shopId, viewerId)
        .where('m.deleted_at', 'is', null)
        .where(containsIgnoringCase('m.text', text))
        .orderBy('m.created_at', 'desc')
        .orderBy('m.id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toMessage);
    },

    async softDelete(conversationId, id, now) {
      await db.transaction().execute(async (tx) => {
        const deleted = await tx
          .updateTable('messages')
          .set({ deleted_at: now })
          .where('conversation_id', '=', conversationId)
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .returning(['attachment_id', 'seq'])
          .executeTakeFirst();
        // The lists' preview of a deleted last message must not keep its text.
        if (deleted) {
          await tx
            .updateTable('conversations')
            .set({ last_message_preview: '' })
            .where('id', '=', conversationId)
            .where('last_message_seq', '=', deleted.seq)
            .execute();
        }
        // Its file goes with it: no longer served, and deleted by the next attachment cleanup.
        if (deleted?.attachment_id) {
          await tx.updateTable('attachments').set({ removed_at: now }).where('id', '=', deleted.attachment_id).execute();
        }
      });
    },
  };
}

/** The shop's messages a staff member may see: every service conversation's, and those of conversations they are a member of. */
function seenByStaff(db: Kysely<Database>, shopId: string, viewerId: string) {
  return db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .selectAll('m')
    .where('m.shop_id', '=', shopId)
    .where((eb) =>
      eb.or([
        eb('c.kind', '=', 'service'),
        eb.exists(
          eb
            .selectFrom('members as mm')
            .select('mm.user_id')
            .whereRef('mm.conversation_id', '=', 'm.conversation_id')
            .where('mm.user_id', '=', viewerId),
        ),
      ]),
    );
}
