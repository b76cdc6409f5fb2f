/**
 * Fills a migrated Frontdesk database with data shaped like the real send path leaves it:
 * shops with staff, shop-scoped and anonymous customers, platform customers with conversations in
 * several shops, one service conversation per shop + customer, and a skewed stream of messages
 * written in global time order (so a conversation's rows are scattered over the file, as in
 * production). Every message gets a gapless seq, public messages a public_seq, internal notes none;
 * inquiries open on a customer message and move queued → assigned → closed; the conversation's
 * denormalised fields and every sender's read cursor end up where append() and markRead() put them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { newId } from '../../packages/server/src/domain/ids.ts';
import { defaultShopSettings } from '../../packages/server/src/domain/shop-settings.ts';
import { createRng, type Rng } from './rng.ts';
import { Batch, type Row, type Sink } from './sinks.ts';
import { TimeHeap } from './time-heap.ts';

export interface FillOptions {
  readonly shops: number;
  readonly staffPerShop: number;
  readonly conversations: number;
  readonly messages: number;
  readonly platformCustomers: number;
  readonly platformShopsEach: number;
  readonly seed: number;
  /**
   * The schema places messages in their shop's stream (messages.stream_pos; stream_tx keeps its
   * default 0, as messages written before migration 0005 have it): one place each, in order.
   * Detected from the database, so the bench runs on schemas with and without it.
   */
  readonly streamPos: boolean;
  /** Rows per multi-row INSERT. */
  readonly batchRows: number;
  /** Messages per transaction. */
  readonly commitEvery: number;
  readonly onProgress?: (messagesWritten: number) => void;
}

export interface FilledShop {
  readonly id: string;
  readonly staffIds: readonly string[];
}

export interface FilledConversation {
  readonly id: string;
  readonly shopId: string;
  readonly customerId: string;
  readonly lastSeq: number;
}

export interface FillResult {
  readonly shops: readonly FilledShop[];
  readonly platformCustomerIds: readonly string[];
  readonly shopCustomerIds: readonly string[];
  readonly conversations: readonly FilledConversation[];
  readonly counts: Readonly<Record<string, number>>;
  /** Messages per conversation: median, p90, p99, max, and how many have 1,000 or more. */
  readonly distribution: { median: number; p90: number; p99: number; max: number; atLeast1000: number };
}

const DAY = 86_400_000;
export const START = Date.UTC(2025, 0, 1);
export const END = START + 365 * DAY;
const PREVIEW_CHARS = 140;

export const SHOP_COLUMNS = ['id', 'name', 'identity_secret', 'settings', 'created_at', 'updated_at'] as const;
export const STAFF_COLUMNS = [
  'id', 'shop_id', 'email', 'name', 'role', 'password_hash', 'capacity', 'disabled_at', 'created_at', 'updated_at',
] as const;
export const CUSTOMER_COLUMNS = [
  'id', 'shop_id', 'kind', 'identity_key', 'external_id', 'name', 'email', 'visitor_token_hash', 'created_at', 'updated_at',
] as const;
export const CONVERSATION_COLUMNS = [
  'id', 'shop_id', 'kind', 'unique_key', 'customer_id', 'title', 'owner_id', 'status', 'assignee_id', 'current_inquiry_id',
  'last_seq', 'last_public_seq', 'last_message_seq', 'last_message_preview', 'last_message_content_type',
  'last_message_sender_id', 'last_message_sender_kind', 'last_message_at', 'last_activity_at', 'created_at', 'updated_at',
] as const;
const CONVERSATION_FINAL_COLUMNS = [
  'status', 'assignee_id', 'current_inquiry_id', 'last_seq', 'last_public_seq', 'last_message_seq',
  'last_message_preview', 'last_message_content_type', 'last_message_sender_id', 'last_message_sender_kind',
  'last_message_at', 'last_activity_at', 'updated_at',
] as const;
export const MEMBER_COLUMNS = [
  'conversation_id', 'user_id', 'user_kind', 'shop_id', 'role', 'read_seq', 'read_public_seq', 'muted', 'joined_at',
] as const;
export const INQUIRY_COLUMNS = [
  'id', 'shop_id', 'conversation_id', 'customer_id', 'status', 'assignee_id', 'created_at', 'assigned_at',
  'first_response_at', 'closed_at',
] as const;
export const MESSAGE_COLUMNS = [
  'id', 'shop_id', 'conversation_id', 'seq', 'public_seq', 'sender_id', 'sender_kind', 'kind', 'content_type', 'text',
  'visibility', 'client_msg_id', 'created_at', 'deleted_at',
] as const;

// ---------------------------------------------------------------------------------------------
// The simulation

type Status = 'queued' | 'assigned' | 'closed';

interface InquiryDraft {
  readonly id: string;
  readonly conversationId: string;
  readonly shopId: string;
  readonly customerId: string;
  status: Status;
  assigneeId: string | null;
  readonly createdAt: number;
  assignedAt: number | null;
  firstResponseAt: number | null;
  closedAt: number | null;
}

interface ReadCursor {
  seq: number;
  publicSeq: number;
  readonly joinedAt: number;
}

interface ConversationState {
  readonly id: string;
  readonly shopIndex: number;
  readonly customerId: string;
  readonly createdAt: number;
  readonly total: number;
  remaining: number;
  nextAt: number;
  readonly meanGap: number;
  seq: number;
  publicSeq: number;
  status: Status | null;
  assigneeId: string | null;
  inquiry: InquiryDraft | null;
  lastAgent: string | null;
  lastPublic: { seq: number; preview: string; senderId: string; senderKind: string; at: number } | null;
  updatedAt: number;
  customerRead: ReadCursor;
  readonly staffRead: Map<string, ReadCursor>;
}

/** Messages per conversation: log-normal (median ≈ 28 at 100 on average), scaled to the exact total. */
function messageCounts(rng: Rng, conversations: number, total: number): number[] {
  if (total < conversations) throw new Error('need at least one message per conversation');
  const weights = Array.from({ length: conversations }, () => Math.exp(1.6 * rng.normal()));
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.max(1, Math.floor((w * total) / sum)));
  let diff = total - counts.reduce((a, b) => a + b, 0);
  while (diff !== 0) {
    const i = rng.int(conversations);
    if (diff > 0) {
      counts[i]! += 1;
      diff -= 1;
    } else if (counts[i]! > 1) {
      counts[i]! -= 1;
      diff += 1;
    }
  }
  return counts;
}

const WORDS = (
  'hello order delivery refund invoice package tracking address payment card thanks please could you check ' +
  'when will my parcel arrive sorry for the delay we have shipped it today yes no the size colour return label ' +
  'canteen menu lunch booking property repair office meeting room printer coupon discount voucher account login'
).split(' ');

function textPool(rng: Rng, size: number): string[] {
  return Array.from({ length: size }, () => {
    const words = 3 + Math.floor(Math.exp(rng() * 3.6)); // 4 … 40 words, mostly short
    const parts: string[] = [];
    for (let i = 0; i < words; i++) parts.push(rng.pick(WORDS));
    const text = parts.join(' ');
    return text.charAt(0).toUpperCase() + text.slice(1) + (rng() < 0.3 ? '?' : '.');
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function fill(sink: Sink, options: FillOptions): Promise<FillResult> {
  const rng = createRng(options.seed);
  const batch = (table: string, columns: readonly string[]) => new Batch(sink, table, columns, options.batchRows);

  // Shops and staff, created first.
  const shops: { id: string; agents: string[]; staffIds: string[]; streamPos: number }[] = [];
  await sink.begin();
  const shopBatch = batch('shops', SHOP_COLUMNS);
  const staffBatch = batch('staff', STAFF_COLUMNS);
  const settings = JSON.stringify(defaultShopSettings);
  let clock = START - 30 * DAY;
  for (let s = 0; s < options.shops; s++) {
    const id = newId();
    clock += 60_000;
    await shopBatch.add([id, `Bench shop ${s + 1}`, randomBytes(32).toString('hex'), settings, clock, clock]);
    const staffIds: string[] = [];
    const agents: string[] = [];
    for (let k = 0; k < options.staffPerShop; k++) {
      const staffId = newId();
      const role = k === 0 ? 'owner' : k === 1 ? 'admin' : 'agent';
      clock += 1_000;
      await staffBatch.add([
        staffId, id, `staff${k + 1}@shop${s + 1}.bench.invalid`, `Staff ${k + 1}`, role,
        'scrypt$bench$not-a-real-hash', null, null, clock, clock,
      ]);
      staffIds.push(staffId);
      if (role !== 'owner') agents.push(staffId);
    }
    shops.push({ id, agents, staffIds, streamPos: 0 });
  }
  await shopBatch.flush();
  await staffBatch.flush();
  await sink.commit();

  // Who talks to which shop: platform customers in several shops each, everyone else in one.
  const platformConversations = options.platformCustomers * options.platformShopsEach;
  const shopCustomers = options.conversations - platformConversations;
  if (shopCustomers < 0 || options.platformShopsEach > options.shops) throw new Error('too many platform conversations');
  const pairs: { customer: number; shop: number }[] = [];
  for (let p = 0; p < options.platformCustomers; p++) {
    const chosen = new Set<number>();
    while (chosen.size < options.platformShopsEach) chosen.add(rng.int(options.shops));
    for (const shop of chosen) pairs.push({ customer: p, shop });
  }
  for (let c = 0; c < shopCustomers; c++) pairs.push({ customer: options.platformCustomers + c, shop: rng.int(options.shops) });
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
  }
  // Conversations open over the year (first visits), in increasing created_at.
  const openedAt = pairs.map(() => START + Math.floor(rng() * (END - START - DAY))).sort((a, b) => a - b);

  // Customers, in the order of their first conversation.
  const customerCount = options.platformCustomers + shopCustomers;
  const customerIds: string[] = new Array(customerCount);
  await sink.begin();
  const customerBatch = batch('customers', CUSTOMER_COLUMNS);
  const seen = new Set<number>();
  for (let i = 0; i < pairs.length; i++) {
    const { customer, shop } = pairs[i]!;
    if (seen.has(customer)) continue;
    seen.add(customer);
    const id = newId();
    customerIds[customer] = id;
    const at = openedAt[i]! - 5_000;
    const shopId = shops[shop]!.id;
    if (customer < options.platformCustomers) {
      const ext = `platform-${customer + 1}`;
      await customerBatch.add([id, null, 'platform', `p:${ext}`, ext, `Platform customer ${customer + 1}`, `${ext}@example.invalid`, null, at, at]);
    } else if (rng() < 0.7) {
      const ext = `member-${customer + 1}`;
      await customerBatch.add([id, shopId, 'shop', `s:${shopId}:${ext}`, ext, `Customer ${customer + 1}`, null, null, at, at]);
    } else {
      await customerBatch.add([id, shopId, 'anonymous', `a:${id}`, null, null, null, randomBytes(32).toString('hex'), at, at]);
    }
  }
  await customerBatch.flush();
  await sink.commit();

  // Conversations as ensureService() creates them; the last-message fields follow the messages.
  const counts = messageCounts(rng, pairs.length, options.messages);
  const states: ConversationState[] = [];
  await sink.begin();
  const conversationBatch = batch('conversations', CONVERSATION_COLUMNS);
  for (let i = 0; i < pairs.length; i++) {
    const { customer, shop } = pairs[i]!;
    const id = newId();
    const customerId = customerIds[customer]!;
    const shopId = shops[shop]!.id;
    const createdAt = openedAt[i]!;
    await conversationBatch.add([
      id, shopId, 'service', `service:${shopId}:${customerId}`, customerId, null, null, null, null, null,
      0, 0, null, null, null, null, null, null, createdAt, createdAt, createdAt,
    ]);
    // Activity runs from the first visit to a point skewed towards the end of the year.
    const span = Math.max(3_600_000, (END - createdAt) * Math.sqrt(rng()));
    const total = counts[i]!;
    states.push({
      id, shopIndex: shop, customerId, createdAt, total, remaining: total,
      nextAt: createdAt + 1_000 + rng.int(60_000),
      meanGap: span / total,
      seq: 0, publicSeq: 0, status: null, assigneeId: null, inquiry: null, lastAgent: null, lastPublic: null,
      updatedAt: createdAt,
      customerRead: { seq: 0, publicSeq: 0, joinedAt: createdAt },
      staffRead: new Map(),
    });
  }
  await conversationBatch.flush();
  await sink.commit();

  // The message stream, in global time order.
  const texts = textPool(rng, 2_000);
  const inquiries: InquiryDraft[] = [];
  const heap = new TimeHeap((i) => states[i]!.nextAt);
  for (let i = 0; i < states.length; i++) heap.push(i);
  const messageBatch = batch('messages', options.streamPos ? [...MESSAGE_COLUMNS, 'stream_pos'] : MESSAGE_COLUMNS);
  let sinceCommit = 0;
  await sink.begin();
  while (heap.size > 0) {
    const index = heap.pop();
    const s = states[index]!;
    const shop = shops[s.shopIndex]!;
    const t = s.nextAt;
    let sender: 'customer' | 'staff' = 'customer';
    let visibility: 'public' | 'internal' = 'public';

    if (s.status === null || s.status === 'closed') {
      // A customer message on a conversation without an open inquiry opens one.
      const inquiry: InquiryDraft = {
        id: newId(), conversationId: s.id, shopId: shop.id, customerId: s.customerId, status: 'queued',
        assigneeId: null, createdAt: t, assignedAt: null, firstResponseAt: null, closedAt: null,
      };
      inquiries.push(inquiry);
      s.inquiry = inquiry;
      s.status = 'queued';
      s.assigneeId = null;
    } else if (s.status === 'queued') {
      if (rng() < 0.55) {
        // Routing: sticky to the previous agent most of the time.
        const agent = s.lastAgent !== null && rng() < 0.7 ? s.lastAgent : rng.pick(shop.agents);
        s.status = 'assigned';
        s.assigneeId = agent;
        s.lastAgent = agent;
        s.inquiry!.status = 'assigned';
        s.inquiry!.assigneeId = agent;
        s.inquiry!.assignedAt = Math.max(s.inquiry!.createdAt, t - 1);
        sender = 'staff';
      }
    } else {
      const r = rng();
      if (r < 0.06) {
        sender = 'staff';
        visibility = 'internal';
      } else if (r >= 0.52) {
        sender = 'staff';
      }
    }

    const senderId = sender === 'customer' ? s.customerId : s.assigneeId!;
    const text = rng.pick(texts);
    s.seq += 1;
    let publicSeq: number | null = null;
    if (visibility === 'public') {
      s.publicSeq += 1;
      publicSeq = s.publicSeq;
      s.lastPublic = { seq: s.seq, preview: text.slice(0, PREVIEW_CHARS), senderId, senderKind: sender, at: t };
    }
    s.updatedAt = t;
    if (sender === 'staff' && visibility === 'public' && s.inquiry !== null && s.inquiry.firstResponseAt === null) {
      s.inquiry.firstResponseAt = t;
    }
    // Sending moves the sender's read cursor to the new seq.
    if (sender === 'customer') {
      s.customerRead.seq = s.seq;
      s.customerRead.publicSeq = s.publicSeq;
    } else {
      const cursor = s.staffRead.get(senderId);
      if (cursor) {
        cursor.seq = s.seq;
        cursor.publicSeq = s.publicSeq;
      } else {
        s.staffRead.set(senderId, { seq: s.seq, publicSeq: s.publicSeq, joinedAt: t });
      }
    }
    const deletedAt = rng() < 0.003 ? t + 30_000 : null;
    const row: Row = [
      newId(), shop.id, s.id, s.seq, publicSeq, senderId, sender, 'user', 'text', text, visibility,
      randomUUID(), t, deletedAt,
    ];
    // Messages are written in time order, so the shop's counter hands out positions in that order.
    if (options.streamPos) row.push(++shop.streamPos);
    await messageBatch.add(row);

    // Inquiries end: most after a few exchanges with an agent, a few while still queued; and most
    // conversations are resolved by the time they go quiet.
    s.remaining -= 1;
    const closes =
      (s.status === 'assigned' && rng() < 0.1) ||
      (s.status === 'queued' && rng() < 0.02) ||
      (s.remaining === 0 && rng() < 0.85);
    if (closes) {
      s.status = 'closed';
      s.inquiry!.status = 'closed';
      s.inquiry!.closedAt = t + 1;
      s.updatedAt = t + 1;
    }

    if (s.remaining > 0) {
      s.nextAt = t + Math.max(1, Math.round(-Math.log(1 - rng()) * s.meanGap));
      heap.push(index);
    }
    sinceCommit += 1;
    if (sinceCommit >= options.commitEvery) {
      await messageBatch.flush();
      await sink.commit();
      options.onProgress?.(messageBatch.written);
      await sink.begin();
      sinceCommit = 0;
    }
  }
  await messageBatch.flush();
  await sink.commit();
  options.onProgress?.(messageBatch.written);

  // Denormalised last-message fields and status, as append() and the inquiry transitions leave them.
  await sink.begin();
  for (const s of states) {
    const last = s.lastPublic;
    await sink.update('conversations', 'id', s.id, CONVERSATION_FINAL_COLUMNS, [
      s.status, s.assigneeId, s.inquiry?.id ?? null, s.seq, s.publicSeq, last?.seq ?? null, last?.preview ?? null,
      last === null ? null : 'text', last?.senderId ?? null, last?.senderKind ?? null, last?.at ?? null,
      last?.at ?? s.createdAt, s.updatedAt,
    ]);
  }
  await sink.commit();

  await sink.begin();
  const inquiryBatch = batch('inquiries', INQUIRY_COLUMNS);
  for (const q of inquiries) {
    await inquiryBatch.add([
      q.id, q.shopId, q.conversationId, q.customerId, q.status, q.assigneeId, q.createdAt, q.assignedAt,
      q.firstResponseAt, q.closedAt,
    ]);
  }
  await inquiryBatch.flush();

  // Members: the customer (ensureService) and every agent who wrote. Most customers have opened the
  // conversation since (markRead up to the last public message); half the agents read to the end.
  const memberBatch = batch('members', MEMBER_COLUMNS);
  for (const s of states) {
    const shopId = shops[s.shopIndex]!.id;
    if (s.lastPublic !== null && rng() < 0.7) {
      s.customerRead.seq = s.lastPublic.seq;
      s.customerRead.publicSeq = s.publicSeq;
    }
    await memberBatch.add([s.id, s.customerId, 'customer', shopId, 'customer', s.customerRead.seq, s.customerRead.publicSeq, 0, s.createdAt]);
    for (const [staffId, cursor] of s.staffRead) {
      if (rng() < 0.5) {
        cursor.seq = s.seq;
        cursor.publicSeq = s.publicSeq;
      }
      await memberBatch.add([s.id, staffId, 'staff', shopId, 'agent', cursor.seq, cursor.publicSeq, 0, cursor.joinedAt]);
    }
  }
  await memberBatch.flush();
  await sink.commit();

  const sorted = [...counts].sort((a, b) => a - b);
  return {
    shops: shops.map(({ id, staffIds }) => ({ id, staffIds })),
    platformCustomerIds: customerIds.slice(0, options.platformCustomers),
    shopCustomerIds: customerIds.slice(options.platformCustomers),
    conversations: states.map((s) => ({ id: s.id, shopId: shops[s.shopIndex]!.id, customerId: s.customerId, lastSeq: s.seq })),
    counts: {
      shops: shops.length,
      staff: shops.length * options.staffPerShop,
      customers: customerCount,
      conversations: states.length,
      messages: messageBatch.written,
      inquiries: inquiryBatch.written,
      members: memberBatch.written,
    },
    distribution: {
      median: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? 0,
      atLeast1000: sorted.filter((n) => n >= 1000).length,
    },
  };
}
