import type { Notice, Visibility } from '@frontdesk/protocol';
import type { DomainDeps } from '../domain.ts';
import { newId } from '../ids.ts';
import type { ConversationFacts, MessageRecord } from '../records.ts';

/**
 * A system message in a conversation's timeline (an assignment, a group's rename…), stored and
 * delivered like any other message. `notice` says what happened as data, for clients to word it
 * in their own language; `text` is the English wording.
 */
export async function postSystemMessage(
  { store, events, now }: Pick<DomainDeps, 'store' | 'events' | 'now'>,
  facts: ConversationFacts,
  text: string,
  options: { visibility?: Visibility; notice?: Notice } = {},
): Promise<MessageRecord> {
  const { message, duplicate } = await store.messages.append({
    id: newId(),
    shopId: facts.shopId,
    conversationId: facts.id,
    senderId: null,
    senderKind: 'system',
    senderRole: null,
    kind: 'system',
    contentType: 'text',
    text,
    visibility: options.visibility ?? 'public',
    clientMsgId: null,
    notice: options.notice ?? null,
    createdAt: now(),
    openInquiry: null,
  });
  if (!duplicate) await events.emit({ type: 'message.created', conversation: facts, message, resent: false });
  return message;
}
