import { priorities, type ConversationPatchBody, type Priority } from '@frontdesk/protocol';
import type { DomainDeps } from '../domain.ts';
import { fail } from '../errors.ts';
import type { Subscriber } from '../events.ts';
import type { ConversationRecord, Principal } from '../records.ts';
import { requireRole } from '../staff.ts';

/** The writes triage needs (storage/triage-store.ts); each reports whether it applied. */
export interface TriageStore {
  /** Sets what `patch` holds on a service conversation of the shop; false when there is none. */
  update(shopId: string, conversationId: string, patch: { priority?: number; snoozedUntil?: number | null }, now: number): Promise<boolean>;
  /** Snoozed conversations whose time has come, oldest due first. */
  due(now: number, limit: number): Promise<Array<{ id: string; shopId: string; snoozedUntil: number }>>;
  /**
   * Wakes the conversation only if it is still snoozed until exactly `until`: of two nodes (or a
   * sweep and a customer's message) that race, one wakes it and the other learns it lost.
   */
  wake(conversationId: string, until: number, now: number): Promise<boolean>;
}

/** How many due conversations one sweep wakes; the rest wait for the next turn. */
const WAKE_BATCH = 200;

/**
 * Working the inbox (docs/console.md): a service conversation's priority, and snoozing it until a
 * time. Both are the shop's own: the customer never sees them (domain/present.ts, fanout.ts).
 * A snoozed conversation leaves the open views (domain/conversations.ts) and wakes when its time
 * comes (the sweep, jobs/jobs.ts) or at once when its customer writes (`reactions`).
 */
export function createTriage({ store, events, now }: DomainDeps) {
  async function emitFor(type: 'conversation.prioritised' | 'conversation.snoozed' | 'conversation.woken', shopId: string, id: string): Promise<ConversationRecord> {
    const [conversation] = await store.conversations.findMany(shopId, [id]);
    if (!conversation) fail('CONVERSATION_NOT_FOUND');
    await events.emit({ type, conversation });
    return conversation;
  }

  async function wake(shopId: string, id: string, until: number): Promise<boolean> {
    if (!(await store.triage.wake(id, until, now()))) return false;
    await emitFor('conversation.woken', shopId, id);
    return true;
  }

  return {
    /** Staff of the shop: set the priority, snooze until a time, or wake it (`snoozedUntil: null`). */
    async update(principal: Principal, conversationId: string, body: ConversationPatchBody): Promise<ConversationRecord> {
      const staff = requireRole(principal, 'agent');
      const [conversation] = await store.conversations.findMany(staff.shopId, [conversationId]);
      if (!conversation || conversation.kind !== 'service') fail('CONVERSATION_NOT_FOUND');
      const at = now();
      let until: number | null | undefined;
      if (body.snoozedUntil !== undefined && body.snoozedUntil !== null) {
        until = Date.parse(body.snoozedUntil);
        if (!(until > at)) fail('VALIDATION_FAILED', '"snoozedUntil" must be in the future.');
        if (conversation.status !== 'queued' && conversation.status !== 'assigned') fail('CONVERSATION_NOT_OPEN');
      } else if (body.snoozedUntil === null) until = null;
      const priority: Priority | undefined = body.priority;
      const patch = {
        ...(priority !== undefined && priority !== conversation.priority && { priority: priorities.indexOf(priority) }),
        ...(until !== undefined && until !== conversation.snoozedUntil && { snoozedUntil: until }),
      };
      if (Object.keys(patch).length === 0) return conversation;
      if (!(await store.triage.update(staff.shopId, conversationId, patch, at))) fail('CONVERSATION_NOT_FOUND');
      const type = patch.snoozedUntil === undefined ? 'conversation.prioritised' : patch.snoozedUntil === null ? 'conversation.woken' : 'conversation.snoozed';
      return emitFor(type, staff.shopId, conversationId);
    },

    /** The sweep: wakes every conversation whose snooze is over; returns how many this call woke. */
    async wakeDue(): Promise<number> {
      let woken = 0;
      for (const due of await store.triage.due(now(), WAKE_BATCH)) if (await wake(due.shopId, due.id, due.snoozedUntil)) woken++;
      return woken;
    },

    /** A customer who writes wakes their snoozed conversation at once (a subscriber, registered in app.ts). */
    reactions(): Subscriber {
      return async (event) => {
        if (event.type !== 'message.created' || event.resent || event.message.senderKind !== 'customer' || event.conversation.kind !== 'service') return;
        // Read with the conversation's row as the message was stored: no query per message.
        if (event.snoozedUntil !== undefined) await wake(event.conversation.shopId, event.conversation.id, event.snoozedUntil);
      };
    },
  };
}
