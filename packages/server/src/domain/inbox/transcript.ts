import { limits, type TranscriptQuery } from '@frontdesk/protocol';
import type { DomainDeps } from '../domain.ts';
import { fail } from '../errors.ts';
import type { ConversationRecord, MessageRecord, Principal } from '../records.ts';
import { requireRole } from '../staff.ts';

/** One line of a transcript: who, when, what (docs/api.md "Transcripts"). */
export interface TranscriptEntry {
  readonly at: number;
  /** The author's name; null for system lines and names nobody knows (the format words them). */
  readonly author: string | null;
  readonly internal: boolean;
  readonly system: boolean;
  /** Written by the customer (a nameless one is worded "Visitor"). */
  readonly customer: boolean;
  /** null once deleted. */
  readonly text: string | null;
  readonly attachment: { readonly id: string; readonly name: string; readonly size: number } | null;
}

export interface Transcript {
  readonly conversation: ConversationRecord;
  /** null: an anonymous visitor without a name or e-mail. */
  readonly customerName: string | null;
  readonly entries: readonly TranscriptEntry[];
  readonly generatedAt: number;
}

/**
 * A conversation's whole history as a document, for staff of its shop: names instead of ids,
 * internal notes only when asked for. Customers and other shops get CONVERSATION_NOT_FOUND / FORBIDDEN.
 */
export function createTranscripts({ store, now }: DomainDeps) {
  return {
    async build(principal: Principal, conversationId: string, query: Pick<TranscriptQuery, 'notes'>): Promise<Transcript> {
      const staff = requireRole(principal, 'agent');
      const [conversation] = await store.conversations.findMany(staff.shopId, [conversationId]);
      if (!conversation || conversation.kind !== 'service') fail('CONVERSATION_NOT_FOUND');
      const includeInternal = query.notes === true;
      const messages: MessageRecord[] = [];
      for (let afterSeq = 0; ; ) {
        const page = await store.messages.history(conversationId, { afterSeq, limit: limits.pageMax, includeInternal });
        messages.push(...page.items);
        const last = page.items.at(-1);
        if (!page.hasMore || last === undefined) break;
        afterSeq = last.seq;
      }
      const names = new Map((await store.staff.list(staff.shopId)).map((s) => [s.id, s.name]));
      const customer = conversation.customer;
      const customerName = customer?.name ?? customer?.email ?? customer?.externalId ?? null;
      const authorOf = (m: MessageRecord) => (m.kind === 'system' ? null : m.senderKind === 'customer' ? customerName : (names.get(m.senderId ?? '') ?? null));
      return {
        conversation,
        customerName,
        generatedAt: now(),
        entries: messages.map((m) => ({
          at: m.createdAt,
          author: authorOf(m),
          internal: m.visibility === 'internal',
          system: m.kind === 'system',
          customer: m.senderKind === 'customer',
          text: m.deletedAt === null ? m.text : null,
          attachment: m.deletedAt === null && m.attachment ? { id: m.attachment.id, name: m.attachment.name, size: m.attachment.size } : null,
        })),
      };
    },
  };
}
