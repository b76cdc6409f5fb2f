import { sql, type Kysely, type Selectable } from 'kysely';
import type { GroupRole } from '@frontdesk/protocol';
import { PREVIEW_CHARS } from '../domain/messages/plan.ts';
import type { BroadcastView, StaffChatStore } from '../domain/staff-chat/ports.ts';
import type { Engine } from './connect.ts';
import { selectConversations, toView, type ViewRow } from './conversation-store.ts';
import type { BroadcastTable, Database } from './schema.ts';

const MUTED_FOREVER = 253_402_300_799_999;

/** Staff chat's writes and lists (domain/staff-chat/). Every list is scoped by a member row or the shop. */
export function staffChatStore(db: Kysely<Database>, engine: Engine): StaffChatStore {
  const pg = engine === 'postgres';
  const member = (conversationId: string, userId: string, shopId: string, role: GroupRole | 'member', now: number) => ({
    conversation_id: conversationId,
    user_id: userId,
    user_kind: 'staff',
    shop_id: shopId,
    role,
    joined_at: now,
  });

  const broadcastColumns = [
    'b.id',
    'b.shop_id',
    'b.sender_id',
    'b.title',
    'b.text',
    'b.to_all',
    'b.created_at',
    's.name as sender_name',
    'r.read_at',
  ] as const;

  /** Broadcasts addressed to the staff member: to all of the shop, to them, or to a group they belong to. */
  const addressedTo = (shopId: string, staffId: string) =>
    db
      .selectFrom('broadcasts as b')
      .innerJoin('staff as s', 's.id', 'b.sender_id')
      .leftJoin('broadcast_reads as r', (join) => join.onRef('r.broadcast_id', '=', 'b.id').on('r.staff_id', '=', staffId))
      .where('b.shop_id', '=', shopId)
      .where((eb) =>
        eb.or([
          eb('b.to_all', '=', 1),
          eb.exists(
            eb
              .selectFrom('broadcast_targets as t')
              .select('t.target_id')
              .whereRef('t.broadcast_id', '=', 'b.id')
              .where('t.target_kind', '=', 'staff')
              .where('t.target_id', '=', staffId),
          ),
          eb.exists(
            eb
              .selectFrom('broadcast_targets as t')
              .innerJoin('members as gm', 'gm.conversation_id', 't.target_id')
              .select('t.target_id')
              .whereRef('t.broadcast_id', '=', 'b.id')
              .where('t.target_kind', '=', 'group')
              .where('gm.user_id', '=', staffId),
          ),
        ]),
      );

  const toBroadcast = (row: Selectable<BroadcastTable> & { sender_name: string; read_at: number | null }): BroadcastView => ({
    id: row.id,
    shopId: row.shop_id,
    senderId: row.sender_id,
    senderName: row.sender_name,
    title: row.title,
    text: row.text,
    toAll: Number(row.to_all) === 1,
    createdAt: Number(row.created_at),
    readAt: row.read_at === null ? null : Number(row.read_at),
  });

  return {
    async ensureDirect(shopId, staffIds, newId, now) {
      const [a, b] = [...staffIds].sort();
      const key = `direct:${shopId}:${a}:${b}`;
      return db.transaction().execute(async (tx) => {
        const inserted = await tx
          .insertInto('conversations')
          .values({ id: newId, shop_id: shopId, kind: 'direct', unique_key: key, last_activity_at: now, created_at: now, updated_at: now })
          .onConflict((oc) => oc.column('unique_key').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) {
          await tx.insertInto('members').values([member(newId, a!, shopId, 'member', now), member(newId, b!, shopId, 'member', now)]).execute();
          return newId;
        }
        return (await tx.selectFrom('conversations').select('id').where('unique_key', '=', key).executeTakeFirstOrThrow()).id;
      });
    },

    async createGroup(group, now) {
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('conversations')
          .values({ id: group.id, shop_id: group.shopId, kind: 'group', title: group.title, owner_id: group.ownerId, last_activity_at: now, created_at: now, updated_at: now })
          .execute();
        const others = group.memberIds.filter((id) => id !== group.ownerId);
        const rows = [member(group.id, group.ownerId, group.shopId, 'owner', now), ...others.map((id) => member(group.id, id, group.shopId, 'member', now))];
        for (let i = 0; i < rows.length; i += 200) await tx.insertInto('members').values(rows.slice(i, i + 200)).execute();
      });
    },

    async setTitle(conversationId, title, now) {
      await db.updateTable('conversations').set({ title, updated_at: now }).where('id', '=', conversationId).execute();
    },

    async addMembers(conversationId, shopId, staffIds, limit, now) {
      return db.transaction().execute(async (tx) => {
        // The group's row, locked: two additions at once cannot both pass the limit.
        let lock = tx.selectFrom('conversations').select('id').where('id', '=', conversationId);
        if (pg) lock = lock.forUpdate();
        await lock.executeTakeFirstOrThrow();
        const present = new Set(
          (await tx.selectFrom('members').select('user_id').where('conversation_id', '=', conversationId).execute()).map((row) => row.user_id),
        );
        const added = staffIds.filter((id) => !present.has(id));
        if (present.size + added.length > limit) return 'full' as const;
        for (let i = 0; i < added.length; i += 200) {
          await tx.insertInto('members').values(added.slice(i, i + 200).map((id) => member(conversationId, id, shopId, 'member', now))).execute();
        }
        if (added.length > 0) await tx.updateTable('conversations').set({ updated_at: now }).where('id', '=', conversationId).execute();
        return added;
      });
    },

    async removeMember(conversationId, userId) {
      return db.transaction().execute(async (tx) => {
        let lock = tx.selectFrom('conversations').select('owner_id').where('id', '=', conversationId);
        if (pg) lock = lock.forUpdate();
        const group = await lock.executeTakeFirstOrThrow();
        const removed = await tx.deleteFrom('members').where('conversation_id', '=', conversationId).where('user_id', '=', userId).executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) return null;
        if (group.owner_id !== userId) return { newOwnerId: null };
        // The owner left: the longest-standing member (an admin first) owns the group now.
        const next = await tx
          .selectFrom('members')
          .select('user_id')
          .where('conversation_id', '=', conversationId)
          .orderBy(sql`case when role = 'admin' then 0 else 1 end`)
          .orderBy('joined_at')
          .orderBy('user_id')
          .limit(1)
          .executeTakeFirst();
        const newOwnerId = next?.user_id ?? null;
        await tx.updateTable('conversations').set({ owner_id: newOwnerId }).where('id', '=', conversationId).execute();
        if (newOwnerId !== null) {
          await tx.updateTable('members').set({ role: 'owner' }).where('conversation_id', '=', conversationId).where('user_id', '=', newOwnerId).execute();
        }
        return { newOwnerId };
      });
    },

    async setMemberRole(conversationId, userId, role) {
      const updated = await db
        .updateTable('members')
        .set({ role })
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId)
        .where('role', '<>', 'owner')
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },

    async groupMembers(conversationId) {
      const rows = await db
        .selectFrom('members as m')
        .innerJoin('staff as s', 's.id', 'm.user_id')
        .select(['m.user_id', 's.name', 'm.role', 'm.joined_at'])
        .where('m.conversation_id', '=', conversationId)
        .orderBy('m.joined_at')
        .orderBy('m.user_id')
        .execute();
      return rows.map((row) => ({ id: row.user_id, name: row.name, role: row.role as GroupRole, joinedAt: Number(row.joined_at) }));
    },

    async ownerOf(conversationId) {
      const row = await db.selectFrom('conversations').select('owner_id').where('id', '=', conversationId).executeTakeFirst();
      return row?.owner_id ?? null;
    },

    async membersOfGroups(shopId, groupIds) {
      if (groupIds.length === 0) return [];
      const rows = await db
        .selectFrom('members as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
        .select('m.user_id')
        .distinct()
        .where('c.shop_id', '=', shopId)
        .where('c.kind', '=', 'group')
        .where('c.id', 'in', groupIds)
        .execute();
      return rows.map((row) => row.user_id);
    },

    async setMute(conversationId, userId, until) {
      await db
        .updateTable('members')
        .set({ muted_until: until === Infinity ? MUTED_FOREVER : until })
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId)
        .execute();
    },

    async recentChats(userId, limit) {
      const rows = await selectConversations(db)
        .innerJoin('members as m', 'm.conversation_id', 'c.id')
        .select((eb) => [
          'm.read_seq',
          'm.read_public_seq',
          'm.muted_until',
          eb
            .selectFrom('members as p')
            .select('p.user_id')
            .whereRef('p.conversation_id', '=', 'c.id')
            .where('p.user_id', '<>', userId)
            .where('c.kind', '=', 'direct')
            .limit(1)
            .as('peer_id'),
          eb
            .selectFrom('members as n')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('n.conversation_id', '=', 'c.id')
            .as('member_count'),
          eb
            .selectFrom('messages as x')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('x.conversation_id', '=', 'c.id')
            .whereRef('x.seq', '>', 'm.read_seq')
            .where('x.deleted_at', 'is', null)
            .where((e) => e.or([e('x.sender_id', 'is', null), e('x.sender_id', '<>', userId)]))
            .where((e) => e.or([e('x.mentions', 'like', `%"${userId}"%`), e('x.mentions', 'like', '%"all"%')]))
            .as('mention_count'),
        ])
        .where('m.user_id', '=', userId)
        .where('c.kind', 'in', ['direct', 'group'])
        .orderBy('c.last_activity_at', 'desc')
        .orderBy('c.id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        conversation: toView(row as unknown as ViewRow),
        peerId: row.peer_id ?? null,
        mutedUntil: row.muted_until === null ? null : Number(row.muted_until),
        mentions: Number(row.mention_count ?? 0),
        memberCount: Number(row.member_count ?? 0),
      }));
    },

    async readers(conversationId, seq, senderId) {
      const rows = await db
        .selectFrom('members')
        .select(['user_id', 'read_seq'])
        .where('conversation_id', '=', conversationId)
        .$if(senderId !== null, (q) => q.where('user_id', '<>', senderId!))
        .orderBy('user_id')
        .execute();
      return { readerIds: rows.filter((row) => row.read_seq >= seq).map((row) => row.user_id), of: rows.length };
    },

    async editMessage(conversationId, messageId, text, now) {
      return db.transaction().execute(async (tx) => {
        const edited = await tx
          .updateTable('messages')
          .set({ text, edited_at: now })
          .where('conversation_id', '=', conversationId)
          .where('id', '=', messageId)
          .where('deleted_at', 'is', null)
          .returning('seq')
          .executeTakeFirst();
        if (!edited) return false;
        // The lists' preview shows the last message as it reads now.
        await tx
          .updateTable('conversations')
          .set({ last_message_preview: text.slice(0, PREVIEW_CHARS) })
          .where('id', '=', conversationId)
          .where('last_message_seq', '=', edited.seq)
          .execute();
        return true;
      });
    },

    async createBroadcast(broadcast, targets) {
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('broadcasts')
          .values({
            id: broadcast.id,
            shop_id: broadcast.shopId,
            sender_id: broadcast.senderId,
            title: broadcast.title,
            text: broadcast.text,
            to_all: broadcast.toAll ? 1 : 0,
            created_at: broadcast.createdAt,
          })
          .execute();
        const rows = [
          ...targets.staffIds.map((id) => ({ broadcast_id: broadcast.id, target_kind: 'staff' as const, target_id: id })),
          ...targets.groupIds.map((id) => ({ broadcast_id: broadcast.id, target_kind: 'group' as const, target_id: id })),
        ];
        for (let i = 0; i < rows.length; i += 500) await tx.insertInto('broadcast_targets').values(rows.slice(i, i + 500)).execute();
        // The sender has read what they wrote.
        await tx.insertInto('broadcast_reads').values({ broadcast_id: broadcast.id, staff_id: broadcast.senderId, read_at: broadcast.createdAt }).execute();
      });
    },

    async broadcastsFor(shopId, staffId, limit) {
      const [rows, unread] = await Promise.all([
        addressedTo(shopId, staffId)
          .select(broadcastColumns)
          .orderBy(sql`case when r.read_at is null then 0 else 1 end`)
          .orderBy('b.created_at', 'desc')
          .orderBy('b.id', 'desc')
          .limit(limit)
          .execute(),
        addressedTo(shopId, staffId)
          .where('r.read_at', 'is', null)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toBroadcast), unread: Number(unread.n) };
    },

    async broadcastFor(shopId, staffId, broadcastId) {
      const row = await addressedTo(shopId, staffId).select(broadcastColumns).where('b.id', '=', broadcastId).executeTakeFirst();
      return row && toBroadcast(row);
    },

    async markBroadcastRead(broadcastId, staffId, now) {
      await db
        .insertInto('broadcast_reads')
        .values({ broadcast_id: broadcastId, staff_id: staffId, read_at: now })
        .onConflict((oc) => oc.columns(['staff_id', 'broadcast_id']).doNothing())
        .execute();
    },
  };
}
