/**
 * What is timed: the reads every screen starts with, through the real store, each paired with the
 * baseline that returns the same page (see baseline.ts).
 */
import type { Kysely } from 'kysely';
import type { Store } from '../../packages/server/src/domain/ports.ts';
import type { Database } from '../../packages/server/src/storage/schema.ts';
import { memberScope, naiveHistoryPage, naiveLatestHistory, naiveList, shopScope, type AnyRow } from './baseline.ts';
import type { FillResult } from './fill.ts';
import type { Scenario } from './measure.ts';
import type { Rng } from './rng.ts';

export const PAGE = 50;
/** The domain asks the store for one row more than the page to know whether there is a next one. */
export const FETCH = PAGE + 1;
export const LONG_CONVERSATION = 1_000;

export interface Pools {
  readonly platformShopsEach: number;
  readonly shops: readonly {
    readonly id: string;
    readonly staffIds: readonly string[];
    /** The shop's service conversations in list order (newest activity first). */
    readonly order: readonly { readonly id: string; readonly lastActivityAt: number }[];
  }[];
  readonly platformCustomerIds: readonly string[];
  readonly shopCustomerIds: readonly string[];
  readonly conversationIds: readonly string[];
  readonly longConversationIds: readonly string[];
  /** Deep history pages of long conversations: beforeSeq for ours, the equivalent OFFSET for the baseline. */
  readonly deepPages: readonly { readonly conversationId: string; readonly beforeSeq: number; readonly offset: number }[];
}

/** Inputs drawn from the filled data (lists in order, deep history positions), gathered before timing. */
export async function buildPools(
  db: Kysely<Database>,
  filled: FillResult,
  platformShopsEach: number,
  rng: Rng,
): Promise<Pools> {
  const shops = [];
  for (const shop of filled.shops) {
    const order = await db
      .selectFrom('conversations')
      .select(['id', 'last_activity_at'])
      .where('shop_id', '=', shop.id)
      .where('kind', '=', 'service')
      .orderBy('last_activity_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    shops.push({ id: shop.id, staffIds: shop.staffIds, order: order.map((r) => ({ id: r.id, lastActivityAt: Number(r.last_activity_at) })) });
  }
  const long = filled.conversations.filter((c) => c.lastSeq >= LONG_CONVERSATION);
  const deepPages = [];
  for (let i = 0; i < 300 && long.length > 0; i++) {
    const conversation = rng.pick(long);
    const beforeSeq = Math.floor(conversation.lastSeq * (0.25 + 0.5 * rng()));
    const row = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('conversation_id', '=', conversation.id)
      .where('visibility', '=', 'public')
      .where('seq', '<', beforeSeq)
      .executeTakeFirstOrThrow();
    deepPages.push({ conversationId: conversation.id, beforeSeq, offset: Math.max(0, Number(row.n) - PAGE) });
  }
  return {
    platformShopsEach,
    shops,
    platformCustomerIds: filled.platformCustomerIds,
    shopCustomerIds: filled.shopCustomerIds,
    conversationIds: filled.conversations.map((c) => c.id),
    longConversationIds: long.map((c) => c.id),
    deepPages,
  };
}

export interface Case<T> extends Scenario<T> {
  /** Ours and the baseline must return the same page: the keys of each, compared before timing. */
  readonly oursKeys: (result: unknown) => string[];
  readonly baselineKeys: (result: unknown) => string[];
}

const conversationKeys = (result: unknown) => (result as { id: string }[]).map((c) => c.id);
const rowIds = (result: unknown) => (result as { rows: AnyRow[] }).rows.map((r) => String(r.id));
const historyKeys = (result: unknown) => (result as { items: { seq: number }[] }).items.map((m) => String(m.seq));
const rowSeqs = (result: unknown) => (result as { rows: AnyRow[] }).rows.map((r) => String(r.seq));

export function scenarios(db: Kysely<Database>, store: Store, pools: Pools, rng: Rng): Case<any>[] {
  const randomShop = () => rng.pick(pools.shops);
  const viewer = (shop: Pools['shops'][number]) => rng.pick(shop.staffIds);
  const cases: Case<any>[] = [
    {
      name: `customer list, platform customer (${pools.platformShopsEach} shops)`,
      target: true,
      input: () => rng.pick(pools.platformCustomerIds),
      ours: (customerId: string) => store.conversations.listForMember(customerId, null, FETCH),
      baseline: (customerId: string) => naiveList(db, memberScope(customerId), customerId, FETCH, 0),
      oursKeys: conversationKeys,
      baselineKeys: rowIds,
    },
    {
      name: 'customer list, shop customer (1 shop)',
      target: true,
      input: () => rng.pick(pools.shopCustomerIds),
      ours: (customerId: string) => store.conversations.listForMember(customerId, null, FETCH),
      baseline: (customerId: string) => naiveList(db, memberScope(customerId), customerId, FETCH, 0),
      oursKeys: conversationKeys,
      baselineKeys: rowIds,
    },
    {
      // Not one of the three: the console's "mine" tab, an agent's memberships across many conversations.
      name: "agent's own list ('mine'), first page",
      target: false,
      input: () => {
        const shop = randomShop();
        return viewer(shop);
      },
      ours: (staffId: string) => store.conversations.listForMember(staffId, null, FETCH),
      baseline: (staffId: string) => naiveList(db, memberScope(staffId), staffId, FETCH, 0),
      oursKeys: conversationKeys,
      baselineKeys: rowIds,
    },
    {
      name: 'shop list, first page of 50',
      target: true,
      input: () => {
        const shop = randomShop();
        return { shopId: shop.id, viewerId: viewer(shop) };
      },
      ours: (x: { shopId: string; viewerId: string }) => store.conversations.listForShop(x.shopId, x.viewerId, {}, null, FETCH),
      baseline: (x: { shopId: string; viewerId: string }) => naiveList(db, shopScope(x.shopId), x.viewerId, FETCH, 0),
      oursKeys: conversationKeys,
      baselineKeys: rowIds,
    },
    {
      name: 'shop list, page of 50 from the middle (cursor)',
      target: true,
      input: () => {
        const shop = randomShop();
        // A position in the middle half of the list; the baseline gets the same page by OFFSET.
        const index = Math.floor(shop.order.length * (0.25 + 0.5 * rng()));
        const after = shop.order[index - 1] ?? null;
        return { shopId: shop.id, viewerId: viewer(shop), after, offset: after === null ? 0 : index };
      },
      ours: (x: { shopId: string; viewerId: string; after: { id: string; lastActivityAt: number } | null }) =>
        store.conversations.listForShop(x.shopId, x.viewerId, {}, x.after, FETCH),
      baseline: (x: { shopId: string; viewerId: string; offset: number }) => naiveList(db, shopScope(x.shopId), x.viewerId, FETCH, x.offset),
      oursKeys: conversationKeys,
      baselineKeys: rowIds,
    },
    ...(['queued', 'assigned'] as const).map(
      (status): Case<{ shopId: string; viewerId: string }> => ({
        name: `shop list, status = ${status}, first page`,
        target: true,
        input: () => {
          const shop = randomShop();
          return { shopId: shop.id, viewerId: viewer(shop) };
        },
        ours: (x) => store.conversations.listForShop(x.shopId, x.viewerId, { status }, null, FETCH),
        baseline: (x) => naiveList(db, shopScope(x.shopId, status), x.viewerId, FETCH, 0),
        oursKeys: conversationKeys,
        baselineKeys: rowIds,
      }),
    ),
    {
      name: 'history, latest page of 50, any conversation',
      target: true,
      input: () => rng.pick(pools.conversationIds),
      ours: (id: string) => store.messages.history(id, { limit: PAGE, includeInternal: false }),
      baseline: (id: string) => naiveLatestHistory(db, id, PAGE),
      oursKeys: historyKeys,
      baselineKeys: rowSeqs,
    },
    {
      name: `history, latest page of 50, conversation ≥ ${LONG_CONVERSATION} msgs`,
      target: true,
      input: () => rng.pick(pools.longConversationIds),
      ours: (id: string) => store.messages.history(id, { limit: PAGE, includeInternal: false }),
      baseline: (id: string) => naiveLatestHistory(db, id, PAGE),
      oursKeys: historyKeys,
      baselineKeys: rowSeqs,
    },
    {
      name: `history, page of 50 from the middle (beforeSeq), ≥ ${LONG_CONVERSATION} msgs`,
      target: true,
      input: () => rng.pick(pools.deepPages),
      ours: (x: Pools['deepPages'][number]) =>
        store.messages.history(x.conversationId, { beforeSeq: x.beforeSeq, limit: PAGE, includeInternal: false }),
      baseline: (x: Pools['deepPages'][number]) => naiveHistoryPage(db, x.conversationId, PAGE, x.offset),
      oursKeys: historyKeys,
      baselineKeys: rowSeqs,
    },
  ];
  // A small fill may have no long conversation at all.
  return pools.longConversationIds.length > 0 ? cases : cases.filter((c) => !c.name.includes(`≥ ${LONG_CONVERSATION}`));
}

/** Same page from both, on a few inputs: the baseline is a real alternative, not a strawman. */
export async function verify(cases: readonly Case<any>[]): Promise<void> {
  for (const c of cases) {
    for (let i = 0; i < 5; i++) {
      const input = c.input();
      const ours = c.oursKeys(await c.ours(input));
      const baseline = c.baselineKeys(await c.baseline!(input));
      if (ours.join() !== baseline.join()) {
        throw new Error(`"${c.name}": ours and the baseline disagree\n ours:     ${ours.join(' ')}\n baseline: ${baseline.join(' ')}`);
      }
    }
  }
}
