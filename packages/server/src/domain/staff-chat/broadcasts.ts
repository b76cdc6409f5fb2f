import type { BroadcastTo } from '@frontdesk/protocol';
import type { DomainDeps } from '../domain.ts';
import { fail } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Principal } from '../records.ts';
import { requireRole } from '../staff.ts';
import type { BroadcastView } from './ports.ts';

/** How many broadcasts GET /broadcasts returns at most. */
const LIST_MAX = 100;

/**
 * Broadcasts (seed 002's 广播, DESIGN.md §2): stored once with their targets, never copied per
 * recipient (read diffusion), so sending one costs the same for ten colleagues or ten thousand.
 * Who receives it is decided when it is read: to all, to a listed colleague, to a member of a
 * listed group. Online recipients get it at once; the others find it unread at their next sign-in.
 */
export function createBroadcasts({ store, events, now }: DomainDeps) {
  return {
    async send(principal: Principal, input: { title: string; text: string; to: BroadcastTo }): Promise<BroadcastView> {
      const me = requireRole(principal, 'admin');
      const title = input.title.trim();
      const text = input.text.trim();
      if (title === '' || text === '') fail('VALIDATION_FAILED', 'A broadcast needs a title and a text.');
      const toAll = input.to === 'all';
      const staffIds = input.to === 'all' ? [] : [...(input.to.staffIds ?? [])];
      const groupIds = input.to === 'all' ? [] : [...(input.to.groupIds ?? [])];
      if (!toAll && staffIds.length + groupIds.length === 0) fail('VALIDATION_FAILED', 'Send to "all", or list staffIds or groupIds.');
      if (staffIds.length > 0) {
        const known = new Set((await store.staff.findMany(me.shopId, staffIds)).filter((s) => s.disabledAt === null).map((s) => s.id));
        const unknown = staffIds.find((id) => !known.has(id));
        if (unknown !== undefined) fail('STAFF_NOT_FOUND', `No active staff member ${unknown} in your shop.`);
      }
      if (groupIds.length > 0) {
        const groups = await store.conversations.findMany(me.shopId, groupIds);
        const unknown = groupIds.find((id) => !groups.some((g) => g.id === id && g.kind === 'group'));
        if (unknown !== undefined) fail('CONVERSATION_NOT_FOUND', `No group ${unknown} in your shop.`);
      }
      const broadcast: BroadcastView = { id: newId(), shopId: me.shopId, senderId: me.id, senderName: me.name, title, text, toAll, createdAt: now(), readAt: null };
      await store.staffChat.createBroadcast(broadcast, { staffIds, groupIds });
      // Online recipients now: every staff connection of the shop, or those listed and the groups' members.
      const recipients = toAll ? 'all' : [...new Set([...staffIds, ...(await store.staffChat.membersOfGroups(me.shopId, groupIds))])];
      await events.emit({ type: 'broadcast.sent', broadcast, recipients });
      return broadcast;
    },

    /** The caller's broadcasts: unread first, then newest. */
    async list(principal: Principal, limit = LIST_MAX) {
      const me = requireRole(principal, 'agent');
      return store.staffChat.broadcastsFor(me.shopId, me.id, Math.min(limit, LIST_MAX));
    },

    async markRead(principal: Principal, broadcastId: string): Promise<BroadcastView> {
      const me = requireRole(principal, 'agent');
      const found = (await store.staffChat.broadcastFor(me.shopId, me.id, broadcastId)) ?? fail('BROADCAST_NOT_FOUND');
      if (found.readAt !== null) return found;
      await store.staffChat.markBroadcastRead(found.id, me.id, now());
      return (await store.staffChat.broadcastFor(me.shopId, me.id, broadcastId)) ?? found;
    },
  };
}
