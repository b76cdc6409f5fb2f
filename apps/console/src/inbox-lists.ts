/**
 * The console's inbox lists, kept by view and filters (`listKey`), as pure updates: a message
 * arriving moves its conversation to the top of every list that holds it; seeing one clears its
 * unread count everywhere.
 */
import type { Message } from '@frontdesk/protocol';
import type { View } from './api.ts';
import type { LabelledConversation } from './api-contacts.ts';
import { isRefined, type Refinement } from './inbox-filters.tsx';
import { previewOf } from './ui.tsx';

export type Lists = Record<string, LabelledConversation[]>;

/** The lists' key: a view alone, or with its filters. */
export const listKey = (view: View, refinement: Refinement) => (isRefined(refinement) ? `${view}:${JSON.stringify(refinement)}` : view);

/** `unread`: the message counts as unread for this agent (another's, by a person, not read on screen). */
export function withArrival(all: Lists, message: Message, unread: boolean): Lists {
  const next: Lists = {};
  for (const [v, items] of Object.entries(all)) {
    const found = items.find((c) => c.id === message.conversationId);
    if (!found) {
      next[v] = items;
      continue;
    }
    const updated: LabelledConversation = {
      ...found,
      // The preview is the last public message a person wrote (issue 22); any public line is activity.
      lastMessage: message.kind === 'system' || message.visibility === 'internal' ? found.lastMessage : { seq: message.seq, preview: previewOf(message), contentType: message.contentType, senderId: message.senderId, senderKind: message.senderKind, at: message.createdAt },
      lastActivityAt: message.visibility === 'internal' ? found.lastActivityAt : message.createdAt,
      lastSeq: Math.max(found.lastSeq, message.seq),
      unread: found.unread + (unread ? 1 : 0),
    };
    next[v] = [updated, ...items.filter((c) => c !== found)];
  }
  return next;
}

export function withSeen(all: Lists, conversationId: string): Lists {
  const next: Lists = {};
  for (const [v, items] of Object.entries(all)) next[v] = items.map((c) => (c.id === conversationId ? { ...c, unread: 0 } : c));
  return next;
}
