import type { ConversationRecord, CustomerProfile, MessageRecord, StaffRecord } from '../../domain/records.ts';
import { presentConversationSummary, presentCustomer, presentMessage, presentStaff } from '../../domain/present.ts';
import type { BuiltEvent, OutboxRow } from '../../storage/webhook-delivery-store.ts';

/** Where the subjects of a batch of events are read from when they are fanned out: a query each. */
export interface Subjects {
  messages(ids: readonly string[]): Promise<MessageRecord[]>;
  conversations(ids: readonly string[]): Promise<ConversationRecord[]>;
  staff(ids: readonly string[]): Promise<StaffRecord[]>;
  customers(ids: readonly string[]): Promise<CustomerProfile[]>;
}

/**
 * The body every endpoint receives for each outbox row: `{ id, event, createdAt, shopId, data }`,
 * `data` holding the subject as the HTTP API presents it, as it is when the event is fanned out (a
 * moment after the fact; a subject deleted since is null), plus what the row recorded that the
 * subject no longer tells (an inquiry's move, the merged conversation's id, the invited member).
 * A subject is only ever taken from the event's own shop.
 */
export async function buildEvents(rows: readonly OutboxRow[], subjects: Subjects): Promise<Map<string, BuiltEvent>> {
  const isStaff = (row: OutboxRow) => row.type === 'staff.created' || row.type === 'staff.updated';
  const isCustomer = (row: OutboxRow) => row.type === 'customer.created' || row.type === 'customer.updated';
  // A campaign's facts carry their figures in the row (docs/webhooks.md): there is no subject to read again.
  const isCampaign = (row: OutboxRow) => row.type === 'campaign.progressed' || row.type === 'campaign.completed';
  const messageRows = rows.filter((row) => row.type === 'message.created');
  const messages = new Map((await subjects.messages(messageRows.map((row) => row.subjectId))).map((m) => [m.id, m]));
  const staff = new Map((await subjects.staff(rows.filter(isStaff).map((row) => row.subjectId))).map((s) => [s.id, s]));
  const customers = new Map((await subjects.customers(rows.filter(isCustomer).map((row) => row.subjectId))).map((c) => [c.customer.id, c]));
  // inquiry.*, conversation.merged, member.added: their subject is the conversation; a message's is its own.
  const conversationIds = rows.flatMap((row) =>
    row.type === 'message.created' ? (messages.get(row.subjectId)?.conversationId ?? []) : isStaff(row) || isCustomer(row) || isCampaign(row) ? [] : row.subjectId,
  );
  const conversations = new Map((await subjects.conversations(conversationIds)).map((c) => [c.id, c]));
  // The reads are not one snapshot: a visitor merged between them moved the message into the
  // customer's conversation and deleted the one it was read in. Such messages are read once more.
  const moved = [...messages.values()].filter((m) => !conversations.has(m.conversationId)).map((m) => m.id);
  if (moved.length > 0) {
    for (const m of await subjects.messages(moved)) messages.set(m.id, m);
    const missing = moved.flatMap((id) => messages.get(id)?.conversationId ?? []).filter((id) => !conversations.has(id));
    for (const c of await subjects.conversations(missing)) conversations.set(c.id, c);
  }

  const ofShop = <T extends { shopId: string }>(row: OutboxRow, found: T | undefined): T | undefined => (found?.shopId === row.shopId ? found : undefined);
  const summary = (row: OutboxRow, id: string | undefined) => {
    const found = id === undefined ? undefined : ofShop(row, conversations.get(id));
    return found ? presentConversationSummary(found) : null;
  };
  const built = new Map<string, BuiltEvent>();
  for (const row of rows) {
    let data: Record<string, unknown>;
    let internal = false;
    if (row.type === 'message.created') {
      const message = ofShop(row, messages.get(row.subjectId));
      internal = message?.visibility === 'internal';
      data = { message: message ? presentMessage(message) : null, conversation: summary(row, message?.conversationId), ...row.data };
    } else if (isStaff(row)) {
      const member = ofShop(row, staff.get(row.subjectId));
      data = { staff: member ? presentStaff(member) : null, ...row.data };
    } else if (isCustomer(row)) {
      // A platform customer (shopId null) is recorded for each shop where they have a conversation.
      const found = customers.get(row.subjectId);
      const mine = found && (found.customer.shopId === row.shopId || found.customer.shopId === null) ? found : undefined;
      data = { customer: mine ? presentCustomer(mine.customer) : null, attributes: mine?.attributes ?? null, ...row.data };
    } else if (isCampaign(row)) {
      data = { ...row.data };
    } else {
      data = { conversation: summary(row, row.subjectId), ...row.data };
    }
    const body = JSON.stringify({ id: row.id, event: row.type, createdAt: new Date(row.createdAt).toISOString(), shopId: row.shopId, data });
    built.set(row.id, { body, internal });
  }
  return built;
}
