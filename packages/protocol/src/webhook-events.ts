/**
 * The facts a shop may subscribe to with a webhook (docs/webhooks.md). Plain data, no schema
 * library: the console lists them from here; schemas/webhooks.ts builds its schema from them.
 * Each is recorded in the outbox by the transaction that makes it (server: storage/outbox.ts).
 */
export const webhookEvents = [
  'message.created',
  'inquiry.queued',
  'inquiry.assigned',
  'inquiry.transferred',
  'inquiry.closed',
  'conversation.merged',
  'member.added',
  'staff.created',
  'staff.updated',
  'customer.created',
  'customer.updated',
  /** A campaign's progress (sent / total / failed), at most about once a second per campaign. */
  'campaign.progressed',
  'campaign.completed',
  /** A customer rated a closed inquiry, or changed their rating. */
  'csat.submitted',
] as const;
