import type { ConversationStore } from './ports.ts';
import { fail } from './errors.ts';
import type { ConversationRecord, MemberRecord, Principal } from './records.ts';

export interface Access {
  readonly conversation: ConversationRecord;
  readonly member: MemberRecord | undefined;
  /** Internal notes are visible (staff only). */
  readonly seesInternal: boolean;
}

/**
 * Who may open a conversation. Staff: any service conversation of their own shop (seed 000: the
 * next agent sees the whole history), direct and group ones only as members. Customers: their own
 * service conversations. Everything else is "not found", so ids of other tenants reveal nothing.
 */
export async function openConversation(
  conversations: ConversationStore,
  principal: Principal,
  conversationId: string,
): Promise<Access> {
  const conversation = await conversations.find(conversationId);
  if (!conversation) fail('CONVERSATION_NOT_FOUND');
  if (principal.kind === 'staff') {
    if (conversation.shopId !== principal.staff.shopId) fail('CONVERSATION_NOT_FOUND');
    const member = await conversations.member(conversation.id, principal.staff.id);
    if (conversation.kind !== 'service' && !member) fail('CONVERSATION_NOT_FOUND');
    return { conversation, member, seesInternal: true };
  }
  if (conversation.kind !== 'service' || conversation.customer?.id !== principal.customer.id) {
    fail('CONVERSATION_NOT_FOUND');
  }
  const member = await conversations.member(conversation.id, principal.customer.id);
  return { conversation, member, seesInternal: false };
}
