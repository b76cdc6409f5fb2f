import type { ConversationRecord, MessageRecord, StaffRecord } from '../../domain/records.ts';
import { presentConversationSummary, presentMessage, presentStaff } from '../../domain/present.ts';
import type { BuiltEvent, OutboxRow } from '../../storage/webhook-delivery-store.ts';

/** Where an event's subject is read from when it is fanned out. */
export interface Subjects {
  message(id: string): Promise<MessageRecord | undefined>;
  conversation(id: string): Promise<ConversationRecord | undefined>;
  staff(shopId: string, id: string): Promise<StaffRecord | undefined>;
}

/**
 * The body every endpoint receives for an outbox row: `{ id, event, createdAt, shopId, data }`, `data`
 * holding the subject as the HTTP API presents it, as it is when the event is fanned out (a moment
 * after the fact; a subject deleted since is null), plus what the row recorded that the subject no
 * longer tells (an inquiry's move, the merged conversation's id, the invited member).
 */
export async function buildEvent(row: OutboxRow, subjects: Subjects): Promise<BuiltEvent> {
  const data = await subjectData(row, subjects);
  const message = data.message as { visibility?: string } | null | undefined;
  const body = JSON.stringify({ id: row.id, event: row.type, createdAt: new Date(row.createdAt).toISOString(), shopId: row.shopId, data });
  return { body, internal: message?.visibility === 'internal' };
}

async function subjectData(row: OutboxRow, subjects: Subjects): Promise<Record<string, unknown>> {
  const conversation = async (id: string) => {
    const found = await subjects.conversation(id);
    return found ? presentConversationSummary(found) : null;
  };
  switch (row.type) {
    case 'message.created': {
      const message = await subjects.message(row.subjectId);
      return { message: message ? presentMessage(message) : null, conversation: message ? await conversation(message.conversationId) : null, ...row.data };
    }
    case 'staff.created':
    case 'staff.updated': {
      const staff = await subjects.staff(row.shopId, row.subjectId);
      return { staff: staff ? presentStaff(staff) : null, ...row.data };
    }
    // inquiry.*, conversation.merged, member.added: their subject is the conversation.
    default:
      return { conversation: await conversation(row.subjectId), ...row.data };
  }
}
