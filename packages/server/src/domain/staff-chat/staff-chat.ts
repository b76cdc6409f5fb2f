import type { Notice } from '@frontdesk/protocol';
import { openConversation } from '../access.ts';
import type { DomainDeps } from '../domain.ts';
import { fail } from '../errors.ts';
import { newId } from '../ids.ts';
import { postSystemMessage } from '../messages/system.ts';
import { factsOf, type ConversationRecord, type Principal, type StaffRecord } from '../records.ts';
import { requireRole } from '../staff.ts';
import type { GroupMemberRow, RecentChatRow } from './ports.ts';

export interface StaffChatOptions {
  /** Members a group may have (GROUP_MEMBER_LIMIT). */
  readonly groupMemberLimit: number;
}

/** How many recent chats GET /team lists. */
const RECENT_CHATS = 200;

/**
 * Staff chat (DESIGN.md §2, docs/staff-chat.md): direct chats between two colleagues, groups with
 * an owner, and mute. Messages go through the ordinary send path (messages.ts); what is here makes
 * and changes the conversations, and writes the notices members see when a group changes.
 */
export function createStaffChat(deps: DomainDeps, options: StaffChatOptions) {
  const { store, events, now } = deps;

  /** Active colleagues of the caller's shop among `ids`; any other id fails as not found. */
  async function colleagues(me: StaffRecord, ids: readonly string[]): Promise<StaffRecord[]> {
    if (ids.length === 0) return [];
    const staff = new Map((await store.staff.findMany(me.shopId, ids)).map((s) => [s.id, s]));
    return ids.map((id) => {
      const found = staff.get(id);
      if (!found || found.disabledAt !== null) fail('STAFF_NOT_FOUND', `No active staff member ${id} in your shop.`);
      return found;
    });
  }

  /** A group of the caller's shop that the caller belongs to. */
  async function openGroup(principal: Principal, conversationId: string) {
    const me = requireRole(principal, 'agent');
    const access = await openConversation(store.conversations, principal, conversationId);
    if (access.conversation.kind !== 'group' || !access.member) fail('CONVERSATION_NOT_FOUND');
    return { me, group: access.conversation, role: access.member.role };
  }

  async function reload(conversationId: string): Promise<ConversationRecord> {
    const conversation = await store.conversations.find(conversationId);
    if (!conversation) fail('CONVERSATION_NOT_FOUND');
    return conversation;
  }

  const names = (staff: readonly StaffRecord[]) => staff.map((s) => s.name).join(', ');

  async function notify(group: ConversationRecord, notice: Notice, text: string): Promise<void> {
    await postSystemMessage(deps, factsOf(group), text, { notice });
  }

  /** Group owners and admins, and the shop's owners and admins, moderate a group. */
  const moderates = (me: StaffRecord, role: string) => role === 'owner' || role === 'admin' || me.role !== 'agent';

  return {
    /** The caller's direct chat with a colleague: the same conversation every time, made on first use. */
    async direct(principal: Principal, staffId: string): Promise<ConversationRecord> {
      const me = requireRole(principal, 'agent');
      if (staffId === me.id) fail('VALIDATION_FAILED', 'A direct chat is with a colleague, not yourself.');
      await colleagues(me, [staffId]);
      return reload(await store.staffChat.ensureDirect(me.shopId, [me.id, staffId], newId(), now()));
    },

    async createGroup(principal: Principal, title: string, memberIds: readonly string[]): Promise<ConversationRecord> {
      const me = requireRole(principal, 'agent');
      const others = await colleagues(me, memberIds.filter((id) => id !== me.id));
      if (others.length + 1 > options.groupMemberLimit) fail('GROUP_FULL', `A group has at most ${options.groupMemberLimit} members.`);
      const id = newId();
      const clean = title.trim();
      if (clean === '') fail('VALIDATION_FAILED', 'The title is empty.');
      await store.staffChat.createGroup({ id, shopId: me.shopId, title: clean, ownerId: me.id, memberIds: others.map((s) => s.id) }, now());
      const group = await reload(id);
      await notify(group, { code: 'group.created', actorId: me.id, userIds: others.map((s) => s.id), title: clean }, `${me.name} created the group “${clean}”.`);
      await events.emit({ type: 'group.updated', conversation: await reload(id) });
      return reload(id);
    },

    async group(principal: Principal, conversationId: string) {
      const { group } = await openGroup(principal, conversationId);
      const [members, ownerId] = await Promise.all([store.staffChat.groupMembers(group.id), store.staffChat.ownerOf(group.id)]);
      return { conversation: group, ownerId, members, memberLimit: options.groupMemberLimit };
    },

    async rename(principal: Principal, conversationId: string, title: string): Promise<ConversationRecord> {
      const { me, group } = await openGroup(principal, conversationId);
      const clean = title.trim();
      if (clean === '') fail('VALIDATION_FAILED', 'The title is empty.');
      if (clean === group.title) return group;
      await store.staffChat.setTitle(group.id, clean, now());
      await notify(group, { code: 'group.renamed', actorId: me.id, userIds: [], title: clean }, `${me.name} renamed the group to “${clean}”.`);
      const renamed = await reload(group.id);
      await events.emit({ type: 'group.updated', conversation: renamed });
      return renamed;
    },

    /** Any member may add colleagues (seed 002: 拉人); returns the members now. */
    async addMembers(principal: Principal, conversationId: string, staffIds: readonly string[]): Promise<GroupMemberRow[]> {
      const { me, group } = await openGroup(principal, conversationId);
      const staff = await colleagues(me, staffIds);
      const added = await store.staffChat.addMembers(group.id, me.shopId, staff.map((s) => s.id), options.groupMemberLimit, now());
      if (added === 'full') fail('GROUP_FULL', `A group has at most ${options.groupMemberLimit} members.`);
      if (added.length > 0) {
        const newcomers = staff.filter((s) => added.includes(s.id));
        await notify(group, { code: 'members.added', actorId: me.id, userIds: added }, `${me.name} added ${names(newcomers)}.`);
        await events.emit({ type: 'group.updated', conversation: await reload(group.id) });
      }
      return store.staffChat.groupMembers(group.id);
    },

    /** A member leaves (staffId = themselves), or the group's owner or an admin removes them (seed 002: 踢人). */
    async removeMember(principal: Principal, conversationId: string, staffId: string): Promise<void> {
      const { me, group, role } = await openGroup(principal, conversationId);
      const leaving = staffId === me.id;
      if (!leaving && !moderates(me, role)) fail('FORBIDDEN', 'Only the group’s owner or an admin can remove members.');
      const target = (await store.staff.find(me.shopId, staffId)) ?? fail('STAFF_NOT_FOUND');
      if (!leaving && (await store.staffChat.ownerOf(group.id)) === staffId && me.role === 'agent') {
        fail('FORBIDDEN', 'The owner cannot be removed; they may leave.');
      }
      if (!(await store.conversations.member(group.id, staffId))) fail('STAFF_NOT_FOUND', 'Not a member of this group.');
      // The notice first, while the one leaving is still a member: they see it too.
      await notify(
        group,
        leaving ? { code: 'member.left', actorId: me.id, userIds: [me.id] } : { code: 'member.removed', actorId: me.id, userIds: [staffId] },
        leaving ? `${me.name} left the group.` : `${me.name} removed ${target.name}.`,
      );
      const removed = await store.staffChat.removeMember(group.id, staffId);
      if (removed === null) return;
      await events.emit({ type: 'member.removed', conversation: await reload(group.id), userId: staffId });
      if (removed.newOwnerId !== null) {
        const owner = await store.staff.find(me.shopId, removed.newOwnerId);
        await notify(group, { code: 'owner.changed', actorId: null, userIds: [removed.newOwnerId] }, `${owner?.name ?? 'A member'} owns the group now.`);
        await events.emit({ type: 'group.updated', conversation: await reload(group.id) });
      }
    },

    /** The group's owner (or a shop owner or admin) makes a member an admin, or a member again. */
    async setRole(principal: Principal, conversationId: string, staffId: string, role: 'admin' | 'member'): Promise<GroupMemberRow[]> {
      const { me, group, role: mine } = await openGroup(principal, conversationId);
      if (mine !== 'owner' && me.role === 'agent') fail('FORBIDDEN', 'Only the group’s owner can name its admins.');
      if (!(await store.staffChat.setMemberRole(group.id, staffId, role))) fail('STAFF_NOT_FOUND', 'Not a member of this group, or its owner.');
      await events.emit({ type: 'group.updated', conversation: await reload(group.id) });
      return store.staffChat.groupMembers(group.id);
    },

    /** `true`: muted until unmuted; a time: until then; `false`: not muted. Staff chats only. */
    async mute(principal: Principal, conversationId: string, muted: boolean | number): Promise<{ conversationId: string; mutedUntil: number | null }> {
      const me = requireRole(principal, 'agent');
      const { conversation, member } = await openConversation(store.conversations, principal, conversationId);
      if (conversation.kind === 'service' || !member) fail('CONVERSATION_NOT_FOUND');
      let until: number | null;
      if (muted === false) until = null;
      else if (muted === true) until = Infinity;
      else if (muted <= now()) fail('VALIDATION_FAILED', 'Mute until a time in the future.');
      else until = muted;
      await store.staffChat.setMute(conversation.id, me.id, until);
      return { conversationId: conversation.id, mutedUntil: (await store.conversations.member(conversation.id, me.id))?.mutedUntil ?? null };
    },

    /** Recent contacts (seed 002): the caller's staff chats, newest first, and every active colleague with presence. */
    async team(principal: Principal): Promise<{ chats: RecentChatRow[]; colleagues: Array<StaffRecord & { presence: 'online' | 'away' | 'offline' }> }> {
      const me = requireRole(principal, 'agent');
      const [chats, staff, presence] = await Promise.all([
        store.staffChat.recentChats(me.id, RECENT_CHATS),
        store.staff.list(me.shopId),
        store.routing.agents(me.shopId),
      ]);
      const status = new Map(presence.map((row) => [row.staffId, row.presence]));
      const at = now();
      return {
        // A mute that has run out is no mute.
        chats: chats.map((chat) => (chat.mutedUntil !== null && chat.mutedUntil <= at ? { ...chat, mutedUntil: null } : chat)),
        colleagues: staff.filter((s) => s.disabledAt === null && s.id !== me.id).map((s) => ({ ...s, presence: status.get(s.id) ?? 'offline' })),
      };
    },

    /** Who has read a message of a staff chat: "read by 3 of 7". */
    async readers(principal: Principal, conversationId: string, messageId: string) {
      requireRole(principal, 'agent');
      const { conversation } = await openConversation(store.conversations, principal, conversationId);
      if (conversation.kind === 'service') fail('CONVERSATION_NOT_FOUND');
      const message = (await store.messages.find(conversation.id, messageId)) ?? fail('MESSAGE_NOT_FOUND');
      return store.staffChat.readers(conversation.id, message.seq, message.senderId);
    },
  };
}
