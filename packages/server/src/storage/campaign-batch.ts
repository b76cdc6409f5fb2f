import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { CampaignBatchPlan, CampaignBatchPlanner, PendingRecipient } from '../domain/campaigns/batch.ts';
import type { ConversationState } from '../domain/messages/plan.ts';
import type { BatchOutcome, CampaignDelivery, CampaignRecord } from '../domain/campaigns/ports.ts';
import type { DurableFact } from '../domain/events.ts';
import { newId } from '../domain/ids.ts';
import type { AppendResult, NewMessage } from '../domain/ports.ts';
import { AppError } from '../domain/errors.ts';
import { appendBatch } from './append-batch.ts';
import { toCampaign } from './campaign-store.ts';
import type { Engine } from './connect.ts';
import { recordOutbox, SQLITE_RECORD_OUTBOX } from './outbox.ts';
import type { CampaignTable, Database } from './schema.ts';
import { sqliteAppendWithin } from './sqlite-append.ts';
import type { SqliteDirect } from './sqlite-dialect.ts';

export interface Db {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly sqlite: SqliteDirect | null;
}

/** How a batch's writes stand once planned and appended, whatever the engine. */
interface Applied {
  readonly delivered: CampaignDelivery[];
  readonly sent: Array<{ customerId: string; conversationId: string; messageId: string }>;
  readonly failed: Array<{ customerId: string; error: string }>;
}

/** The appended results of a plan, recipient by recipient. */
function applied(campaign: CampaignRecord, plan: CampaignBatchPlan, results: ReadonlyArray<AppendResult | Error>): Applied {
  const delivered: CampaignDelivery[] = [];
  const sent: Applied['sent'] = [];
  const failed: Applied['failed'] = [];
  plan.addressed.forEach((a, i) => {
    const result = results[i];
    if (result === undefined || result instanceof Error) {
      failed.push({ customerId: a.customerId, error: result instanceof AppError ? result.code : 'INTERNAL' });
      return;
    }
    sent.push({ customerId: a.customerId, conversationId: a.conversationId, messageId: result.message.id });
    delivered.push({
      conversation: { id: a.conversationId, shopId: campaign.shopId, kind: 'service', customerId: a.customerId },
      message: result.message,
      duplicate: result.duplicate,
      staffIds: a.assigneeId === null ? [] : [a.assigneeId],
    });
  });
  return { delivered, sent, failed };
}

function progressFact(campaign: CampaignRecord, completed: boolean, now: number): DurableFact {
  const { id, name, total, sent, failed, skipped } = campaign;
  return { shopId: campaign.shopId, type: completed ? 'campaign.completed' : 'campaign.progressed', subjectId: id, data: { campaign: { id, name, status: campaign.status, total, sent, failed, skipped } }, createdAt: now };
}

/** The campaign after a batch's counts (the row as the batch writes it). */
function counted(campaign: CampaignRecord, a: Applied, skipped: number, complete: { finishedAt?: number } | null, now: number): CampaignRecord {
  return {
    ...campaign,
    sent: campaign.sent + a.sent.length,
    failed: campaign.failed + a.failed.length,
    skipped: campaign.skipped + skipped,
    updatedAt: now,
    ...(complete && { status: 'completed' as const, finishedAt: complete.finishedAt ?? now }),
  };
}

export async function sendBatch(d: Db, id: string, owner: string, limit: number, now: number, leaseMs: number, rules: CampaignBatchPlanner): Promise<BatchOutcome | null> {
  if (d.sqlite) return d.sqlite.exclusive((raw) => sqliteBatch(raw, id, owner, limit, now, leaseMs, rules));
  return d.db.transaction().execute((tx) => pgBatch(tx, id, owner, limit, now, leaseMs, rules));
}

// ---- SQLite: prepared statements on the direct connection, one IMMEDIATE transaction. ----

const sqliteStatements = new WeakMap<DatabaseSync, ReturnType<typeof prepare>>();

function prepare(db: DatabaseSync) {
  const p = (text: string): StatementSync => db.prepare(text);
  return {
    begin: p('BEGIN IMMEDIATE'),
    commit: p('COMMIT'),
    rollback: p('ROLLBACK'),
    campaign: p('SELECT * FROM campaigns WHERE id = ?'),
    pending: p(`SELECT r.customer_id, c.id AS conversation_id, c.assignee_id, ct.opted_out_at
      FROM campaign_recipients r
      LEFT JOIN conversations c ON c.unique_key = 'service:' || r.shop_id || ':' || r.customer_id
      LEFT JOIN contacts ct ON ct.shop_id = r.shop_id AND ct.customer_id = r.customer_id
      WHERE r.campaign_id = ? AND r.status = 'pending' ORDER BY r.customer_id LIMIT ?`),
    conversation: p(`INSERT INTO conversations (id, shop_id, kind, unique_key, customer_id, last_activity_at, created_at, updated_at)
      VALUES (?, ?, 'service', ?, ?, ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING`),
    member: p(`INSERT INTO members (conversation_id, user_id, user_kind, shop_id, role, joined_at) VALUES (?, ?, 'customer', ?, 'customer', ?) ON CONFLICT DO NOTHING`),
    contact: p(`INSERT INTO contacts (shop_id, customer_id, last_seen_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    mark: p('UPDATE campaign_recipients SET status = ?, conversation_id = ?, message_id = ?, error = ?, sent_at = ? WHERE campaign_id = ? AND customer_id = ?'),
    counts: p(`UPDATE campaigns SET sent = sent + ?, failed = failed + ?, skipped = skipped + ?, lease_until = ?, progressed_at = ?,
      status = ?, finished_at = ?, lease_owner = CASE WHEN ? THEN NULL ELSE lease_owner END, updated_at = ? WHERE id = ?`),
    recipient: p(`INSERT INTO campaign_recipients (campaign_id, customer_id, shop_id, status) VALUES (?, ?, ?, 'pending') ON CONFLICT DO NOTHING`),
    recipientRow: p('SELECT conversation_id, message_id FROM campaign_recipients WHERE campaign_id = ? AND customer_id = ?'),
    message: p('SELECT * FROM messages WHERE id = ?'),
    serviceOf: p(`SELECT id, assignee_id FROM conversations WHERE unique_key = ?`),
    shown: p('UPDATE campaigns SET total = total + 1, sent = sent + 1, updated_at = ? WHERE id = ?'),
    outbox: p(SQLITE_RECORD_OUTBOX),
  };
}

export function statementsOf(raw: DatabaseSync) {
  let s = sqliteStatements.get(raw);
  if (!s) sqliteStatements.set(raw, (s = prepare(raw)));
  return s;
}

export function inSqliteTransaction<T>(raw: DatabaseSync, work: (s: ReturnType<typeof prepare>) => T): T {
  const s = statementsOf(raw);
  s.begin.run();
  try {
    const result = work(s);
    if (raw.isTransaction) s.commit.run();
    return result;
  } catch (error) {
    if (raw.isTransaction) s.rollback.run();
    throw error;
  }
}

function sqliteOutbox(s: ReturnType<typeof prepare>, e: DurableFact): void {
  s.outbox.run(newId(), e.shopId, e.type, e.subjectId, e.data === undefined ? null : JSON.stringify(e.data), e.createdAt, e.shopId, e.type);
}

function sqliteBatch(raw: DatabaseSync, id: string, owner: string, limit: number, now: number, leaseMs: number, rules: CampaignBatchPlanner): BatchOutcome | null {
  const append = sqliteAppendWithin(raw);
  return inSqliteTransaction(raw, (s) => {
    const row = s.campaign.get(id) as Selectable<CampaignTable> | undefined;
    if (!row || row.status !== 'running' || row.lease_owner !== owner) {
      s.rollback.run();
      return null;
    }
    const campaign = toCampaign(row);
    const rows = s.pending.all(id, limit) as Array<{ customer_id: string; conversation_id: string | null; assignee_id: string | null; opted_out_at: number | null }>;
    const plan = rules.plan(campaign, rows.map(pendingOf), now);
    for (const customerId of plan.skipped) s.mark.run('skipped', null, null, 'OPTED_OUT', null, id, customerId);
    const made = new Map<string, ConversationState>();
    for (const { customerId, conversationId } of plan.newConversations) {
      // Writers take turns on SQLite and the read above saw none, so the insert makes it.
      if (Number(s.conversation.run(conversationId, campaign.shopId, `service:${campaign.shopId}:${customerId}`, customerId, now, now, now).changes) !== 1) throw new Error('service conversation appeared under the write lock');
      // The contact row is there: contacts are what the audience was fixed from.
      s.member.run(conversationId, customerId, campaign.shopId, now);
      made.set(conversationId, newConversationState(campaign.shopId, now));
    }
    const a = applied(campaign, plan, append(plan.messages, made));
    for (const r of a.sent) s.mark.run('sent', r.conversationId, r.messageId, null, now, id, r.customerId);
    for (const r of a.failed) s.mark.run('failed', null, null, r.error, null, id, r.customerId);
    const settled = rules.settle(campaign, row.progressed_at === null ? null : Number(row.progressed_at), rows.length < limit, now);
    const after = counted(campaign, a, plan.skipped.length, settled.complete, now);
    const done = settled.complete !== null;
    s.counts.run(a.sent.length, a.failed.length, plan.skipped.length, now + leaseMs, settled.progressed ? now : row.progressed_at, after.status, after.finishedAt, done ? 1 : 0, now, id);
    if (settled.progressed) sqliteOutbox(s, progressFact(after, done, now));
    return { campaign: after, delivered: a.delivered, progressed: settled.progressed, completed: done };
  });
}

/** A service conversation as the INSERT above leaves it (the columns' defaults), so the send path need not read it back. */
function newConversationState(shopId: string, now: number): ConversationState {
  return {
    shopId,
    lastSeq: 0,
    lastPublicSeq: 0,
    lastPublicMessageSeq: 0,
    status: null,
    assigneeId: null,
    currentInquiryId: null,
    last: { seq: null, preview: null, contentType: null, senderId: null, senderKind: null, at: null },
    lastActivityAt: now,
    snoozedUntil: null,
    updatedAt: now,
    dirty: false,
  };
}

const pendingOf = (r: { customer_id: string; conversation_id: string | null; assignee_id: string | null; opted_out_at: number | string | null }): PendingRecipient => ({
  customerId: r.customer_id,
  conversationId: r.conversation_id,
  assigneeId: r.assignee_id,
  optedOut: r.opted_out_at !== null,
});

// ---- PostgreSQL: a handful of statements per batch (each a round trip). ----

async function pgBatch(tx: Transaction<Database>, id: string, owner: string, limit: number, now: number, leaseMs: number, rules: CampaignBatchPlanner): Promise<BatchOutcome | null> {
  // The row lock orders this batch after any other on the campaign; a node taking the lease over waits for it.
  const row = await tx.selectFrom('campaigns').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row || row.status !== 'running' || row.lease_owner !== owner) return null;
  const campaign = toCampaign(row);
  const rows = await tx
    .selectFrom('campaign_recipients as r')
    .leftJoin('conversations as c', (join) => join.on('c.unique_key', '=', sql<string>`'service:' || r.shop_id || ':' || r.customer_id`))
    .leftJoin('contacts as ct', (join) => join.onRef('ct.shop_id', '=', 'r.shop_id').onRef('ct.customer_id', '=', 'r.customer_id'))
    .select(['r.customer_id', 'c.id as conversation_id', 'c.assignee_id', 'ct.opted_out_at'])
    .where('r.campaign_id', '=', id)
    .where('r.status', '=', 'pending')
    .orderBy('r.customer_id')
    .limit(limit)
    .execute();
  let plan = rules.plan(campaign, rows.map(pendingOf), now);
  if (plan.skipped.length > 0) {
    await tx.updateTable('campaign_recipients').set({ status: 'skipped', error: 'OPTED_OUT' }).where('campaign_id', '=', id).where('customer_id', 'in', plan.skipped).execute();
  }
  let fresh = new Set<string>();
  if (plan.newConversations.length > 0) ({ plan, fresh } = await pgConversations(tx, campaign.shopId, plan, now));
  const a = applied(campaign, plan, plan.messages.length === 0 ? [] : await appendBatch(tx, plan.messages, fresh));
  for (let i = 0; i < a.sent.length; i += 500) {
    const chunk = a.sent.slice(i, i + 500);
    await sql`UPDATE campaign_recipients AS r SET status = 'sent', conversation_id = v.conversation_id, message_id = v.message_id, sent_at = ${now}
      FROM (VALUES ${sql.join(chunk.map((s) => sql`(${s.customerId}, ${s.conversationId}, ${s.messageId})`))}) AS v(customer_id, conversation_id, message_id)
      WHERE r.campaign_id = ${id} AND r.customer_id = v.customer_id`.execute(tx);
  }
  for (const f of a.failed) {
    await tx.updateTable('campaign_recipients').set({ status: 'failed', error: f.error }).where('campaign_id', '=', id).where('customer_id', '=', f.customerId).execute();
  }
  const settled = rules.settle(campaign, row.progressed_at === null ? null : Number(row.progressed_at), rows.length < limit, now);
  const after = counted(campaign, a, plan.skipped.length, settled.complete, now);
  const done = settled.complete !== null;
  await tx
    .updateTable('campaigns')
    .set((eb) => ({
      sent: eb('sent', '+', a.sent.length),
      failed: eb('failed', '+', a.failed.length),
      skipped: eb('skipped', '+', plan.skipped.length),
      lease_until: now + leaseMs,
      progressed_at: settled.progressed ? now : row.progressed_at,
      status: after.status,
      finished_at: after.finishedAt,
      ...(done && { lease_owner: null }),
      updated_at: now,
    }))
    .where('id', '=', id)
    .execute();
  if (settled.progressed) await recordOutbox(tx, [progressFact(after, done, now)]);
  return { campaign: after, delivered: a.delivered, progressed: settled.progressed, completed: done };
}

/**
 * Makes the service conversations the plan needs; one another node made meanwhile (a visitor
 * opening the widget) is used instead, so a customer never gets two.
 */
export async function pgConversations(tx: Transaction<Database>, shopId: string, plan: CampaignBatchPlan, now: number): Promise<{ plan: CampaignBatchPlan; fresh: Set<string> }> {
  const key = (customerId: string) => `service:${shopId}:${customerId}`;
  const inserted = await tx
    .insertInto('conversations')
    .values(plan.newConversations.map((n) => ({ id: n.conversationId, shop_id: shopId, kind: 'service', unique_key: key(n.customerId), customer_id: n.customerId, last_activity_at: now, created_at: now, updated_at: now })))
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .returning('id')
    .execute();
  const fresh = new Set(inserted.map((r) => r.id));
  // The contact row is there (contacts are what the audience was fixed from); the customer becomes a member of what was made.
  if (fresh.size > 0) {
    await tx
      .insertInto('members')
      .values(plan.newConversations.filter((n) => fresh.has(n.conversationId)).map((n) => ({ conversation_id: n.conversationId, user_id: n.customerId, user_kind: 'customer', shop_id: shopId, role: 'customer', joined_at: now })))
      .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
      .execute();
  }
  if (fresh.size === plan.newConversations.length) return { plan, fresh };
  const lost = plan.newConversations.filter((n) => !fresh.has(n.conversationId));
  const existing = await tx.selectFrom('conversations').select(['id', 'customer_id']).where('unique_key', 'in', lost.map((n) => key(n.customerId))).execute();
  const actual = new Map(existing.map((r) => [r.customer_id!, r.id]));
  const moved = new Map(lost.map((n) => [n.conversationId, actual.get(n.customerId)!]));
  const to = (conversationId: string) => moved.get(conversationId) ?? conversationId;
  return {
    plan: {
      ...plan,
      messages: plan.messages.map((m): NewMessage => ({ ...m, conversationId: to(m.conversationId) })),
      addressed: plan.addressed.map((a) => ({ ...a, conversationId: to(a.conversationId) })),
    },
    fresh,
  };
}
