import type { Visibility } from '@frontdesk/protocol';
import type { Audience, BusEvent } from '../bus/bus.ts';
import type { ConversationFacts } from './records.ts';

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

/** Sessions of one user ended: only that user's sockets hear of it (and are closed). */
export function signedOut(userId: string, tokenHash: string | null, reason: 'TOKEN_INVALID' | 'ACCOUNT_DISABLED'): BusEvent {
  return { type: 'signed-out', audience: { userIds: [userId], shopStaff: null, exceptUserIds: [] }, userId, tokenHash, reason };
}
