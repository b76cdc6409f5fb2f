import type { LabelCreateBody, LabelPatchBody } from '@frontdesk/protocol';
import type { DomainDeps } from '../domain.ts';
import { fail } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ConversationRecord, Principal } from '../records.ts';
import { requireRole } from '../staff.ts';
import type { LabelRecord } from './ports.ts';
import { nonBlank, requireLabels } from './checks.ts';

/**
 * A shop's labels (docs/contacts.md): owners and admins define them, every agent puts them on
 * contacts and service conversations. A change of a conversation's labels is a fact
 * (`conversation.labelled`) the shop's consoles receive as an updated conversation.
 */
export function createLabels({ store, events, now }: DomainDeps) {
  /** Emits the fact for each conversation that changed, with its labels as they are now; returns them. */
  async function labelled(shopId: string, conversationIds: readonly string[]): Promise<ConversationRecord[]> {
    if (conversationIds.length === 0) return [];
    const conversations = await store.conversations.findMany(shopId, conversationIds);
    for (const conversation of conversations) await events.emit({ type: 'conversation.labelled', conversation });
    return conversations;
  }

  return {
    async list(principal: Principal): Promise<LabelRecord[]> {
      const staff = requireRole(principal, 'agent');
      return store.labels.list(staff.shopId);
    },

    async create(principal: Principal, body: LabelCreateBody): Promise<LabelRecord> {
      const staff = requireRole(principal, 'admin');
      const label = { id: newId(), shopId: staff.shopId, name: nonBlank(body.name, 'name'), color: body.color.toLowerCase(), createdAt: now() };
      await store.labels.create(label);
      return label;
    },

    async update(principal: Principal, id: string, patch: LabelPatchBody): Promise<LabelRecord> {
      const staff = requireRole(principal, 'admin');
      const change = { ...(patch.name !== undefined && { name: nonBlank(patch.name, 'name') }), ...(patch.color !== undefined && { color: patch.color.toLowerCase() }) };
      if (!(await store.labels.update(staff.shopId, id, change, now()))) fail('LABEL_NOT_FOUND');
      const [label] = await store.labels.findMany(staff.shopId, [id]);
      if (!label) fail('LABEL_NOT_FOUND');
      return label;
    },

    /** Deleting a label takes it off every contact and conversation of the shop. */
    async remove(principal: Principal, id: string): Promise<void> {
      const staff = requireRole(principal, 'admin');
      if (!(await store.labels.delete(staff.shopId, id))) fail('LABEL_NOT_FOUND');
    },

    /** One label on or off one service conversation of the shop. */
    async labelConversation(principal: Principal, conversationId: string, labelId: string, on: boolean): Promise<ConversationRecord> {
      const staff = requireRole(principal, 'agent');
      const [conversation] = await store.conversations.findMany(staff.shopId, [conversationId]);
      if (!conversation || conversation.kind !== 'service') fail('CONVERSATION_NOT_FOUND');
      await requireLabels(store, staff.shopId, [labelId]);
      const changed = on
        ? await store.labels.labelConversations(staff.shopId, [conversationId], [labelId], now())
        : await store.labels.unlabelConversations(staff.shopId, [conversationId], [labelId]);
      const [updated] = await labelled(staff.shopId, changed);
      return updated ?? conversation;
    },

    /** Ids that are not service conversations of the shop are skipped; every label must be the shop's. */
    async bulkLabelConversations(principal: Principal, body: { ids: readonly string[]; add?: readonly string[]; remove?: readonly string[] }): Promise<number> {
      const staff = requireRole(principal, 'agent');
      const add = body.add ?? [];
      const remove = (body.remove ?? []).filter((id) => !add.includes(id));
      await requireLabels(store, staff.shopId, [...add, ...remove]);
      const removed = await store.labels.unlabelConversations(staff.shopId, body.ids, remove);
      const added = await store.labels.labelConversations(staff.shopId, body.ids, add, now());
      const changed = [...new Set([...removed, ...added])];
      await labelled(staff.shopId, changed);
      return changed.length;
    },
  };
}
