import type { Visibility } from '@frontdesk/protocol';
import type { Audience } from './bus.ts';
import type { ConversationFacts } from '../domain/records.ts';
import type { PushTarget } from '../domain/events.ts';

/**
 * The one place that decides who receives an event about a conversation (STYLE.md).
 * - service: the customer, the staff members of the conversation, and (until routing decides
 *   otherwise) every staff member of the shop;
 * - direct and group: the members;
 * - internal notes: never the customer, whoever else is listed.
 */
export function audienceFor(
  conversation: ConversationFacts,
  memberIds: readonly string[],
  visibility: Visibility,
  exceptUserIds: readonly string[] = [],
): Audience {
  const customerId = conversation.customerId;
  const internal = visibility === 'internal';
  const userIds = new Set(memberIds);
  if (customerId !== null && !internal) userIds.add(customerId);
  if (customerId !== null && internal) userIds.delete(customerId);
  return {
    userIds: [...userIds],
    shopStaff: conversation.kind === 'service' ? conversation.shopId : null,
    exceptUserIds: internal && customerId !== null ? [...exceptUserIds, customerId] : [...exceptUserIds],
  };
}

/** The staff who may read a service conversation (every staff member of its shop), never its customer. */
export function staffOfConversation(conversation: ConversationFacts): Audience {
  return audienceFor(conversation, [], 'internal');
}

/** The same audience without the conversation's customer (who gets a copy of their own). */
export function withoutCustomer(audience: Audience, conversation: ConversationFacts): Audience {
  const customerId = conversation.customerId;
  if (customerId === null) return audience;
  return { ...audience, userIds: audience.userIds.filter((id) => id !== customerId), exceptUserIds: [...audience.exceptUserIds, customerId] };
}

/**
 * A campaign's message (docs/campaigns.md): the customer and the conversation's assignee, but not
 * every staff member of the shop: 100,000 of them at once would flood every console.
 */
export function campaignAudience(conversation: ConversationFacts, staffIds: readonly string[]): Audience {
  const userIds = conversation.customerId === null ? [...staffIds] : [conversation.customerId, ...staffIds];
  return { userIds, shopStaff: null, exceptUserIds: [] };
}

/** A campaign's progress: the owners and admins of its shop (who run campaigns). */
export function shopAdmins(shopId: string): Audience {
  return { userIds: [], shopStaff: null, exceptUserIds: [], shopAdmins: shopId };
}

/** Every device of one user, and no one else. */
export function userOnly(userId: string): Audience {
  return usersOnly([userId]);
}

/** The customer of a service conversation alone (their copy of a staff read receipt). */
export function customerOnly(conversation: ConversationFacts): Audience {
  return { userIds: conversation.customerId === null ? [] : [conversation.customerId], shopStaff: null, exceptUserIds: [] };
}

/** Users listed, on every device. */
export function usersOnly(userIds: readonly string[]): Audience {
  return { userIds: [...userIds], shopStaff: null, exceptUserIds: [] };
}

/** Every staff member of the shop (colleagues' presence). */
export function shopStaff(shopId: string): Audience {
  return { userIds: [], shopStaff: shopId, exceptUserIds: [] };
}

/**
 * A raw push of the push APIs: its target, and never anyone outside the shop that pushed it. A
 * conversation's push reaches whoever its public messages reach.
 */
export function pushAudience(shopId: string, target: PushTarget): Audience {
  const none: Audience = { userIds: [], shopStaff: null, exceptUserIds: [], withinShop: shopId };
  switch (target.kind) {
    case 'keys':
      return { ...none, connectionIds: [...target.keys] };
    case 'users':
      return { ...none, userIds: [...target.userIds] };
    case 'room':
      return { ...none, room: target.room };
    case 'conversation':
      return { ...audienceFor(target.conversation, [], 'public'), withinShop: shopId };
    case 'shop':
      return { ...none, shopAll: true };
  }
}
