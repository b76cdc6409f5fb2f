import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import type { ConversationRecord, ConversationView, MessageRecord, Principal } from './records.ts';
import { requireRole } from './staff.ts';

export interface SearchHits {
  readonly conversations: readonly ConversationView[];
  readonly messages: ReadonlyArray<{ readonly message: MessageRecord; readonly conversation: ConversationRecord }>;
}

export const SEARCH_LIMIT_DEFAULT = 20;

/** The console's search box: customers by who they are, messages by what they say (staff only). */
export function createSearch({ store }: DomainDeps) {
  return {
    async search(principal: Principal, q: string, limit = SEARCH_LIMIT_DEFAULT): Promise<SearchHits> {
      const staff = requireRole(principal, 'agent');
      const text = q.trim();
      if (text === '') fail('VALIDATION_FAILED', '"q" is empty.');
      const [conversations, messages] = await Promise.all([
        store.conversations.listForShop(staff.shopId, staff.id, { customerMatch: text }, null, limit),
        store.messages.search(staff.shopId, staff.id, text, limit),
      ]);
      const found = await store.conversations.findMany(staff.shopId, [...new Set(messages.map((m) => m.conversationId))]);
      const byId = new Map(found.map((c) => [c.id, c]));
      return {
        conversations,
        // A conversation gone in between (a merged visitor's) takes its messages with it.
        messages: messages.flatMap((message) => {
          const conversation = byId.get(message.conversationId);
          return conversation ? [{ message, conversation }] : [];
        }),
      };
    },
  };
}
