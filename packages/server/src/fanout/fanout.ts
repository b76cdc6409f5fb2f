import type { ConversationChange } from '@frontdesk/protocol';
import type { DomainEvent } from '../domain/events.ts';
import type { ConversationStore } from '../domain/ports.ts';
import { presentBroadcast, presentConversationSummary, presentMessage } from '../domain/present.ts';
import { factsOf, type ConversationFacts } from '../domain/records.ts';
import { audienceFor, campaignAudience, customerOnly, pushAudience, shopAdmins, shopStaff, staffOfConversation, userOnly, usersOnly, withoutCustomer } from './audience.ts';
import { presentCampaign } from '../domain/campaigns/present.ts';
import { presentCsat } from '../domain/csat.ts';
import type { Bus, BusEvent } from './bus.ts';

const changes = {
  'inquiry.queued': 'queued',
  'inquiry.assigned': 'assigned',
  'inquiry.transferred': 'transferred',
  'inquiry.closed': 'closed',
  'member.added': 'invited',
  'conversation.merged': 'merged',
  'group.updated': 'updated',
} as const satisfies Record<string, ConversationChange>;

/**
 * A node of the cluster died between storing and publishing, perhaps: told once (by the node that
 * cleaned up after it), every node asks all its clients to sync (a `resync` frame).
 */
export function announceNodeDeath(bus: Bus): Promise<void> {
  return bus.publish({ type: 'resync', audience: usersOnly([]) });
}

/**
 * The subscriber that turns domain events into what sockets receive, each with its audience
 * (audience.ts, the one rule), and the only code that publishes on the bus. Events with nothing for
 * sockets (a shop's settings, a deleted message for now) publish nothing.
 */
export function fanout(bus: Bus, conversations: Pick<ConversationStore, 'memberIds'>) {
  /** Direct and group conversations reach their members; service ones reach the shop's staff anyway. */
  const membersOf = (conversation: ConversationFacts) =>
    conversation.kind === 'service' ? Promise.resolve([]) : conversations.memberIds(conversation.id);
  const origin = (id: string | undefined) => (id === undefined ? {} : { originConnectionId: id });

  async function frames(event: DomainEvent): Promise<BusEvent[]> {
    switch (event.type) {
      case 'message.created': {
        const { conversation, message } = event;
        if (event.campaign !== undefined) return [{ type: 'message', audience: campaignAudience(conversation, event.campaign.staffIds), message: presentMessage(message) }];
        return [{ type: 'message', audience: audienceFor(conversation, await membersOf(conversation), message.visibility), message: presentMessage(message), ...origin(event.originConnectionId) }];
      }
      case 'inquiry.queued':
      case 'inquiry.assigned':
      case 'inquiry.transferred':
      case 'inquiry.closed':
      case 'member.added':
      case 'group.updated':
      case 'conversation.merged': {
        const facts = factsOf(event.conversation);
        const frame = {
          type: 'conversation',
          audience: audienceFor(facts, await membersOf(facts), 'public'),
          conversation: presentConversationSummary(event.conversation),
          change: changes[event.type],
          ...(event.type === 'conversation.merged' && event.fromConversationId !== null && { mergedFromId: event.fromConversationId }),
        } as const;
        // Labels, priority and snooze are the shop's own: the customer gets a copy without them.
        const { labelIds, priority, snoozedUntil } = event.conversation;
        if (facts.customerId === null || (labelIds.length === 0 && priority === 'none' && snoozedUntil === null)) return [frame];
        return [
          { ...frame, audience: withoutCustomer(frame.audience, facts) },
          { ...frame, audience: customerOnly(facts), conversation: { ...frame.conversation, labelIds: [], priority: 'none', snoozedUntil: null } },
        ];
      }
      case 'conversation.prioritised':
      case 'conversation.snoozed':
      case 'conversation.woken':
      case 'conversation.labelled': {
        // Labels are the shop's own: its staff see the change, the customer is not told.
        const facts = factsOf(event.conversation);
        return [{ type: 'conversation', audience: staffOfConversation(facts), conversation: presentConversationSummary(event.conversation), change: 'updated' }];
      }
      case 'member.removed': {
        // The members, and the one who is no longer among them (their lists drop the group).
        const facts = factsOf(event.conversation);
        const audience = audienceFor(facts, [...(await membersOf(facts)), event.userId], 'public');
        return [{ type: 'conversation', audience, conversation: presentConversationSummary(event.conversation), change: 'removed', userId: event.userId }];
      }
      case 'message.updated':
      case 'message.deleted': {
        const { conversation, message } = event;
        return [{ type: 'message.updated', audience: audienceFor(conversation, await membersOf(conversation), message.visibility), message: presentMessage(message) }];
      }
      case 'broadcast.sent': {
        const audience = event.recipients === 'all' ? shopStaff(event.broadcast.shopId) : usersOnly(event.recipients);
        return [{ type: 'broadcast', audience, broadcast: presentBroadcast(event.broadcast) }];
      }
      case 'read.moved':
        return receipts(event);
      case 'typing.started': {
        const { conversation, userId } = event;
        const audience = audienceFor(conversation, await membersOf(conversation), 'public', [userId]);
        return [{ type: 'typing', audience, conversationId: conversation.id, userId, userKind: event.userKind }];
      }
      case 'presence.changed':
        return event.before === event.after ? [] : [{ type: 'presence', audience: shopStaff(event.shopId), userId: event.staffId, status: event.after }];
      case 'queue.moved':
        return [{ type: 'queue', audience: userOnly(event.customerId), conversationId: event.conversationId, position: event.position }];
      case 'session.ended':
        return [{ type: 'signed-out', audience: userOnly(event.userId), userId: event.userId, tokenHash: event.tokenHash, reason: event.reason }];
      case 'push.requested':
        return [{ type: 'push', audience: pushAudience(event.shopId, event.target), operation: event.operation, body: event.body, speed: event.speed }];
      case 'shop.updated':
        return [{ type: 'shop.changed', audience: usersOnly([]), shopId: event.shop.id }];
      case 'staff.created':
      case 'staff.updated':
      case 'customer.created':
      case 'customer.updated':
        return [];
      case 'csat.submitted':
        return [{ type: 'csat', audience: shopAdmins(event.rating.shopId), rating: presentCsat(event.rating) }];
      case 'campaign.progressed':
      case 'campaign.completed':
        return [{ type: 'campaign', audience: shopAdmins(event.campaign.shopId), campaign: presentCampaign(event.campaign, event.results) }];
    }
  }

  /**
   * Read receipts go to everyone in the conversation, the reader's other devices included (their
   * unread badges clear too); only the connection that sent the read is skipped. The customer's
   * copy of a staff receipt stops at the last public message, so a cursor on an internal note
   * reveals nothing.
   */
  async function receipts(event: Extract<DomainEvent, { type: 'read.moved' }>): Promise<BusEvent[]> {
    const facts = factsOf(event.conversation);
    const members = await membersOf(facts);
    const base = { type: 'read', conversationId: facts.id, userId: event.userId } as const;
    if (event.readerKind === 'customer') return [{ ...base, audience: audienceFor(facts, members, 'public'), seq: event.seq, ...origin(event.originConnectionId) }];
    const staffCopy: BusEvent = { ...base, audience: audienceFor(facts, members, 'internal'), seq: event.seq, ...origin(event.originConnectionId) };
    if (facts.customerId === null) return [staffCopy];
    const publicSeq = Math.min(event.seq, event.conversation.lastPublicMessageSeq);
    return [staffCopy, { ...base, audience: customerOnly(facts), seq: publicSeq }];
  }

  return async (event: DomainEvent): Promise<void> => {
    for (const frame of await frames(event)) await bus.publish(frame);
  };
}
