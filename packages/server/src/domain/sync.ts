import { realtimeDefaults } from '@frontdesk/protocol';
import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import type { MessageRecord, Principal, StreamPlace } from './records.ts';

/**
 * "What did I miss?" (DESIGN.md §3) with one opaque token, however many conversations.
 *
 * Staff: a place in the shop's stream, (transaction, rank). Sends lock only their conversations,
 * so transactions of one shop commit in any order; what makes a place safe to stand on is the
 * store's horizon, a transaction below which nothing can still appear (PostgreSQL: the oldest
 * transaction still running). A page returns every visible message after the token, but the token
 * moves only up to the horizon: what lies past it is returned again next time (clients drop repeats
 * by conversation and seq), so a message committed late by a slow transaction is never stepped over.
 *
 * Customers (a handful of conversations): the last seq seen per conversation. Seqs are handed out
 * under the conversation row's lock, so they commit in order per conversation.
 */
type StaffToken = { readonly v: 2; readonly k: 's'; readonly u: string; readonly t: number; readonly p: number };
type CustomerToken = { readonly v: 1; readonly k: 'c'; readonly u: string; readonly c: Readonly<Record<string, number>> };

/** How long a page stuck behind a running transaction waits for it to end before moving on. */
const HORIZON_WAIT_MS = 5_000;
const HORIZON_POLL_MS = 50;

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
        if (token === undefined) {
          const settled = await settledPlace(shopId);
          return { messages: [], token: encode({ v: 2, k: 's', u: id, t: settled.tx, p: settled.pos }), hasMore: false };
        }
        const { messages, next, hasMore } = await staffPage(shopId, id, decode(token, 's', id), limit);
        return { messages, token: encode({ v: 2, k: 's', u: id, t: next.tx, p: next.pos }), hasMore };
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

  /** Just before the horizon's first place: everything up to here is final. */
  async function settledPlace(shopId: string): Promise<StreamPlace> {
    return { tx: await store.messages.streamHorizon(shopId), pos: -1 };
  }

  /**
   * The messages after `from`, and how far the token may move: up to the last one returned, but
   * never past the horizon read before them, so a transaction still running then (whose messages
   * the page cannot hold) is not stepped over. When a whole page lies past such a transaction the
   * token cannot move at all: wait for it to end (the database ends any transaction of ours within
   * DATABASE_*_TIMEOUT_MS) and read the page again. A foreign transaction that outlasts the wait is
   * stepped over, so that a client never spins on the same page.
   */
  async function staffPage(shopId: string, viewerId: string, from: StreamPlace, limit: number) {
    const deadline = Date.now() + HORIZON_WAIT_MS;
    for (;;) {
      // The horizon first: every transaction below it had ended when the rows were read.
      const settled = await settledPlace(shopId);
      const rows = await store.messages.shopStream(shopId, viewerId, from, limit + 1);
      const hasMore = rows.length > limit;
      const messages = rows.slice(0, limit);
      const last = messages.at(-1)?.stream;
      const next = later(from, hasMore ? earlier(last!, settled) : settled);
      if (!hasMore || before(from, next)) return { messages, next, hasMore };
      if (Date.now() >= deadline) return { messages, next: last!, hasMore };
      await new Promise((resolve) => setTimeout(resolve, HORIZON_POLL_MS));
    }
  }
}

const before = (a: StreamPlace, b: StreamPlace) => a.tx < b.tx || (a.tx === b.tx && a.pos < b.pos);
const earlier = (a: StreamPlace, b: StreamPlace) => (before(a, b) ? a : b);
const later = (a: StreamPlace, b: StreamPlace) => (before(a, b) ? b : a);

function encode(token: StaffToken | CustomerToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decode(token: string, kind: 's', userId: string): StreamPlace;
function decode(token: string, kind: 'c', userId: string): CustomerToken;
function decode(token: string, kind: 's' | 'c', userId: string): StreamPlace | CustomerToken {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return fail('INVALID_SYNC_TOKEN');
  }
  if (typeof value !== 'object' || value === null) fail('INVALID_SYNC_TOKEN');
  const t = value as Record<string, unknown>;
  if (t.k !== kind || t.u !== userId) fail('INVALID_SYNC_TOKEN');
  const count = (n: unknown, min = 0) => Number.isSafeInteger(n) && (n as number) >= min;
  if (kind === 's') {
    // Version 1 held a position in the shop's old counter; those messages keep it, in transaction 0.
    if (t.v === 1 && count(t.p)) return { tx: 0, pos: t.p as number };
    if (t.v === 2 && count(t.t) && count(t.p, -1)) return { tx: t.t as number, pos: t.p as number };
    return fail('INVALID_SYNC_TOKEN');
  }
  const c = t.c;
  if (t.v !== 1 || typeof c !== 'object' || c === null || Array.isArray(c)) fail('INVALID_SYNC_TOKEN');
  for (const seq of Object.values(c)) if (!count(seq)) fail('INVALID_SYNC_TOKEN');
  return t as unknown as CustomerToken;
}
