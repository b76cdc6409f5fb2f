import type { ConversationStore } from './ports.ts';
import { fail } from './errors.ts';
import type { ConversationFacts, ConversationRecord, MemberRecord, Principal } from './records.ts';

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
  const facts = { id: conversation.id, shopId: conversation.shopId, kind: conversation.kind, customerId: conversation.customer?.id ?? null };
  const { member } = await authorize(conversations, principal, facts, true);
  return { conversation, member, seesInternal: principal.kind === 'staff' };
}

/**
 * The rule above on a conversation's immutable facts. Service conversations need no membership,
 * so the hot path (sending) reads the member row only when asked or when the rule needs it.
 */
export async function authorize(
  conversations: ConversationStore,
  principal: Principal,
  facts: ConversationFacts,
  wantMember: boolean,
): Promise<{ member: MemberRecord | undefined }> {
  const userId = principal.kind === 'staff' ? principal.staff.id : principal.customer.id;
  if (principal.kind === 'staff') {
    if (facts.shopId !== principal.staff.shopId) fail('CONVERSATION_NOT_FOUND');
  } else if (facts.kind !== 'service' || facts.customerId !== principal.customer.id) {
    fail('CONVERSATION_NOT_FOUND');
  }
  if (facts.kind === 'service' && !wantMember) return { member: undefined };
  const member = await conversations.member(facts.id, userId);
  if (facts.kind !== 'service' && !member) fail('CONVERSATION_NOT_FOUND');
  return { member };
}
