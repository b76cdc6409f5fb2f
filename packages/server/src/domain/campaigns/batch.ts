import type { NewMessage } from '../ports.ts';
import type { CampaignRecord } from './ports.ts';
import { campaignMove, type CampaignMove } from './states.ts';

/** A pending recipient as a batch reads it under its lock. */
export interface PendingRecipient {
  readonly customerId: string;
  /** Their service conversation in the shop, if they have one. */
  readonly conversationId: string | null;
  readonly assigneeId: string | null;
  /** The contact opted out (checked again at their turn, not only when the audience was fixed). */
  readonly optedOut: boolean;
}

export interface CampaignBatchPlan {
  /** Opted out since the start: marked skipped, sent nothing. */
  readonly skipped: readonly string[];
  /** Service conversations to make (with the customer's member row). */
  readonly newConversations: ReadonlyArray<{ readonly customerId: string; readonly conversationId: string }>;
  /** One message per addressed recipient, in the order of `addressed`. */
  readonly messages: readonly NewMessage[];
  readonly addressed: ReadonlyArray<{ readonly customerId: string; readonly conversationId: string; readonly assigneeId: string | null }>;
}

/** The rules storage runs a batch by: what to write for the pending recipients, and how the campaign stands after. */
export interface CampaignBatchPlanner {
  plan(campaign: CampaignRecord, pending: readonly PendingRecipient[], now: number): CampaignBatchPlan;
  /** `drained`: no recipient is pending any more. */
  settle(campaign: CampaignRecord, progressedAt: number | null, drained: boolean, now: number): BatchSettlement;
}

export interface BatchSettlement {
  /** The move to completed (states.ts), when drained. */
  readonly complete: CampaignMove | null;
  /** Record campaign.progressed (or .completed) in the outbox and publish the progress. */
  readonly progressed: boolean;
}

/** Progress facts (webhook `campaign.progressed`, the consoles' frame) at most this often per campaign. */
export const PROGRESS_EVERY_MS = 1_000;

/** What begins the client id of every campaign message (a staff member's sync skips them: storage/message-store.ts). */
export const CAMPAIGN_PREFIX = 'campaign:';

/** The idempotency key of a campaign's message in each conversation (unique per conversation + sender). */
export const campaignClientMsgId = (campaignId: string) => `${CAMPAIGN_PREFIX}${campaignId}`;

/**
 * A campaign message is an ordinary public staff message from the campaign's sender: it opens no
 * inquiry (staff messages never do) and does not make the sender a member of every recipient's
 * conversation (no read cursor: the sender did not take part in 100,000 conversations).
 */
export function campaignMessage(campaign: CampaignRecord, conversationId: string, id: string, now: number): NewMessage {
  return {
    id,
    shopId: campaign.shopId,
    conversationId,
    senderId: campaign.senderId,
    senderKind: 'staff',
    senderRole: null,
    kind: 'user',
    contentType: 'text',
    text: campaign.text,
    visibility: 'public',
    clientMsgId: campaignClientMsgId(campaign.id),
    createdAt: now,
    openInquiry: null,
  };
}

export function campaignBatchPlanner(newId: () => string): CampaignBatchPlanner {
  return {
    plan: (campaign, pending, now) => planBatch(newId, campaign, pending, now),
    settle(campaign, progressedAt, drained, now) {
      const complete = drained ? campaignMove('complete', campaign.kind, campaign.status, now) : null;
      return { complete, progressed: recordsProgress(progressedAt, now, drained) };
    },
  };
}

function planBatch(newId: () => string, campaign: CampaignRecord, pending: readonly PendingRecipient[], now: number): CampaignBatchPlan {
  const skipped: string[] = [];
  const newConversations: Array<{ customerId: string; conversationId: string }> = [];
  const messages: NewMessage[] = [];
  const addressed: Array<{ customerId: string; conversationId: string; assigneeId: string | null }> = [];
  for (const recipient of pending) {
    if (recipient.optedOut) {
      skipped.push(recipient.customerId);
      continue;
    }
    let conversationId = recipient.conversationId;
    if (conversationId === null) {
      conversationId = newId();
      newConversations.push({ customerId: recipient.customerId, conversationId });
    }
    messages.push(campaignMessage(campaign, conversationId, newId(), now));
    addressed.push({ customerId: recipient.customerId, conversationId, assigneeId: recipient.assigneeId });
  }
  return { skipped, newConversations, messages, addressed };
}

/** Whether a batch records progress: the campaign just ended, or the last record is a second old. */
export function recordsProgress(progressedAt: number | null, now: number, completed: boolean): boolean {
  return completed || progressedAt === null || now - progressedAt >= PROGRESS_EVERY_MS;
}
