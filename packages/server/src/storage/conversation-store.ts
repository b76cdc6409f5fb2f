import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import type { ConversationFilter, ConversationStore, ListPosition } from '../domain/ports.ts';
import type { ConversationKind } from '@frontdesk/protocol';
import type { ConversationFacts, ConversationView } from '../domain/records.ts';
import { toConversation, toMember, type ConversationRow } from './rows.ts';
import type { Engine } from './connect.ts';
import { containsIgnoringCase } from './contains.ts';
import { recordOutbox } from './outbox.ts';
import type { Database } from './schema.ts';
import { ensureServiceIn, mergeVisitor } from './visitor-merge.ts';
import { withLabels } from './conversation-labels.ts';

type Joined = Database & { c: Database['conversations']; s: Database['shops']; cu: Database['customers'] };

/** conversation + shop name + customer: the one select every conversation read shares. */
export function selectConversations(db: Kysely<Database>) {
  return db
    .selectFrom('conversations as c')
    .innerJoin('shops as s', 's.id', 'c.shop_id')
    .leftJoin('customers as cu', 'cu.id', 'c.customer_id')
    .select([
      'c.id',
      'c.shop_id',
      's.name as shop_name',
      'c.kind',
      'c.title',
      'c.status',
      'c.assignee_id',
      'c.current_inquiry_id',
      'c.last_seq',
      'c.last_public_seq',
      'c.last_public_message_seq',
      'c.last_message_seq',
      'c.last_message_preview',
      'c.last_message_content_type',
      'c.last_message_sender_id',
      'c.last_message_sender_kind',
      'c.last_message_at',
      'c.last_activity_at',
      'c.created_at',
      'c.channel',
      'c.customer_id',
      'cu.shop_id as cu_shop_id',
      'cu.kind as cu_kind',
      'cu.external_id as cu_external_id',
      'cu.name as cu_name',
      'cu.email as cu_email',
      'cu.created_at as cu_created_at',
      'c.priority',
      'c.snoozed_until',
    ]);
}

function newestFirst<QB extends SelectQueryBuilder<any, any, any>>(qb: QB, after: ListPosition | null, limit: number, byPriority = false): QB {
  let q = qb;
  if (byPriority) {
    if (after !== null) {
      q = q.where((eb: ExpressionBuilder<Joined, 'c'>) =>
        eb(eb.refTuple('c.priority', 'c.last_activity_at', 'c.id'), '<', eb.tuple(after.priority ?? 0, after.lastActivityAt, after.id)),
      ) as QB;
    }
    return q.orderBy('c.priority', 'desc').orderBy('c.last_activity_at', 'desc').orderBy('c.id', 'desc').limit(limit) as QB;
  }
  if (after !== null) {
    q = q.where((eb: ExpressionBuilder<Joined, 'c'>) =>
      eb(eb.refTuple('c.last_activity_at', 'c.id'), '<', eb.tuple(after.lastActivityAt, after.id)),
    ) as QB;
  }
  return q.orderBy('c.last_activity_at', 'desc').orderBy('c.id', 'desc').limit(limit) as QB;
}

/**
 * A staff list's filter, written once for the lists and their counts. The status and assignee
 * filters match the leading columns of one index each (see the initial migration).
 */
function filtered<QB extends SelectQueryBuilder<Joined, 'c', any>>(qb: QB, shopId: string, filter: ConversationFilter): QB {
  let q = qb.where('c.shop_id', '=', shopId).where('c.kind', '=', 'service');
  if (filter.status !== undefined) q = q.where('c.status', '=', filter.status);
  if (filter.open) q = q.where('c.status', 'in', ['queued', 'assigned']);
  if (filter.assigneeId !== undefined) q = q.where('c.assignee_id', '=', filter.assigneeId);
  if (filter.channel !== undefined) q = q.where('c.channel', '=', filter.channel);
  if (filter.snoozed !== undefined) q = q.where('c.snoozed_until', filter.snoozed ? 'is not' : 'is', null);
  if (filter.priority !== undefined) q = q.where('c.priority', '=', filter.priority);
  const labelId = filter.labelId;
  if (labelId !== undefined) {
    q = q.where((eb) =>
      eb.exists(eb.selectFrom('conversation_labels as cl').select('cl.label_id').whereRef('cl.conversation_id', '=', 'c.id').where('cl.label_id', '=', labelId)),
    );
  }
  const match = filter.customerMatch;
  if (match !== undefined) {
    q = q.where((eb) =>
      eb.or([
        eb('c.customer_id', '=', match),
        containsIgnoringCase('cu.name', match),
        containsIgnoringCase('cu.email', match),
        containsIgnoringCase('cu.external_id', match),
      ]),
    );
  }
  return q as QB;
}

export type ViewRow = ConversationRow & { read_seq: number | null; read_public_seq: number | null };

export function toView(row: ViewRow): ConversationView {
  return { ...toConversation(row), readSeq: row.read_seq ?? 0, readPublicSeq: row.read_public_seq ?? 0 };
}

export function conversationStore(db: Kysely<Database>, engine: Engine): ConversationStore {
  /**
   * The viewer's read cursor on each row of a staff list. SQLite: one primary-key lookup per row
   * (a left join). PostgreSQL mis-plans that join (a bitmap of all the viewer's memberships, compared
   * against every row), so there it is two scalar subqueries, each a primary-key lookup.
   */
  const withViewerCursor = (q: ReturnType<typeof selectConversations>, viewerId: string) =>
    engine === 'sqlite'
      ? q.leftJoin('members as m', (join) => join.onRef('m.conversation_id', '=', 'c.id').on('m.user_id', '=', viewerId)).select(['m.read_seq', 'm.read_public_seq'])
      : q.select((eb) =>
          (['read_seq', 'read_public_seq'] as const).map((column) =>
            eb.selectFrom('members as m').select(`m.${column}`).whereRef('m.conversation_id', '=', 'c.id').where('m.user_id', '=', viewerId).as(column),
          ),
        );

  const find = async (id: string) => {
    const row = await selectConversations(db).where('c.id', '=', id).executeTakeFirst();
    return row && (await withLabels(db, [toConversation(row as ConversationRow)]))[0];
  };

  // Facts never change once a conversation exists (a merged visitor's conversation is deleted and
  // dropped from here, and from other nodes' caches by its 'merged' event), so a bounded cache
  // cannot go stale. Lookups
  // in flight are shared: a burst for one new conversation costs one query.
  const factsCache = new Map<string, Promise<ConversationFacts | undefined>>();
  const loadFacts = async (id: string): Promise<ConversationFacts | undefined> => {
    const row = await db.selectFrom('conversations').select(['id', 'shop_id', 'kind', 'customer_id']).where('id', '=', id).executeTakeFirst();
    if (!row) {
      factsCache.delete(id);
      return undefined;
    }
    return { id: row.id, shopId: row.shop_id, kind: row.kind as ConversationKind, customerId: row.customer_id };
  };

  return {
    facts(id) {
      let facts = factsCache.get(id);
      if (facts === undefined) {
        if (factsCache.size >= 50_000) factsCache.delete(factsCache.keys().next().value as string);
        facts = loadFacts(id);
        factsCache.set(id, facts);
        facts.catch(() => factsCache.delete(id));
      }
      return facts;
    },

    forgetFacts(id) {
      factsCache.delete(id);
    },

    async ensureService(shopId, customerId, newId, now, channel = 'web') {
      // Concurrent first visits race here; the unique key lets exactly one insert win.
      const id = await db.transaction().execute((tx) => ensureServiceIn(tx, shopId, customerId, newId, now, channel));
      const row = await selectConversations(db).where('c.id', '=', id).executeTakeFirstOrThrow();
      return (await withLabels(db, [toConversation(row as ConversationRow)]))[0]!;
    },

    find,

    async mergeVisitor(shopId, visitorId, customerId, newConversationId, now, decide) {
      const merged = await mergeVisitor(db, engine, shopId, visitorId, customerId, newConversationId, now, decide);
      if (merged?.fromConversationId) factsCache.delete(merged.fromConversationId);
      return merged;
    },

    async member(conversationId, userId) {
      const row = await db
        .selectFrom('members')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row && toMember(row);
    },

    async listForShop(shopId, viewerId, filter, after, limit) {
      const rows = await newestFirst(filtered(withViewerCursor(selectConversations(db), viewerId), shopId, filter), after, limit, filter.byPriority).execute();
      return withLabels(db, rows.map((row) => toView(row as ViewRow)));
    },

    async countForShop(shopId, filter) {
      const q = db
        .selectFrom('conversations as c')
        .leftJoin('customers as cu', 'cu.id', 'c.customer_id')
        .select((eb) => eb.fn.countAll<number>().as('n'));
      const row = await filtered(q, shopId, filter).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async findMany(shopId, ids) {
      if (ids.length === 0) return [];
      const rows = await selectConversations(db).where('c.shop_id', '=', shopId).where('c.id', 'in', ids).execute();
      return withLabels(db, rows.map((row) => toConversation(row as ConversationRow)));
    },

    async listForMember(userId, after, limit) {
      // One range of members_user_activity, in order: the membership carries the conversation's
      // activity (kept by triggers), so no membership of the user is read past the page.
      let q = selectConversations(db)
        .innerJoin('members as m', 'm.conversation_id', 'c.id')
        .select(['m.read_seq', 'm.read_public_seq'])
        .where('m.user_id', '=', userId)
        // Staff who only opened a conversation hold a read cursor there, not a membership.
        .where('m.role', '<>', 'viewer');
      if (after !== null) q = q.where((eb) => eb(eb.refTuple('m.activity_at', 'm.conversation_id'), '<', eb.tuple(after.lastActivityAt, after.id)));
      const rows = await q.orderBy('m.activity_at', 'desc').orderBy('m.conversation_id', 'desc').limit(limit).execute();
      return withLabels(db, rows.map((row) => toView(row as ViewRow)));
    },

    async memberships(userId) {
      const rows = await db
        .selectFrom('members as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
        .select(['c.id', 'c.last_seq'])
        .where('m.user_id', '=', userId)
        .execute();
      return rows.map((row) => ({ conversationId: row.id, lastSeq: row.last_seq }));
    },

    async addMember(conversationId, user, now) {
      return db.transaction().execute(async (tx) => {
        const inserted = await tx
          .insertInto('members')
          .values({ conversation_id: conversationId, user_id: user.id, user_kind: user.kind, shop_id: user.shopId, role: user.role, joined_at: now })
          // A colleague who only read it so far (role 'viewer') becomes a participant.
          .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doUpdateSet({ role: user.role }).where('members.role', '=', 'viewer'))
          .executeTakeFirst();
        const joined = Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
        if (joined) await recordOutbox(tx, [{ shopId: user.shopId, type: 'member.added', subjectId: conversationId, data: { userId: user.id }, createdAt: now }]);
        return joined;
      });
    },

    async memberIds(conversationId) {
      const rows = await db.selectFrom('members').select('user_id').where('conversation_id', '=', conversationId).execute();
      return rows.map((row) => row.user_id);
    },

    async markRead(conversation, user, seq, now, publicOnly = false) {
      const upTo = Math.min(seq, conversation.lastSeq);
      await db.transaction().execute(async (tx) => {
        const lastPublic = await tx
          .selectFrom('messages')
          .select(['public_seq', 'seq'])
          .where('conversation_id', '=', conversation.id)
          .where('seq', '<=', upTo)
          .where('public_seq', 'is not', null)
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        await tx
          .insertInto('members')
          .values({
            conversation_id: conversation.id,
            user_id: user.id,
            user_kind: user.kind,
            shop_id: conversation.shopId,
            role: user.role,
            read_seq: publicOnly ? (lastPublic?.seq ?? 0) : upTo,
            read_public_seq: lastPublic?.public_seq ?? 0,
            joined_at: now,
          })
          .onConflict((oc) =>
            oc
              .columns(['conversation_id', 'user_id'])
              .doUpdateSet((eb) => ({
                read_seq: eb.ref('excluded.read_seq'),
                read_public_seq: eb.ref('excluded.read_public_seq'),
              }))
              .where('members.read_seq', '<', (eb) => eb.ref('excluded.read_seq')),
          )
          .execute();
      });
      const row = await db
        .selectFrom('members')
        .selectAll()
        .where('conversation_id', '=', conversation.id)
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow();
      return toMember(row);
    },
  };
}
