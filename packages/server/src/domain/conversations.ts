import { limits, priorities, type Channel, type InboxCounts, type InquiryStatus, type Priority, type Team } from '@frontdesk/protocol';
import { openConversation } from './access.ts';
import { fail } from './errors.ts';
import type { ConversationFilter } from './ports.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { DomainDeps } from './domain.ts';
import { isOpenAt, nextOpeningAt } from './business-hours.ts';
import { prechatOf } from './shop-settings.ts';
import type { ConversationView, MemberRecord, Principal } from './records.ts';
import { factsOf, principalUserId } from './records.ts';
import { requireRole } from './staff.ts';

export interface ConversationListQuery {
  readonly status?: InquiryStatus;
  readonly assigneeId?: string;
  /** Staff only: 'shop' lists the shop's service conversations, 'mine' those they are a member of. */
  readonly scope?: 'shop' | 'mine';
  /**
   * Staff only, the console's tabs (docs/routing.md): 'queue' waiting for an agent, 'mine' assigned
   * to the caller, 'open' queued or assigned, 'closed', 'snoozed' (docs/console.md). Combines (and)
   * with every filter below, as a saved view's do: a status or an assignee the view rules out lists
   * nothing ('queue' with status 'closed').
   */
  readonly view?: 'queue' | 'mine' | 'open' | 'closed' | 'snoozed';
  /** Staff only: conversations with this label of the shop. */
  readonly labelId?: string;
  /** Staff only: conversations whose customer came by this channel. */
  readonly channel?: Channel;
  /** Staff only: conversations of this priority (domain/inbox/triage.ts). */
  readonly priority?: Priority;
  /** Staff only: 'priority' puts the most urgent first (then newest activity, the default order). */
  readonly sort?: 'recent' | 'priority';
  readonly cursor?: string;
  readonly limit?: number;
}

/** What narrows a staff list and its counts besides the view: status, assignee, label, channel, priority (all combine). */
export type ConversationNarrowing = Pick<ConversationListQuery, 'status' | 'assigneeId' | 'labelId' | 'channel' | 'priority'>;

/**
 * A view's filter (or none) with the query's status, assignee, label, channel and priority, all
 * holding; null when the view rules the query out ('queue' with status 'closed').
 */
function staffFilter(view: ConversationFilter, query: ConversationNarrowing): ConversationFilter | null {
  const { status, assigneeId, labelId, channel, priority } = query;
  if (status !== undefined && view.status !== undefined && view.status !== status) return null;
  if (assigneeId !== undefined && view.assigneeId !== undefined && view.assigneeId !== assigneeId) return null;
  return {
    ...view,
    ...(status !== undefined && { status }),
    ...(assigneeId !== undefined && { assigneeId }),
    ...(labelId !== undefined && { labelId }),
    ...(channel !== undefined && { channel }),
    ...(priority !== undefined && { priority: priorities.indexOf(priority) }),
  };
}

export interface ConversationListPage {
  readonly items: readonly ConversationView[];
  readonly nextCursor: string | null;
}

export function createConversations({ store, events, now }: DomainDeps) {
  /**
   * Staff a customer has heard of: authors of public messages, and those a public system line names
   * ("Ann transferred the conversation to Bea"), for the widget to word it in the customer's language.
   */
  async function customerKnows(conversationId: string): Promise<string[]> {
    const [senders, notices] = await Promise.all([store.messages.publicStaffSenders(conversationId), store.messages.publicNotices(conversationId)]);
    return [...senders, ...notices.flatMap((n) => [n.actorId, ...n.userIds].filter((id): id is string => id !== null))];
  }

  return {
    /** Customers: their conversations across shops. Staff: the shop's service conversations. */
    async list(principal: Principal, query: ConversationListQuery): Promise<ConversationListPage> {
      const after = decodeCursor(query.cursor);
      const limit = Math.min(query.limit ?? limits.pageDefault, limits.pageMax);
      const fetch = limit + 1;
      if (query.view !== undefined && (principal.kind !== 'staff' || query.scope !== undefined)) {
        fail('VALIDATION_FAILED', '"view" is for staff and does not combine with "scope".');
      }
      const byPriority = query.sort === 'priority';
      let rows: ConversationView[];
      if (principal.kind === 'staff' && query.scope !== 'mine') {
        const filter = staffFilter(query.view === undefined ? {} : viewFilter(query.view, principal.staff.id), query);
        if (filter === null) return { items: [], nextCursor: null };
        rows = await store.conversations.listForShop(principal.staff.shopId, principal.staff.id, { ...filter, ...(byPriority && { byPriority }) }, after, fetch);
      } else {
        rows = await store.conversations.listForMember(principal.kind === 'staff' ? principal.staff.id : principal.customer.id, after, fetch);
      }
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const position = last && { lastActivityAt: last.lastActivityAt, id: last.id, ...(byPriority && { priority: priorities.indexOf(last.priority) }) };
      return { items, nextCursor: rows.length > limit && position ? encodeCursor(position) : null };
    },

    /**
     * How many conversations each view holds: counted with the views' own filters and the list's
     * other filters, so the tabs and their badges agree with what a filtered list shows.
     */
    async counts(principal: Principal, query: ConversationNarrowing = {}): Promise<InboxCounts> {
      const staff = requireRole(principal, 'agent');
      const count = async (view: NonNullable<ConversationListQuery['view']>) => {
        const filter = staffFilter(viewFilter(view, staff.id), query);
        return filter === null ? 0 : store.conversations.countForShop(staff.shopId, filter);
      };
      const [queue, mine, open, closed, snoozed] = await Promise.all([count('queue'), count('mine'), count('open'), count('closed'), count('snoozed')]);
      return { queue, mine, open, closed, snoozed };
    },

    async get(principal: Principal, conversationId: string): Promise<ConversationView> {
      const { conversation, member } = await openConversation(store.conversations, principal, conversationId);
      return { ...conversation, readSeq: member?.readSeq ?? 0, readPublicSeq: member?.readPublicSeq ?? 0 };
    },

    /** Moves the caller's read cursor up to a message, named by its id (openresty-im's op 16). */
    async markReadAt(principal: Principal, conversationId: string, messageId: string, originConnectionId?: string): Promise<MemberRecord> {
      const { seesInternal } = await openConversation(store.conversations, principal, conversationId);
      const message = await store.messages.find(conversationId, messageId);
      if (!message || (message.visibility === 'internal' && !seesInternal)) fail('MESSAGE_NOT_FOUND');
      return this.markRead(principal, conversationId, message.seq, originConnectionId);
    },

    /** Moves the caller's read cursor forward; a lower seq than the current cursor changes nothing. */
    async markRead(principal: Principal, conversationId: string, seq: number, originConnectionId?: string): Promise<MemberRecord> {
      const { conversation, member } = await openConversation(store.conversations, principal, conversationId);
      const user = {
        id: principalUserId(principal),
        kind: principal.kind,
        role: member?.role ?? (principal.kind === 'staff' ? 'viewer' : 'customer'),
      };
      // A customer's cursor stops at a public message (a system line included; the preview's
      // lastMessage skips those): it must not reveal internal notes.
      const previous = member?.readSeq ?? 0;
      const cursor = await store.conversations.markRead(conversation, user, seq, now(), principal.kind === 'customer');
      if (cursor.readSeq > previous) {
        await events.emit({ type: 'read.moved', conversation, readerKind: principal.kind, userId: user.id, seq: cursor.readSeq, originConnectionId });
      }
      return cursor;
    },

    /**
     * Who answers: names for the widget's avatars and whether anyone answers now (the offline
     * notice): within business hours and with an agent online.
     * A customer learns only of staff they have heard from (the assignee, authors of public
     * messages, staff named by public system lines), so a colleague consulted by internal note stays unseen.
     */
    async team(principal: Principal, conversationId: string): Promise<Team> {
      const { conversation } = await openConversation(store.conversations, principal, conversationId);
      const [ids, staff, agents, shop] = await Promise.all([
        principal.kind === 'customer' ? customerKnows(conversation.id) : store.conversations.memberIds(conversation.id),
        store.staff.list(conversation.shopId),
        store.routing.agents(conversation.shopId),
        store.shops.find(conversation.shopId),
      ]);
      const known = new Set(ids);
      if (conversation.assigneeId !== null) known.add(conversation.assigneeId);
      const openNow = isOpenAt(shop?.settings.businessHours ?? null, now());
      const nextOpening = nextOpeningAt(shop?.settings.businessHours ?? null, now());
      return {
        members: staff.filter((s) => known.has(s.id)).map((s) => ({ id: s.id, name: s.name })),
        available: openNow && agents.some((a) => a.presence === 'online'),
        openNow,
        offlineMessage: shop?.settings.offlineMessage ?? '',
        askEmail: shop !== undefined && prechatOf(shop.settings).email !== 'off',
        opensAt: nextOpening === null ? null : new Date(nextOpening).toISOString(),
        assigneeAway: conversation.status === 'assigned' && agents.some((a) => a.staffId === conversation.assigneeId && a.presence !== 'online'),
        emailReplies: shop?.settings.email.enabled ?? false,
      };
    },

    /** "Someone is typing": ephemeral, never stored. */
    async typing(principal: Principal, conversationId: string): Promise<void> {
      const { conversation } = await openConversation(store.conversations, principal, conversationId);
      await events.emit({ type: 'typing.started', conversation: factsOf(conversation), userId: principalUserId(principal), userKind: principal.kind });
    },
  };
}

function viewFilter(view: NonNullable<ConversationListQuery['view']>, staffId: string): ConversationFilter {
  switch (view) {
    // A snoozed conversation leaves the open views until it wakes (domain/inbox/triage.ts).
    case 'queue':
      return { status: 'queued', snoozed: false };
    case 'mine':
      return { status: 'assigned', assigneeId: staffId, snoozed: false };
    case 'open':
      return { open: true, snoozed: false };
    case 'closed':
      return { status: 'closed' };
    case 'snoozed':
      return { open: true, snoozed: true };
  }
}

/** Unread as DESIGN.md §2 defines it; customers never count internal notes. */
export function unreadFor(view: ConversationView, principal: Principal): number {
  return principal.kind === 'customer'
    ? Math.max(0, view.lastPublicSeq - view.readPublicSeq)
    : Math.max(0, view.lastSeq - view.readSeq);
}
