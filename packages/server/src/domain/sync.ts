import { realtimeDefaults } from '@frontdesk/protocol';
import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import type { MessageRecord, Principal } from './records.ts';

/**
 * "What did I miss?" (DESIGN.md §3) with one opaque token, however many conversations.
 *
 * Staff: a position in the shop's stream. Positions are handed out under the shop row's lock
 * inside the send transaction, so they commit in order: everything at or below the shop's current
 * position has committed, and "after P up to now" misses nothing.
 *
 * Customers (a handful of conversations): the last seq seen per conversation. Seqs are handed out
 * under the conversation row's lock, so the same argument holds per conversation.
 */
type StaffToken = { readonly v: 1; readonly k: 's'; readonly u: string; readonly p: number };
type CustomerToken = { readonly v: 1; readonly k: 'c'; readonly u: string; readonly c: Readonly<Record<string, number>> };

export interface SyncPage {
  readonly messages: readonly MessageRecord[];
  readonly token: string;
  readonly hasMore: boolean;
}

export function createSync({ store }: DomainDeps) {
  return {
    async sync(principal: Principal, token: string | undefined, requested?: number): Promise<SyncPage> {
      const limit = Math.max(1, Math.min(requested ?? realtimeDefaults.syncPageMax, realtimeDefaults.syncPageMax));
      if (principal.kind === 'staff') {
        const { id, shopId } = principal.staff;
        const upto = await store.messages.streamPosition(shopId);
        if (token === undefined) return { messages: [], token: encode({ v: 1, k: 's', u: id, p: upto }), hasMore: false };
        const from = decode(token, 's', id).p;
        const rows = await store.messages.shopStream(shopId, id, from, upto, limit + 1);
        const hasMore = rows.length > limit;
        const messages = rows.slice(0, limit);
        const next = hasMore ? messages.at(-1)!.streamPos : Math.max(upto, from);
        return { messages, token: encode({ v: 1, k: 's', u: id, p: next }), hasMore };
      }

      const id = principal.customer.id;
      const memberships = await store.conversations.memberships(id);
      if (token === undefined) {
        const c = Object.fromEntries(memberships.map((m) => [m.conversationId, m.lastSeq]));
        return { messages: [], token: encode({ v: 1, k: 'c', u: id, c }), hasMore: false };
      }
      const known = decode(token, 'c', id).c;
      const next: Record<string, number> = {};
      const messages: MessageRecord[] = [];
      let hasMore = false;
      for (const { conversationId, lastSeq } of memberships) {
        const seen = known[conversationId] ?? 0;
        next[conversationId] = seen;
        if (lastSeq <= seen) continue;
        const room = limit - messages.length;
        if (room <= 0) {
          hasMore = true;
          continue;
        }
        const page = await store.messages.history(conversationId, { afterSeq: seen, limit: room, includeInternal: false });
        messages.push(...page.items);
        // Caught up to the committed last seq (internal notes included, which are skipped).
        const lastFetched = page.items.at(-1)?.seq ?? seen;
        next[conversationId] = page.hasMore ? lastFetched : Math.max(lastSeq, lastFetched);
        hasMore ||= page.hasMore;
      }
      messages.sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq);
      return { messages, token: encode({ v: 1, k: 'c', u: id, c: next }), hasMore };
    },
  };
}

function encode(token: StaffToken | CustomerToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decode(token: string, kind: 's', userId: string): StaffToken;
function decode(token: string, kind: 'c', userId: string): CustomerToken;
function decode(token: string, kind: 's' | 'c', userId: string): StaffToken | CustomerToken {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return fail('INVALID_SYNC_TOKEN');
  }
  if (typeof value !== 'object' || value === null) fail('INVALID_SYNC_TOKEN');
  const t = value as Record<string, unknown>;
  if (t.v !== 1 || t.k !== kind || t.u !== userId) fail('INVALID_SYNC_TOKEN');
  if (kind === 's') {
    if (!Number.isSafeInteger(t.p) || (t.p as number) < 0) fail('INVALID_SYNC_TOKEN');
    return t as unknown as StaffToken;
  }
  const c = t.c;
  if (typeof c !== 'object' || c === null || Array.isArray(c)) fail('INVALID_SYNC_TOKEN');
  for (const seq of Object.values(c)) if (!Number.isSafeInteger(seq) || (seq as number) < 0) fail('INVALID_SYNC_TOKEN');
  return t as unknown as CustomerToken;
}
